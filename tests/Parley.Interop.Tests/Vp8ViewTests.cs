using System.Globalization;
using System.Text.Json;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// VP8 end to end: ffmpeg (RFC 7741 payloader) publishes a libvpx-encoded a VP8 stream to the hub over RTSP, and
/// `parley view` plays it through GStreamer's vp8dec and records the frames it rebuilt into Matroska.
/// </summary>
public sealed class Vp8ViewTests(ITestOutputHelper output)
{
    private const int Width = 320, Height = 240;
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");
    private static readonly string Source = TestPaths.Media("talking-head.avi");

    [Fact]
    public async Task Parley_view_plays_and_records_a_vp8_stream_ffmpeg_publishes()
    {
        string dir = TestPaths.NewTempDirectory();
        // Encoded ahead, then published as is: a shared, loaded machine cannot be trusted to encode in real time.
        string vp8 = Path.Combine(dir, "source.webm");
        await using (var encoder = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-i", Source, "-an", "-vf", $"scale={Width}:{Height}",
            "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-g", "15", "-b:v", "600k", "-y", vp8))
        {
            Assert.Equal(0, await encoder.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        }

        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-re", "-stream_loop", "-1", "-i", vp8,
            "-c:v", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", hub.Url("vp8"));
        var stream = await hub.WaitForStreamAsync("vp8", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        Assert.Equal("VP8/90000", stream.CodecSummary);

        string recording = Path.Combine(dir, "out.mkv");
        string stats = Path.Combine(dir, "s.json");
        await using var view = ExternalProcess.Start(Parley, "view", hub.Url("vp8"), "--output", recording, "--duration", "5",
            "--stats", stats, "--video-out", "null", "--audio-out", "null");
        int exit = await view.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(view.StandardOutput + ExternalProcess.Tail(view.StandardError, 8));
        Assert.Equal(0, exit);

        // The renderer decoded what arrived, none undecodable: talking-head is 15 fps, and playing starts at the
        // first key frame (one a second), so the mean over a few seconds is somewhat below 15.
        string statsText = await File.ReadAllTextAsync(stats);
        output.WriteLine(statsText + ExternalProcess.Tail(publisher.StandardError, 5));
        using (var document = JsonDocument.Parse(statsText))
        {
            var video = document.RootElement.GetProperty("streams")[0];
            Assert.Equal("VP8", video.GetProperty("codec").GetString());
            Assert.Equal(0, video.GetProperty("decodeErrors").GetInt64());
            Assert.InRange(video.GetProperty("framesPerSecond").GetDouble(), 7, 17);
        }

        // The recording is VP8 at the published size; ffmpeg's own decoder reads every frame of it.
        await using (var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "compact", recording))
        {
            Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(ffprobe.StandardOutput);
            Assert.Contains($"codec_name=vp8|width={Width}|height={Height}", ffprobe.StandardOutput, StringComparison.Ordinal);
            int counted = int.Parse(ffprobe.StandardOutput.Split("nb_read_frames=")[1].Trim(), CultureInfo.InvariantCulture);
            Assert.InRange(counted, 25, 80);
        }

        // The pictures are the talking head, not black or broken: each recorded frame is close to a source frame.
        var received = await RecordingAnalysis.DecodeVideoAsync(recording, dir, Width, Height, "yuv420p");
        var source = await RecordingAnalysis.DecodeVideoAsync(Source, dir, Width, Height, "yuv420p", $"scale={Width}:{Height}");
        double[] psnr = RecordingAnalysis.PsnrAgainstBestSource(received, source, Width, Height);
        double meanLuma = received.Average(f => f.AsSpan(0, Width * Height).ToArray().Average(b => (double)b));
        output.WriteLine($"{received.Length} frames, mean luma {meanLuma:0.0}, PSNR min {psnr.Min():0.0} dB, mean {psnr.Average():0.0} dB");
        Assert.InRange(meanLuma, 40, 220);
        Assert.True(psnr.Min() > 25, $"a recorded frame is {psnr.Min():0.0} dB from every source frame");
    }

    // Chromium's fake camera, offered as VP8 only (the hub would answer H.264 when both are offered).
    private const string PublishVp8 = """
        async (path) => {
          const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
          const pc = new RTCPeerConnection(); window.whipPc = pc;
          const transceiver = pc.addTransceiver(media.getVideoTracks()[0], { direction: 'sendonly' });
          transceiver.setCodecPreferences(RTCRtpReceiver.getCapabilities('video').codecs.filter(c => c.mimeType === 'video/VP8'));
          await pc.setLocalDescription(await pc.createOffer());
          const response = await fetch('/' + path + '/whip', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
          const answer = await response.text();
          if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          return response.status + ' ' + answer;
        }
        """;

    [Fact]
    public async Task Parley_view_records_the_vp8_stream_chromium_publishes_over_whip()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output);
        await using var chromium = await Chromium.LaunchAsync("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl(""));
        string published = await page.EvaluateAsync<string>(PublishVp8, "browser");
        Assert.True(published.StartsWith("201 ", StringComparison.Ordinal), published);
        var stream = await hub.WaitForStreamAsync("browser", TimeSpan.FromSeconds(15));
        Assert.Equal("VP8/90000", stream.CodecSummary);

        string recording = Path.Combine(dir, "browser.mkv");
        string stats = Path.Combine(dir, "s.json");
        await using var view = ExternalProcess.Start(Parley, "view", hub.Url("browser"), "--output", recording, "--duration", "4",
            "--stats", stats, "--video-out", "null", "--audio-out", "null");
        int exit = await view.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(view.StandardOutput + ExternalProcess.Tail(view.StandardError, 8));
        Assert.Equal(0, exit);
        await page.EvaluateAsync("() => window.whipPc.close()");

        using (var document = JsonDocument.Parse(await File.ReadAllTextAsync(stats)))
        {
            var video = document.RootElement.GetProperty("streams")[0];
            Assert.Equal("VP8", video.GetProperty("codec").GetString());
            Assert.Equal(0, video.GetProperty("decodeErrors").GetInt64());
            Assert.True(video.GetProperty("frames").GetInt64() >= 10, $"{video.GetProperty("frames").GetInt64()} frames decoded");
        }

        await using var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "compact", recording);
        Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(ffprobe.StandardOutput);
        Assert.Contains("codec_name=vp8|width=640|height=480", ffprobe.StandardOutput, StringComparison.Ordinal);
        Assert.True(int.Parse(ffprobe.StandardOutput.Split("nb_read_frames=")[1].Trim(), CultureInfo.InvariantCulture) >= 10);

        // Chromium's fake camera is a dark moving pattern with bright markings: every decoded picture has both (not
        // a black or grey frame a broken decode gives), and the pictures change from frame to frame.
        var frames = await RecordingAnalysis.DecodeVideoAsync(recording, dir, 640, 480, "gray");
        Assert.All(frames, f => Assert.True(f.Max() - f.Min() >= 100, $"luma spans only {f.Min()}-{f.Max()}"));
        Assert.True(frames.Select(f => f.Average(b => (double)b)).Distinct().Count() > frames.Length / 2, "the recorded pictures do not change");
    }
}
