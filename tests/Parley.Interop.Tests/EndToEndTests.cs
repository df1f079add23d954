using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;
using TempDirectory = Parley.Media.Tests.Infrastructure.TempDirectory;
using TestMedia = Parley.Media.Tests.Infrastructure.TestMedia;

namespace Parley.Interop.Tests;

/// <summary>
/// The whole chain as users run it: `parley send` (a real process) publishes to a hub, `parley view` (another
/// process) records what it receives without re-encoding, and ffmpeg decodes the recording to compare it with
/// what was sent: picture (PSNR), speech (cross-correlation) and lip sync (beeps against stamped frames).
/// </summary>
public sealed class EndToEndTests(ITestOutputHelper output)
{
    private const int Width = 640, Height = 480;
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    [Theory]
    // JPEG at quality 90: the issue's 35 dB (measured here: worst frame 40.3 dB, mean 40.7).
    [InlineData("jpeg", 35.0)]
    // x264 (zerolatency, the default 2000 kbit/s) on a 4x upscaled 160x120 clip is far from bitrate-starved:
    // measured worst frame 38.8 dB, mean 39.9, so the same 35 dB holds with margin for key-frame dips.
    [InlineData("h264", 35.0)]
    public async Task Talking_head_and_speech_arrive_as_sent(string video, double minimumPsnr)
    {
        using var dir = new TempDirectory();
        string clip = TestMedia.MediaFile("talking-head.avi");
        string speech = TestMedia.MediaFile("speech-16k.wav");
        string recording = await SendAndRecordAsync(dir, $"file:{clip}+file:{speech}", "--size", $"{Width}x{Height}", "--loop", "--video", video, "--quality", "90");

        // The picture: each received frame against the source frame (scaled by ffmpeg) it matches best. Both are
        // decoded to their own sample format (the clip is MJPEG, yuvj420p), so ffmpeg converts no range: the
        // sender hands the decoded samples unchanged to libturbojpeg or x264, and that is what is compared.
        var source = await RecordingAnalysis.DecodeVideoAsync(clip, dir.Path, Width, Height, "yuvj420p", $"scale={Width}:{Height}");
        var received = await RecordingAnalysis.DecodeVideoAsync(recording, dir.Path, Width, Height, video == "jpeg" ? "yuvj420p" : "yuv420p");
        Assert.True(received.Length >= 30, $"only {received.Length} frames recorded");
        double[] psnr = RecordingAnalysis.PsnrAgainstBestSource(received, source, Width, Height);
        output.WriteLine($"{video}: {received.Length} frames, PSNR min {psnr.Min():F2} mean {psnr.Average():F2} max {psnr.Max():F2} dB");
        Assert.True(psnr.Min() >= minimumPsnr, $"worst frame {psnr.Min():F2} dB < {minimumPsnr} dB");

        // The speech: two seconds of the recording line up with the source wav.
        var (audio, _) = await RecordingAnalysis.DecodeAudioAsync(recording, dir.Path, 16000);
        var (wav, _) = await RecordingAnalysis.DecodeAudioAsync(speech, dir.Path, 16000);
        Assert.True(audio.Length >= 3 * 16000, $"only {audio.Length / 16000.0:F1} s of audio recorded");
        var (correlation, offset) = RecordingAnalysis.BestCorrelation(audio.AsSpan(16000, 2 * 16000), wav);
        output.WriteLine($"audio: {audio.Length / 16000.0:F2} s, correlation {correlation:F3} at source {offset / 16000.0:F3} s");
        Assert.True(correlation >= CorrelationBound, $"audio correlation {correlation:F3} < {CorrelationBound}");
    }

    [Fact]
    public async Task The_recording_keeps_audio_and_video_within_40_ms()
    {
        using var dir = new TempDirectory();
        string recording = await SendAndRecordAsync(dir, "test", "--video", "jpeg");

        var luma = await RecordingAnalysis.DecodeVideoAsync(recording, dir.Path, Width, Height, "gray");
        var times = await RecordingAnalysis.VideoFrameTimesAsync(recording);
        var seconds = RecordingAnalysis.StampedSecondTimes(luma, times, Width, Height);
        var (audio, start) = await RecordingAnalysis.DecodeAudioAsync(recording, dir.Path, 48000);
        // The recording's audio and video need not start at the same moment: a beep heard before the first
        // second the picture shows starting (or after the last) has no stamped second to pair with. Each beep
        // within the picture's span belongs to the nearest whole capture second on the picture (they are 1 s
        // apart, the offset is far smaller).
        var beeps = RecordingAnalysis.BeepOnsets(audio, 48000, start)
            .Where(b => seconds.Count > 0 && b > seconds.Values.Min() - 0.5 && b < seconds.Values.Max() + 0.5).ToList();
        Assert.True(seconds.Count >= 3 && beeps.Count >= 3, $"{seconds.Count} stamped seconds, {beeps.Count} beeps within them");

        var offsets = beeps.Select(b => (b - seconds.Values.MinBy(t => Math.Abs(t - b))) * 1000).ToList();
        output.WriteLine($"A/V offset (audio later +): {string.Join(", ", offsets.Select(o => o.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        Assert.All(offsets, o => Assert.InRange(o, -40, 40));
    }

    /// <summary>
    /// Normalised cross-correlation a recording must reach against the source speech. Opus at 48 kbit/s of the
    /// 16 kHz speech, back at 16 kHz, measured 0.945 here. 0.7 leaves room for codec variation; silence, a tone,
    /// or speech displaced or garbled by more than a few ms cannot reach it over two seconds (32000 samples).
    /// </summary>
    private const double CorrelationBound = 0.7;

    private async Task<string> SendAndRecordAsync(TempDirectory dir, string source, params string[] sendOptions)
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var send = ExternalProcess.Start(Parley, ["send", source, hub.Url("e2e"), "--transport", "tcp", "--duration", "60", .. sendOptions]);
        await hub.WaitForStreamAsync("e2e", TimeSpan.FromSeconds(30), () => send.HasExited);

        string recording = dir.File("out.mkv");
        await using (var view = ExternalProcess.Start(Parley, "view", hub.Url("e2e"), "--transport", "tcp", "--output", recording, "--duration", "10", "--video-out", "null", "--audio-out", "null"))
        {
            int exit = await view.WaitForExitAsync(TimeSpan.FromSeconds(40));
            output.WriteLine(view.StandardOutput + ExternalProcess.Tail(view.StandardError, 4));
            Assert.Equal(0, exit);
        }

        await send.InterruptAsync();
        Assert.Equal(0, await send.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        output.WriteLine(ExternalProcess.Tail(send.StandardOutput, 4));
        return recording;
    }
}
