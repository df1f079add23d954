using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// ffmpeg publishes ../shared/media/presenter-720p.mp4 in real time (video copied, audio as Opus) and ffmpeg reads it
/// back through the hub; the decoded frames must equal the source's from the first key frame on.
/// </summary>
public sealed class FfmpegRelayTests(ITestOutputHelper output)
{
    private static readonly string Source = TestPaths.Media("presenter-720p.mp4");

    [Theory]
    [InlineData("tcp", "tcp")]
    [InlineData("udp", "udp")]
    [InlineData("tcp", "udp")]
    public async Task Ffmpeg_publish_and_read_gives_the_source_frames(string publishTransport, string readTransport)
    {
        string dir = TestPaths.NewTempDirectory();
        var sourceTask = FrameHashes.OfSourceAsync(Source, dir);
        await using var hub = await TestHub.StartAsync(output);

        await using var publisher = Publish(hub, "presenter", publishTransport);
        await hub.WaitForStreamAsync("presenter", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        string received = Path.Combine(dir, "received.framemd5");
        await using var reader = ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-y",
            "-rtsp_transport", readTransport, "-i", hub.Url("presenter"), "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", received);

        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        int readerExit = await reader.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine("reader stderr: " + ExternalProcess.Tail(reader.StandardError));
        Assert.Equal(0, readerExit);

        var source = await sourceTask;
        var frames = FrameHashes.Read(received);
        int start = FrameHashes.FindStart(source, frames);
        output.WriteLine($"source {source.Count} frames; received {frames.Count}, first at source frame {start}");
        Assert.True(start >= 0, "the first received frame is not a source frame");
        var (matched, missing, foreign) = FrameHashes.CompareInOrder(source, start, frames);
        output.WriteLine($"matched {matched}, missing {missing}, foreign {foreign}");
        for (int i = 0; i < frames.Count; i++)
        {
            if (!source.Contains(frames[i]))
            {
                output.WriteLine($"received frame {i} of {frames.Count} is not a source frame");
            }
        }

        Assert.Equal(0, foreign);
        Assert.True(frames.Count >= source.Count / 2, $"only {frames.Count} of {source.Count} frames arrived");
        if (publishTransport == "tcp" && readTransport == "tcp")
        {
            // Over TCP nothing may be missing: every frame from the first key frame to the end.
            Assert.Equal(0, missing);
            Assert.Equal(source.Count - start, matched);
        }
        else
        {
            Assert.True(missing <= source.Count / 50, $"{missing} frames missing over UDP on loopback");
        }
    }

    [Fact]
    public async Task Ffprobe_and_gstreamer_see_the_right_codecs_size_and_rate()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = Publish(hub, "probe", "tcp", loop: true);
        await hub.WaitForStreamAsync("probe", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        await using (var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-rtsp_transport", "tcp",
            "-show_entries", "stream=codec_name,width,height,sample_rate,channels", "-of", "compact", hub.Url("probe")))
        {
            Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            string text = ffprobe.StandardOutput;
            output.WriteLine(text);
            Assert.Contains("codec_name=h264|width=1280|height=720", text, StringComparison.Ordinal);
            Assert.Contains("codec_name=opus|sample_rate=48000", text, StringComparison.Ordinal);
        }

        // GStreamer's rtspsrc with its own depayloader and a real decoder: 60 decoded frames, then EOS.
        await using var gst = GstLaunch.Start(
            "rtspsrc", $"location={hub.Url("probe")}", "protocols=tcp", "latency=100", "!",
            "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!", "videoconvert", "!",
            "video/x-raw,format=I420,width=1280,height=720", "!", "fakesink", "num-buffers=60", "sync=false");
        await GstLaunch.AssertReachesEosAsync(gst, TimeSpan.FromSeconds(45), output);
    }

    /// <summary>ffmpeg publishing the presenter (or <paramref name="source"/>): H.264 copied, audio as Opus, or copied (AAC) with <paramref name="copyAudio"/>.</summary>
    /// <param name="loop">Loop the source until stopped.</param>
    /// <param name="repeat">Without loop: play the source this many more times, then end.</param>
    internal static ExternalProcess Publish(TestHub hub, string path, string transport, bool loop = false, string? source = null, bool copyAudio = false, int repeat = 0)
    {
        var args = new List<string> { "-v", "warning", "-nostdin", "-re" };
        if (loop || repeat > 0)
        {
            args.AddRange(["-stream_loop", loop ? "-1" : repeat.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["-i", source ?? Source, "-map", "0:v", "-map", "0:a", "-c:v", "copy"]);
        args.AddRange(copyAudio ? ["-c:a", "copy"] : ["-c:a", "libopus", "-b:a", "64k", "-ar", "48000"]);
        args.AddRange(["-f", "rtsp", "-rtsp_transport", transport, hub.Url(path)]);
        return ExternalProcess.Start("ffmpeg", [.. args]);
    }
}
