using Microsoft.Playwright;

namespace Parley.WebBench;

/// <summary>
/// Browser-to-browser latency through the hub over WebRTC: page A draws the stamped test pattern into a canvas and
/// publishes canvas.captureStream() over WHIP, page B plays the path over WHEP and reads the stamps back from its
/// &lt;video&gt; (webrtc-latency.js, stamp-probe.js). Both pages live in one browser, so stamp and reading share a clock.
/// </summary>
internal static class WebRtcLatencyRun
{
    private const string ProbeSamples = "() => { const p = window.__parleyProbe; return { samples: p.samples, receiveAges: p.receiveAges, rejected: p.rejected, skipped: p.skipped }; }";

    public static async Task<WebRtcLatencyResult> MeasureAsync(Browser browser, string hubUrl, string codec, WebRtcSettings settings)
    {
        string path = "bench-webrtc-" + codec;
        string mimeType = codec switch { "vp8" => "video/VP8", "h264" => "video/H264", _ => throw new ArgumentException($"unknown WebRTC codec {codec}: vp8 or h264") };
        var publisher = await browser.Instance.NewPageAsync(new() { ViewportSize = new() { Width = 800, Height = 600 } });
        var player = await browser.Instance.NewPageAsync(new() { ViewportSize = new() { Width = 800, Height = 600 } });
        publisher.PageError += (_, error) => Console.Error.WriteLine($"publisher page error: {error}");
        player.PageError += (_, error) => Console.Error.WriteLine($"player page error: {error}");
        try
        {
            await publisher.GotoAsync(hubUrl);
            await publisher.EvaluateAsync(Browser.StampCodecScript);
            await publisher.EvaluateAsync(Browser.WebRtcScript);
            string rtpmap = await publisher.EvaluateAsync<string>("a => window.__parleyWebRtc.publish(a)",
                new { path, width = settings.Width, height = settings.Height, fps = settings.Fps, codec = mimeType });
            await Task.Delay(1000);

            await player.GotoAsync(hubUrl);
            await player.EvaluateAsync("() => { window.__parleyProbeManual = true; }");
            await player.EvaluateAsync(Browser.StampCodecScript);
            await player.EvaluateAsync(Browser.ProbeScript);
            await player.EvaluateAsync(Browser.WebRtcScript);
            await player.EvaluateAsync("a => window.__parleyWebRtc.play(a)", new { path, playoutDelayHint = settings.PlayoutDelayHint });
            await LatencyRun.WaitForSamplesAsync(player, 1, TimeSpan.FromSeconds(30), "the first stamp read back over WHEP");
            await Task.Delay(settings.WarmUp);
            await player.EvaluateAsync("() => window.__parleyProbe.reset()");
            var before = await player.EvaluateAsync<WebRtcStats>("p => window.__parleyWebRtc.stats(p)", path);
            var beforeSender = await publisher.EvaluateAsync<WebRtcStats>("p => window.__parleyWebRtc.stats(p)", path);
            var started = DateTime.UtcNow;
            await Task.Delay(settings.Duration);
            double seconds = (DateTime.UtcNow - started).TotalSeconds;
            var raw = await player.EvaluateAsync<RawSamples>(ProbeSamples);
            var receiver = await player.EvaluateAsync<WebRtcStats>("p => window.__parleyWebRtc.stats(p)", path);
            var sender = await publisher.EvaluateAsync<WebRtcStats>("p => window.__parleyWebRtc.stats(p)", path);
            var screenshot = Path.Combine(Path.GetTempPath(), $"parley-webbench-{path}.png");
            await player.ScreenshotAsync(new() { Path = screenshot });
            return new WebRtcLatencyResult(path, rtpmap, receiver.Codec, receiver.Width, receiver.Height, Summary.Of(raw.Samples), Summary.Of(raw.ReceiveAges),
                sender.EncodeMs, receiver.JitterBufferMs, receiver.DecodeMs, sender.FramesDrawn - beforeSender.FramesDrawn, sender.FramesEncoded - beforeSender.FramesEncoded,
                sender.KeyFramesEncoded - beforeSender.KeyFramesEncoded, sender.FramesSent - beforeSender.FramesSent, sender.PacketsSent - beforeSender.PacketsSent, receiver.PacketsReceived - before.PacketsReceived, sender.QualityLimitation, sender.TargetBitrate, sender.HubFrameRate,
                receiver.FramesReceived - before.FramesReceived,
                receiver.FramesDecoded - before.FramesDecoded, receiver.FramesDropped - before.FramesDropped, receiver.PacketsLost - before.PacketsLost,
                receiver.Nacks - before.Nacks, receiver.Plis - before.Plis, raw.Rejected, raw.Skipped, seconds, screenshot);
        }
        finally
        {
            await player.CloseAsync();
            await publisher.CloseAsync();
        }
    }

    private sealed record RawSamples
    {
        public double[] Samples { get; init; } = [];

        public double[] ReceiveAges { get; init; } = [];

        public int Rejected { get; init; }

        public int Skipped { get; init; }
    }

    private sealed record WebRtcStats
    {
        public double? EncodeMs { get; init; }

        public double? JitterBufferMs { get; init; }

        public double? DecodeMs { get; init; }

        public long FramesDrawn { get; init; }

        public long FramesEncoded { get; init; }

        public long KeyFramesEncoded { get; init; }

        public long FramesSent { get; init; }

        public long PacketsSent { get; init; }

        public long PacketsReceived { get; init; }

        public string QualityLimitation { get; init; } = "";

        public double TargetBitrate { get; init; }

        public double HubFrameRate { get; init; }

        public long FramesReceived { get; init; }

        public long PacketsLost { get; init; }

        public long Nacks { get; init; }

        public long Plis { get; init; }

        public long FramesDecoded { get; init; }

        public long FramesDropped { get; init; }

        public string Codec { get; init; } = "";

        public int Width { get; init; }

        public int Height { get; init; }
    }
}

/// <summary>What the WebRTC run sends and how long it measures.</summary>
internal sealed record WebRtcSettings(int Width, int Height, int Fps, TimeSpan WarmUp, TimeSpan Duration, double? PlayoutDelayHint);

/// <summary>
/// One WebRTC latency run: stamp-to-shown latency per frame (<see cref="Measured"/>), the part up to the arrival of
/// the frame's last packet at page B (<see cref="Received"/>: canvas capture, encode, packetize, hub, loopback), and
/// the browsers' own per-frame means from getStats (ms, over the whole session).
/// </summary>
internal sealed record WebRtcLatencyResult(string Path, string OfferedRtpMap, string ReceivedCodec, int Width, int Height, Summary Measured, Summary Received,
    double? EncodeMs, double? JitterBufferMs, double? DecodeMs, long FramesDrawn, long FramesEncoded, long KeyFramesEncoded, long FramesSent, long PacketsSent, long PacketsReceived,
    string QualityLimitation, double TargetBitrate, double HubFrameRate, long FramesReceived,
    long FramesDecoded, long FramesDropped, long PacketsLost, long Nacks, long Plis,
    int RejectedReads, int SkippedFrames, double Seconds, string Screenshot);
