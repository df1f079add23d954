using System.Diagnostics;
using Parley.Codecs.Synthetic;
using Parley.Interop.Tests.Infrastructure;
using TempDirectory = Parley.Media.Tests.Infrastructure.TempDirectory;
using TestMedia = Parley.Media.Tests.Infrastructure.TestMedia;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `parley send` as a user runs it, publishing to a real hub; what it publishes is checked by peers no one here wrote:
/// ffprobe, ffmpeg and GStreamer's own depayloaders (rtpjpegdepay, rtph264depay, rtpopusdepay).
/// </summary>
public sealed class SendCommandTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    [Theory]
    [InlineData("tcp")]
    [InlineData("udp")]
    public async Task Test_source_as_jpeg_and_opus_plays_in_ffprobe_and_gstreamer(string transport)
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var send = StartSend("test", hub.Url("cam"), "--transport", transport, "--duration", "60");
        await hub.WaitForStreamAsync("cam", TimeSpan.FromSeconds(20), () => send.HasExited);

        string probe = await ProbeAsync(hub.Url("cam"));
        Assert.Contains("codec_name=mjpeg|width=640|height=480", probe, StringComparison.Ordinal);
        Assert.Contains("codec_name=opus|sample_rate=48000", probe, StringComparison.Ordinal);

        await GstPlaysAsync(hub.Url("cam"), "rtpjpegdepay", "!", "jpegdec", "!", "videoconvert", "!", "video/x-raw,width=640,height=480", "!", "fakesink", "num-buffers=30", "sync=false");
        await GstPlaysAsync(hub.Url("cam"), "rtpopusdepay", "!", "opusdec", "!", "fakesink", "num-buffers=50", "sync=false");
        await StopAsync(send);
        Assert.Contains("video JPEG:", send.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_source_as_h264_plays_in_ffprobe_and_gstreamer()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var send = StartSend("test", hub.Url("h264"), "--video", "h264", "--transport", "tcp", "--key-int", "30", "--duration", "60");
        await hub.WaitForStreamAsync("h264", TimeSpan.FromSeconds(30), () => send.HasExited);

        string probe = await ProbeAsync(hub.Url("h264"));
        Assert.Contains("codec_name=h264|width=640|height=480", probe, StringComparison.Ordinal);
        Assert.Contains("codec_name=opus|sample_rate=48000", probe, StringComparison.Ordinal);
        await GstPlaysAsync(hub.Url("h264"), "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!", "videoconvert", "!", "video/x-raw,width=640,height=480", "!", "fakesink", "num-buffers=30", "sync=false");
        await StopAsync(send);
    }

    [Fact]
    public async Task With_listen_the_sender_serves_its_stream_itself_for_a_peer_to_play()
    {
        int port = FreeTcpPort();
        await using var send = StartSend("test", "--listen", $"127.0.0.1:{port}", "--rtsps-port", "0", "--path", "cam", "--transport", "tcp", "--duration", "60");
        string url = $"rtsp://127.0.0.1:{port}/cam";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!send.StandardOutput.Contains("publishing Test", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !send.HasExited)
        {
            await Task.Delay(100);
        }

        string probe = await ProbeAsync(url);
        Assert.Contains("codec_name=mjpeg|width=640|height=480", probe, StringComparison.Ordinal);
        Assert.Contains("codec_name=opus|sample_rate=48000", probe, StringComparison.Ordinal);
        await GstPlaysAsync(url, "rtpjpegdepay", "!", "jpegdec", "!", "fakesink", "num-buffers=30", "sync=false");
        await StopAsync(send);
    }

    [Fact]
    public async Task Jpeg_at_quality_90_arrives_within_35_db_of_the_source_frames()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var send = StartSend("test", hub.Url("q90"), "--quality", "90", "--audio", "none", "--transport", "tcp", "--duration", "60");
        await hub.WaitForStreamAsync("q90", TimeSpan.FromSeconds(20), () => send.HasExited);

        using var dir = new TempDirectory();
        string raw = Path.Combine(dir.Path, "frames.yuv");
        await using (var ffmpeg = ExternalProcess.Start("ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", hub.Url("q90"), "-frames:v", "20", "-f", "rawvideo", "-pix_fmt", "yuvj420p", raw))
        {
            Assert.Equal(0, await ffmpeg.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // yuvj420p: the JPEG samples as they are, no range conversion. Every received frame carries its frame number and capture time: render the very same source frame again.
        const int Width = 640, Height = 480;
        var pattern = new TestPatternGenerator(Width, Height, 30);
        var expected = new byte[pattern.FrameSize];
        byte[] frames = await File.ReadAllBytesAsync(raw);
        Assert.Equal(20 * pattern.FrameSize, frames.Length);
        for (int i = 0; i < 20; i++)
        {
            var frame = frames.AsSpan(i * pattern.FrameSize, pattern.FrameSize);
            Assert.True(TestPatternGenerator.TryReadStamp(frame[..(Width * Height)], Width, Height, out long number, out long unixMs), $"frame {i} has no readable stamp");
            pattern.Render(number, unixMs, expected);
            double psnr = TestMedia.Psnr(frame, expected);
            Assert.True(psnr >= 35, $"frame {number}: PSNR {psnr:F1} dB");
        }

        await StopAsync(send);
    }

    [Fact]
    public async Task The_sender_reconnects_by_itself_when_the_hub_restarts()
    {
        int port = FreeTcpPort();
        var hub = await TestHub.StartAsync(output, o => o.Rtsp.Port = port);
        await using var send = StartSend("test", $"rtsp://127.0.0.1:{port}/again", "--transport", "tcp", "--duration", "60");
        try
        {
            await hub.WaitForStreamAsync("again", TimeSpan.FromSeconds(20), () => send.HasExited);
        }
        finally
        {
            await hub.DisposeAsync();
        }

        await using var second = await TestHub.StartAsync(output, o => o.Rtsp.Port = port);
        var clock = Stopwatch.StartNew();
        try
        {
            await second.WaitForStreamAsync("again", TimeSpan.FromSeconds(15), () => send.HasExited);
        }
        catch (TimeoutException)
        {
            output.WriteLine(send.StandardOutput + send.StandardError);
            throw;
        }

        output.WriteLine($"published again after {clock.ElapsedMilliseconds} ms");
        await StopAsync(send);
        Assert.Contains("publishing to", send.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_dtx_silence_is_not_sent_and_the_stats_split_the_cost_per_stage()
    {
        using var dir = new TempDirectory();
        await using var hub = await TestHub.StartAsync(output);
        string silence = "gst:audiotestsrc is-live=true wave=silence ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1 ! audiobuffersplit output-buffer-duration=20/1000 ! appsink name=audio";
        await using var send = StartSend(silence, hub.Url("quiet"), "--video", "none", "--dtx", "--duration", "4", "--stats", dir.File("stats.json"));
        Assert.Equal(0, await send.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(send.StandardOutput + send.StandardError);
        using var stats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("stats.json")));
        var audio = stats.RootElement.GetProperty("streams")[0];
        long sent = audio.GetProperty("packets").GetInt64(), dtx = audio.GetProperty("dtxFrames").GetInt64();
        // Four seconds are 200 frames of 20 ms; DTX sends a comfort-noise update about every 400 ms.
        Assert.True(dtx > 120, $"{dtx} DTX frames");
        Assert.True(sent < 40, $"{sent} packets sent during silence");

        await using var tone = StartSend("test", hub.Url("tone"), "--duration", "3", "--stats", dir.File("tone.json"));
        Assert.Equal(0, await tone.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using var toneStats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("tone.json")));
        foreach (var stream in toneStats.RootElement.GetProperty("streams").EnumerateArray())
        {
            foreach (string stage in (string[])["captureMillisecondsPerFrame", "encodeMillisecondsPerFrame", "packetizeMillisecondsPerFrame", "sendMillisecondsPerFrame"])
            {
                Assert.True(stream.GetProperty(stage).GetDouble() > 0, $"{stream.GetProperty("mediaType")} {stage} is not measured");
            }
        }

        Assert.Contains("packetize", tone.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_say_what_went_wrong_with_a_non_zero_exit()
    {
        int closed = FreeTcpPort();
        await using (var unreachable = StartSend("test", $"rtsp://127.0.0.1:{closed}/x"))
        {
            Assert.Equal(1, await unreachable.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("parley send:", unreachable.StandardError, StringComparison.Ordinal);
        }

        await using var hub = await TestHub.StartAsync(output);
        await using var first = StartSend("test", hub.Url("taken"), "--duration", "60");
        await hub.WaitForStreamAsync("taken", TimeSpan.FromSeconds(20), () => first.HasExited);
        await using (var second = StartSend("test", hub.Url("taken")))
        {
            Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("already has a publisher", second.StandardError, StringComparison.Ordinal);
        }

        await using (var usage = StartSend("webcam", hub.Url("x")))
        {
            Assert.Equal(2, await usage.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("unknown source 'webcam'", usage.StandardError, StringComparison.Ordinal);
        }

        await using (var camera = StartSend("v4l2:/dev/video9", hub.Url("cam9")))
        {
            Assert.Equal(1, await camera.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("/dev/video9", camera.StandardError, StringComparison.Ordinal);
            Assert.Contains("parley devices", camera.StandardError, StringComparison.Ordinal);
        }

        await StopAsync(first);
    }

    private static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ExternalProcess StartSend(params string[] arguments) =>
        ExternalProcess.Start(Parley, ["send", .. arguments]);

    private async Task StopAsync(ExternalProcess send)
    {
        var clock = Stopwatch.StartNew();
        await send.InterruptAsync();
        int exit = await send.WaitForExitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine(send.StandardOutput + send.StandardError);
        Assert.Equal(0, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"send took {clock.ElapsedMilliseconds} ms to stop");
    }

    private async Task<string> ProbeAsync(string url)
    {
        await using var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name,width,height,sample_rate", "-of", "compact=p=0", url);
        Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(ffprobe.StandardOutput);
        return ffprobe.StandardOutput.Replace("\n", "|", StringComparison.Ordinal);
    }

    private async Task GstPlaysAsync(string url, params string[] chain)
    {
        await using var gst = GstLaunch.Start(["rtspsrc", $"location={url}", "protocols=tcp", "latency=100", "name=s", "s.", "!", .. chain]);
        await GstLaunch.AssertReachesEosAsync(gst, TimeSpan.FromSeconds(45), output);
    }
}
