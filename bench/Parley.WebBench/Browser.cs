using Microsoft.Playwright;

namespace Parley.WebBench;

/// <summary>Debian's headless Chromium under Playwright, with the flags DESIGN.md §6 lists, and the player page helpers.</summary>
internal sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Instance = browser;
    }

    public IBrowser Instance { get; }

    /// <summary>The in-page stamp reader (stamp-probe.js); evaluate <see cref="StampCodecScript"/> first.</summary>
    public static string ProbeScript { get; } = Load("stamp-probe.js");

    /// <summary>The stamp's reader and writer (stamp-codec.js), shared by the probe and the WebRTC publisher.</summary>
    public static string StampCodecScript { get; } = Load("stamp-codec.js");

    /// <summary>WHIP publisher of a stamped canvas and WHEP player (webrtc-latency.js).</summary>
    public static string WebRtcScript { get; } = Load("webrtc-latency.js");

    /// <summary>The player's own state: frames drawn (JPEG), video segments appended (MSE), its delay figure.</summary>
    public const string PlayerState = """
        () => { const p = document.querySelector('parley-player'); if (!p || !p.stats) return null; const s = p.stats;
          return { mode: s.mode ?? '', frames: s.framesDrawn, segments: s.segments, delay: s.delayMs ?? -1, jumps: s.jumps, reconnects: s.reconnects }; }
        """;

    public static async Task<Browser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>Opens the hub's player page for <paramref name="url"/> in a page of the given size.</summary>
    public async Task<IPage> OpenPlayerAsync(string url, int width, int height)
    {
        var page = await Instance.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height }, ColorScheme = ColorScheme.Dark });
        page.PageError += (_, error) => Console.Error.WriteLine($"page error: {error}");
        await page.GotoAsync(url);
        return page;
    }

    /// <summary>Waits until the player has shown at least one frame (JPEG) or appended one video segment (MSE).</summary>
    public static async Task<PlayerState> WaitPlayingAsync(IPage page, TimeSpan timeout, string stateExpression = PlayerState)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await page.EvaluateAsync<PlayerState?>(stateExpression);
            if (state is { Frames: > 0 } or { Segments: > 0 })
            {
                return state;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the player did not start within {timeout.TotalSeconds} s (state {state})");
            }

            await Task.Delay(200);
        }
    }

    private static string Load(string name)
    {
        using var stream = typeof(Browser).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"{name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        await Instance.CloseAsync();
        _playwright.Dispose();
    }
}

/// <summary>One reading of the player's stats object.</summary>
internal sealed record PlayerState
{
    public string Mode { get; init; } = "";

    public int Frames { get; init; }

    public int Segments { get; init; }

    public double Delay { get; init; }

    public int Jumps { get; init; }

    public int Reconnects { get; init; }
}
