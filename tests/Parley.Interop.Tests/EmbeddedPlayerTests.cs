using Microsoft.Playwright;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// The embeddable player on someone else's page: one script tag and one &lt;parley-player&gt; element play the demo
/// when the page's origin is in http.allowedOrigins, and the hub refuses the WebSocket when it is not.
/// </summary>
public sealed class EmbeddedPlayerTests(ITestOutputHelper output)
{
    // Another origin than the hub's http://localhost:port, served from loopback for real (a routed page would
    // count as public, and Chromium's local network access rules would then block the hub).
    private static readonly int EmbeddingPort = FreePort();
    private static readonly string EmbeddingOrigin = $"http://127.0.0.1:{EmbeddingPort}";

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task<IPage> OpenEmbeddingPageAsync(Chromium chromium, TestHub hub, ITestOutputHelper output)
    {
        var page = await chromium.NewPageAsync(output, colorScheme: "light");
        string html = $$"""
            <!doctype html><html><head><title>Someone else's page</title>
            <script src="{{hub.WebUrl("assets/parley-player.js")}}"></script></head>
            <body style="font-family: sans-serif; max-width: 720px; margin: 40px auto"><h1>Our shop camera</h1>
            <parley-player src="{{hub.WebUrl("demo")}}"></parley-player></body></html>
            """;
        var server = new System.Net.HttpListener();
        server.Prefixes.Add(EmbeddingOrigin + "/");
        server.Start();
        _ = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                var context = await server.GetContextAsync();
                byte[] body = System.Text.Encoding.UTF8.GetBytes(html);
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        await page.GotoAsync(EmbeddingOrigin + "/embed.html");
        server.Stop();
        return page;
    }

    private const string Frames = "() => document.querySelector('parley-player')?.stats?.framesDrawn ?? -1";

    [Fact]
    public async Task An_allowed_origin_embeds_the_player_with_one_script_tag()
    {
        await using var hub = await TestHub.StartAsync(output, o =>
        {
            o.Demo.Enabled = true;
            o.Http.AllowedOrigins = [EmbeddingOrigin];
        });
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenEmbeddingPageAsync(chromium, hub, output);
        int frames = await Chromium.WaitForAsync<int>(page, Frames, TimeSpan.FromSeconds(15), f => f >= 10, "frames in the embedded player");
        output.WriteLine($"{frames} frames drawn on {EmbeddingOrigin}");
        await Chromium.ScreenshotAsync(page, "embedded-player", output);
    }

    [Fact]
    public async Task An_origin_not_listed_is_refused()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Demo.Enabled = true);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await OpenEmbeddingPageAsync(chromium, hub, output);
        // The element loads (scripts are not subject to the list) but its WebSocket is refused, again and again.
        int reconnects = await Chromium.WaitForAsync<int>(page, "() => document.querySelector('parley-player')?.stats?.reconnects ?? -1",
            TimeSpan.FromSeconds(15), r => r >= 2, "refused connection attempts");
        Assert.Equal(0, await page.EvaluateAsync<int>(Frames));
        output.WriteLine($"{reconnects} refused attempts, no frames");
        Assert.Contains(hub.Log.Lines, line => line.Contains("is not in http.allowedOrigins", StringComparison.Ordinal));
    }
}
