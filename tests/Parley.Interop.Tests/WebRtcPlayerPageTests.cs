using Parley.Hub.Auth;
using Parley.Interop.Tests.Infrastructure;
using Parley.Security.Auth;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// The stream page plays what the WebSocket player cannot carry over WHEP: ffmpeg publishes VP8 + Opus over RTSP,
/// the page's &lt;parley-player&gt; is told so in the WebSocket's hello and plays it through one recvonly
/// RTCPeerConnection, in real headless Chromium. The stream list labels it WebRTC.
/// </summary>
public sealed class WebRtcPlayerPageTests(ITestOutputHelper output)
{
    private const string State = $$"""
        async () => { const p = document.querySelector('parley-player'); if (!p || !p.stats) return null;
          const v = p.shadowRoot.querySelector('video'); let packets = 0, energy = 0, frames = 0;
          if (p.whep) (await p.whep.pc.getStats()).forEach((r) => { if (r.type !== 'inbound-rtp') return;
            if (r.kind === 'audio') { packets = r.packetsReceived || 0; energy = r.totalAudioEnergy || 0; }
            if (r.kind === 'video') frames = r.framesDecoded || 0; });
          let mean = 0, hash = 0;
          if (v.videoWidth) { const c = document.createElement('canvas'); c.width = 160; c.height = 120; c.getContext('2d').drawImage(v, 0, 0, 160, 120);
            const s = ({{WebPlayerTests.SampleCanvas}})(c); mean = s.mean; hash = s.hash; }
          return { mode: p.stats.mode || '', time: v.currentTime, width: v.videoWidth, frames, packets, energy, mean, hash,
            status: p.shadowRoot.querySelector('.status').textContent }; }
        """;

    public sealed record Sample
    {
        public string Mode { get; init; } = "";
        public double Time { get; init; }
        public int Width { get; init; }
        public long Frames { get; init; }
        public long Packets { get; init; }
        public double Energy { get; init; }
        public double Mean { get; init; }
        public int Hash { get; init; }
        public string Status { get; init; } = "";
    }

    [Fact]
    public async Task A_vp8_stream_plays_on_its_page_over_whep_and_is_listed_as_webrtc()
    {
        string webm = await EncodeAsync();
        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = Publish(webm, hub.Url("vp8"));
        var stream = await hub.WaitForStreamAsync("vp8", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        output.WriteLine($"published: {stream.CodecSummary}");

        await using var chromium = await Chromium.LaunchAsync();
        var list = await chromium.NewPageAsync(output);
        await list.GotoAsync(hub.WebUrl(""));
        await Chromium.WaitForAsync<string?>(list, "() => document.querySelector(\".card[data-path='vp8'] .tag.mode\")?.textContent ?? null",
            TimeSpan.FromSeconds(10), m => m == "WebRTC", "the stream listed as WebRTC");

        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl("vp8"));
        await page.BringToFrontAsync();
        var first = await Chromium.WaitForAsync<Sample?>(page, State, TimeSpan.FromSeconds(25),
            s => s is { Mode: "webrtc", Frames: > 5, Mean: > 20 }, "VP8 playing over WHEP");
        var second = await Chromium.WaitForAsync<Sample?>(page, State, TimeSpan.FromSeconds(10),
            s => s is { } x && x.Frames >= first!.Frames + 10 && x.Hash != first.Hash && x.Time > first.Time && x.Packets > 50 && x.Energy > 0,
            "the picture moving and the audio arriving");
        output.WriteLine($"first {first}\nsecond {second}");
        Assert.Equal(320, second!.Width);
        Assert.Equal(1, hub.Host.Whep!.SessionCount);
        await Chromium.ScreenshotAsync(page, "player-webrtc-vp8", output);

        // The publisher goes: the page's WebSocket closes with the stream and the player waits again; the hub ended the
        // WHEP session with the stream (the other test shows the player's own DELETE).
        await publisher.QuitAsync(TimeSpan.FromSeconds(5));
        await Chromium.WaitForAsync<Sample?>(page, State, TimeSpan.FromSeconds(15), s => s is { Status: "Waiting for the stream…" }, "the player waiting again");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (hub.Host.Whep.SessionCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, hub.Host.Whep.SessionCount);
    }

    [Fact]
    public async Task With_a_join_token_in_the_page_address_the_whep_request_is_authorized_too()
    {
        string webm = await EncodeAsync();
        await using var hub = await TestHub.StartAsync(output, o =>
        {
            o.Auth.TrustLoopback = false;
            o.Auth.Users =
            [
                HubAuthorizer.NewUser("cam", "cam-secret", withDigest: true, new Dictionary<AccessAction, IReadOnlyList<string>>
                {
                    [AccessAction.Publish] = ["standup/*"],
                }),
            ];
        });
        await using var publisher = Publish(webm, $"rtsp://cam:cam-secret@127.0.0.1:{hub.Port}/standup/bob");
        await hub.WaitForStreamAsync("standup/bob", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        string token = hub.Host.Auth!.Tokens.Issue(new JoinToken("standup", null, ["join", "read"], DateTimeOffset.UtcNow.AddMinutes(10)));

        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl($"standup/bob?token={Uri.EscapeDataString(token)}"));
        await page.BringToFrontAsync();
        var playing = await Chromium.WaitForAsync<Sample?>(page, State, TimeSpan.FromSeconds(25),
            s => s is { Mode: "webrtc", Frames: > 5, Mean: > 20 }, "VP8 playing over WHEP with the token");
        output.WriteLine($"with the token: {playing}");
        Assert.Equal(1, hub.Host.Whep!.SessionCount);

        // Closing the page's player ends the WHEP session with an authorized DELETE, not by ICE consent running out.
        await page.EvaluateAsync("() => document.querySelector('parley-player').remove()");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (hub.Host.Whep.SessionCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, hub.Host.Whep.SessionCount);
    }

    // talking-head.avi as 320x240 VP8 + Opus in WebM, encoded ahead: a loaded machine cannot be trusted to encode
    // VP8 in real time.
    private static async Task<string> EncodeAsync()
    {
        string webm = Path.Combine(TestPaths.NewTempDirectory(), "source.webm");
        await using var encoder = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-i", TestPaths.Media("talking-head.avi"), "-t", "6",
            "-vf", "scale=320:240", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-g", "15", "-b:v", "500k",
            "-c:a", "libopus", "-ar", "48000", "-b:a", "48k", "-y", webm);
        Assert.Equal(0, await encoder.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        return webm;
    }

    private static ExternalProcess Publish(string webm, string url) =>
        ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-re", "-stream_loop", "-1", "-i", webm, "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url);
}
