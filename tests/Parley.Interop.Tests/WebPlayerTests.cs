using Microsoft.Playwright;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// The web UI in real headless Chromium (Debian's, driven by Playwright): the demo's JPEG stream in the player's
/// canvas and in an &lt;img&gt; via MJPEG, presenter-720p.mp4 published by ffmpeg through MSE, the stream list
/// following publishers, and the player coming back after the hub restarts. Screenshots are kept under
/// TestResults/screenshots in the test output folder.
/// </summary>
public sealed class WebPlayerTests(ITestOutputHelper output)
{
    // Samples every 4th pixel of a canvas: mean brightness and a hash that changes when the picture does.
    internal const string SampleCanvas = """
        (c) => { if (!c || !c.width) return null; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let sum = 0, hash = 0; for (let i = 0; i < d.length; i += 16) { sum += d[i] + d[i + 1] + d[i + 2]; hash = (hash * 31 + d[i] + d[i + 1]) | 0; }
          return { mean: sum / (d.length / 16) / 3, hash }; }
        """;

    private static string Player(string body) => $$"""
        () => { const p = document.querySelector('parley-player'); if (!p || !p.stats) return null; const s = p.stats;
          const v = p.shadowRoot.querySelector('video'); const c = p.shadowRoot.querySelector('canvas');
          {{body}} }
        """;

    private static readonly string JpegState = Player($$"""
        const sample = ({{SampleCanvas}})(c);
        return { frames: s.framesDrawn, audio: s.audioFramesDecoded, reconnects: s.reconnects, delay: s.delayMs ?? -1,
          mean: sample ? sample.mean : 0, hash: sample ? sample.hash : 0 };
        """);

    private static readonly string VideoState = Player($$"""
        const canvas = document.createElement('canvas'); canvas.width = 320; canvas.height = 180;
        canvas.getContext('2d').drawImage(v, 0, 0, 320, 180); const sample = ({{SampleCanvas}})(canvas);
        return { time: v.currentTime, segments: s.segments, audioBytes: v.webkitAudioDecodedByteCount || 0,
          videoBytes: v.webkitVideoDecodedByteCount || 0, delay: s.delayMs ?? -1, jumps: s.jumps, mean: sample.mean, hash: sample.hash,
          lag: s.lagMs ?? -1 };
        """);

    public sealed record JpegSample { public int Frames { get; init; } public int Audio { get; init; } public int Reconnects { get; init; } public double Delay { get; init; } public double Mean { get; init; } public int Hash { get; init; } }

    public sealed record VideoSample { public double Time { get; init; } public int Segments { get; init; } public long AudioBytes { get; init; } public long VideoBytes { get; init; } public double Delay { get; init; } public int Jumps { get; init; } public double Mean { get; init; } public int Hash { get; init; } public double Lag { get; init; } }

    public sealed record ImageSample { public int Width { get; init; } public double Mean { get; init; } public int Hash { get; init; } }

    [Fact]
    public async Task The_demo_plays_in_the_canvas_with_audio_and_in_an_img_via_mjpeg()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Demo.Enabled = true);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl("demo"));

        var first = await Chromium.WaitForAsync<JpegSample?>(page, JpegState, TimeSpan.FromSeconds(15), s => s is { Frames: >= 10 }, "10 demo frames drawn");
        await Task.Delay(1000);
        var second = await Chromium.WaitForAsync<JpegSample?>(page, JpegState, TimeSpan.FromSeconds(15), s => s is { Audio: > 10 }, "Opus decoded by WebCodecs");
        output.WriteLine($"first {first}\nsecond {second}");
        Assert.True(second!.Mean > 20, $"the canvas is black (mean {second.Mean})");
        Assert.NotEqual(first!.Hash, second.Hash);
        Assert.True(second.Frames >= first.Frames + 15, "frames stopped arriving");
        Assert.InRange(second.Delay, 0, 1000);
        await Chromium.ScreenshotAsync(page, "player-jpeg-demo", output);

        // MJPEG in a plain <img> on a page of the hub's origin, so its pixels can be read.
        await page.GotoAsync(hub.WebUrl(""));
        await page.EvaluateAsync("() => { const img = document.createElement('img'); img.id = 'mjpeg'; img.src = '/demo/mjpeg'; document.querySelector('main').prepend(img); }");
        string imageState = $$"""
            () => { const img = document.getElementById('mjpeg'); if (!img.naturalWidth) return { width: 0, mean: 0, hash: 0 };
              const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
              c.getContext('2d').drawImage(img, 0, 0); const s = ({{SampleCanvas}})(c); return { width: img.naturalWidth, mean: s.mean, hash: s.hash }; }
            """;
        var image1 = await Chromium.WaitForAsync<ImageSample>(page, imageState, TimeSpan.FromSeconds(15), s => s.Width > 0, "the MJPEG image loaded");
        await Task.Delay(800);
        var image2 = await page.EvaluateAsync<ImageSample>(imageState);
        output.WriteLine($"mjpeg {image1} then {image2}");
        Assert.Equal(640, image2.Width);
        Assert.True(image2.Mean > 20, "the MJPEG image is black");
        Assert.NotEqual(image1.Hash, image2.Hash);
        await Chromium.ScreenshotAsync(page, "streams-with-mjpeg", output);
    }

    [Theory]
    [InlineData("opus")]
    [InlineData("aac")]
    public async Task Presenter_published_by_ffmpeg_plays_through_mse_with_audio_at_the_live_edge(string audio)
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = FfmpegRelayTests.Publish(hub, "presenter", "tcp", loop: true, copyAudio: audio == "aac");
        await hub.WaitForStreamAsync("presenter", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(output, colorScheme: "light");
        string codecs = audio == "aac" ? "avc1.64001f,mp4a.40.2" : "avc1.64001f,opus";
        Assert.True(await page.EvaluateAsync<bool>($"() => MediaSource.isTypeSupported('video/mp4; codecs=\"{codecs}\"')"), $"Chromium cannot play {codecs} in MSE");
        await page.GotoAsync(hub.WebUrl("presenter"));

        var first = await Chromium.WaitForAsync<VideoSample?>(page, VideoState, TimeSpan.FromSeconds(20), s => s is { Time: > 0.5, Mean: > 20 }, "video playing");
        await Task.Delay(1500);
        var second = await page.EvaluateAsync<VideoSample?>(VideoState);
        output.WriteLine($"first {first}\nsecond {second}");
        Assert.NotNull(second);
        Assert.True(second.Time > first!.Time + 0.8, "currentTime does not advance");
        Assert.True(second.Mean > 20, $"frames drawn from the video are black (mean {second.Mean})");
        Assert.NotEqual(first.Hash, second.Hash);
        Assert.True(second.AudioBytes > 0, $"the {audio} track did not decode");
        Assert.InRange(second.Lag, 0, 1000);
        Assert.InRange(second.Delay, 0, 1500);
        await Chromium.ScreenshotAsync(page, $"player-mse-presenter-{audio}", output);
        await publisher.QuitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_b_frame_stream_published_by_ffmpeg_plays_through_mse()
    {
        // RTP carries presentation times, which go backwards across B-frames; the hub must derive decode times.
        string source = await BFrameMedia.EncodeAsync(TestPaths.NewTempDirectory());
        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = FfmpegRelayTests.Publish(hub, "bframes", "tcp", loop: true, source: source);
        await hub.WaitForStreamAsync("bframes", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(output, colorScheme: "light");
        await page.GotoAsync(hub.WebUrl("bframes"));

        var first = await Chromium.WaitForAsync<VideoSample?>(page, VideoState, TimeSpan.FromSeconds(20), s => s is { Time: > 0.5, Mean: > 20 }, "video playing");
        // A loaded machine stalls the player now and then (it then jumps to the live edge): wait for progress, not a fixed time.
        var second = await Chromium.WaitForAsync<VideoSample?>(page, VideoState, TimeSpan.FromSeconds(15), s => s is not null && s.Time > first!.Time + 1.2, "currentTime advancing");
        output.WriteLine($"first {first}\nsecond {second}");
        Assert.NotNull(second);
        Assert.True(second.Mean > 20, $"frames drawn from the video are black (mean {second.Mean})");
        Assert.NotEqual(first!.Hash, second.Hash);
        Assert.True(second.VideoBytes > first.VideoBytes, "no more video decoded");
        Assert.True(second.AudioBytes > 0, "the audio track did not decode");
        Assert.InRange(second.Lag, 0, 1000);
        await Chromium.ScreenshotAsync(page, "player-mse-b-frames", output);
        await publisher.QuitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_stream_list_follows_publishers_arriving_and_leaving()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl(""));
        const string Listed = "() => document.body.dataset.streams ?? null";
        await Chromium.WaitForAsync<string?>(page, Listed, TimeSpan.FromSeconds(10), s => s == "", "the empty list");
        Assert.True(await page.IsVisibleAsync("#empty"));
        await Chromium.ScreenshotAsync(page, "streams-empty", output);

        await using var publisher = FfmpegRelayTests.Publish(hub, "presenter", "tcp");
        await Chromium.WaitForAsync<string?>(page, Listed, TimeSpan.FromSeconds(15), s => s == "presenter", "the publisher listed");
        // Let a refresh bring measured figures, then keep the card as the list's screenshot.
        await Chromium.WaitForAsync<string?>(page, "() => document.querySelector('.card')?.innerText ?? ''", TimeSpan.FromSeconds(10),
            s => s!.Contains("1280 × 720", StringComparison.Ordinal) && s.Contains("Mb/s", StringComparison.Ordinal), "resolution and bitrate on the card");
        output.WriteLine(await page.InnerTextAsync(".card"));
        await Chromium.ScreenshotAsync(page, "streams-one-publisher", output);

        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Chromium.WaitForAsync<string?>(page, Listed, TimeSpan.FromSeconds(10), s => s == "", "the publisher gone from the list");
    }

    [Fact]
    public async Task The_player_reconnects_after_the_hub_restarts()
    {
        int httpPort;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(output);
        JpegSample before;
        await using (var hub = await TestHub.StartAsync(output, o => o.Demo.Enabled = true))
        {
            httpPort = hub.HttpPort;
            await page.GotoAsync(hub.WebUrl("demo"));
            before = (await Chromium.WaitForAsync<JpegSample?>(page, JpegState, TimeSpan.FromSeconds(15), s => s is { Frames: >= 5 }, "frames before the restart"))!;
        }

        await Chromium.WaitForAsync<JpegSample?>(page, JpegState, TimeSpan.FromSeconds(10), s => s is { Reconnects: >= 1 }, "the player noticed the hub went away");
        await using var restarted = await TestHub.StartAsync(output, o =>
        {
            o.Demo.Enabled = true;
            o.Http.Port = httpPort;
        });
        var after = await Chromium.WaitForAsync<JpegSample?>(page, JpegState, TimeSpan.FromSeconds(20), s => s!.Frames >= before.Frames + 20, "frames after the restart");
        output.WriteLine($"before {before}\nafter {after}");
        Assert.True(after!.Mean > 20);
    }
}
