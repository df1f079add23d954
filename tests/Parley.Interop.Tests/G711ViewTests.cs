using System.Text.Json;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `parley view` on what an IP camera sends: ffmpeg publishes H.264 with G.711 audio (PCMU or PCMA, 8000 Hz mono,
/// 20 ms packets) to a real hub over RTSP; view plays both tracks and records them, the G.711 as it came.
/// </summary>
public sealed class G711ViewTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    [Theory]
    [InlineData("pcm_mulaw", "PCMU")]
    [InlineData("pcm_alaw", "PCMA")]
    public async Task Parley_view_plays_and_records_h264_with_g711_that_ffmpeg_publishes(string encoder, string codec)
    {
        string dir = TestPaths.NewTempDirectory();
        string camera = Path.Combine(dir, "camera.mkv");

        // Encoded ahead, then published with -re -c copy: no real-time encoding on a loaded machine. asetnsamples after
        // the resampling to 8000 Hz makes 160-sample (20 ms) audio packets, which ffmpeg's RTP muxer sends one per RTP packet.
        await using (var encode = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-y", "-i", TestPaths.Media("talking-head.avi"),
            "-vf", "scale=320:240", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-pix_fmt", "yuv420p",
            "-af", "aresample=8000,asetnsamples=n=160:p=0", "-c:a", encoder, "-ar", "8000", "-ac", "1", camera))
        {
            Assert.True(await encode.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, encode.StandardError);
        }

        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = FfmpegRelayTests.Publish(hub, "camera", "tcp", loop: true, source: camera, copyAudio: true);
        await hub.WaitForStreamAsync("camera", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        string recording = Path.Combine(dir, "out.mkv");
        string stats = Path.Combine(dir, "s.json");
        await using var view = ExternalProcess.Start(Parley, "view", hub.Url("camera"), "--transport", "tcp", "--duration", "5", "--stats", stats,
            "--output", recording, "--video-out", "null", "--audio-out", "null");
        int exit = await view.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(view.StandardOutput + ExternalProcess.Tail(view.StandardError, 8));
        Assert.Equal(0, exit);
        Assert.Matches($@"audio {codec}: [1-9]\d* frames", view.StandardOutput);

        using (var document = JsonDocument.Parse(await File.ReadAllTextAsync(stats)))
        {
            var streams = document.RootElement.GetProperty("streams");
            Assert.Equal("H264", streams[0].GetProperty("codec").GetString());
            var audio = streams[1];
            Assert.Equal("audio", audio.GetProperty("media").GetString());
            Assert.Equal(codec, audio.GetProperty("codec").GetString());
            Assert.InRange(audio.GetProperty("framesPerSecond").GetDouble(), 35, 55); // 20 ms packets: 50/s
            Assert.Equal(0, audio.GetProperty("lost").GetInt64());
            Assert.Equal(0, audio.GetProperty("decodeErrors").GetInt64());
            Assert.InRange(audio.GetProperty("jitterMs").GetDouble(), 0, 200); // measured at 8000 Hz, reported in ms
            Assert.True(audio.GetProperty("bitrate").GetDouble() is > 50_000 and < 80_000, "G.711 is 64 kbit/s");
        }

        await using var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels", "-of", "compact", recording);
        Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(ffprobe.StandardOutput);
        Assert.Contains("codec_name=h264", ffprobe.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"codec_name={encoder}|sample_rate=8000|channels=1", ffprobe.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recording_g711_to_mp4_is_refused_with_one_clear_line()
    {
        string dir = TestPaths.NewTempDirectory();
        string camera = Path.Combine(dir, "camera.mkv");
        await using (var encode = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-y", "-i", TestPaths.Media("talking-head.avi"),
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-pix_fmt", "yuv420p",
            "-af", "aresample=8000,asetnsamples=n=160:p=0", "-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1", camera))
        {
            Assert.True(await encode.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, encode.StandardError);
        }

        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = FfmpegRelayTests.Publish(hub, "camera", "tcp", loop: true, source: camera, copyAudio: true);
        await hub.WaitForStreamAsync("camera", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        string recording = Path.Combine(dir, "out.mp4");
        await using var view = ExternalProcess.Start(Parley, "view", hub.Url("camera"), "--duration", "5", "--output", recording, "--video-out", "null", "--audio-out", "null");
        int exit = await view.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(view.StandardError);
        Assert.NotEqual(0, exit);
        Assert.Contains("MP4 muxer does not carry G.711", view.StandardError, StringComparison.Ordinal);
        Assert.Contains(".mkv", view.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(recording) && new FileInfo(recording).Length > 0, "no half-written MP4 is left behind");
    }
}
