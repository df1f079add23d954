using System.Diagnostics;
using System.Text.Json;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `parley view` as a user runs it, against real publishers: ffmpeg publishing presenter-720p.mp4 (H.264 copied,
/// audio as Opus) and the hub's JPEG + Opus demo; the recording, the statistics, errors and Ctrl-C.
/// </summary>
public sealed class ViewCommandTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");
    private static readonly string Source = TestPaths.Media("presenter-720p.mp4");

    [Theory]
    [InlineData("tcp")]
    [InlineData("udp")]
    public async Task Parley_view_plays_and_records_what_ffmpeg_publishes(string transport)
    {
        string dir = TestPaths.NewTempDirectory();
        // The source's frames are hashed first: decoding 720p with ffmpeg beside the view would compete with it for
        // the CPU, and a view starved at its start builds up a large jitter buffer it keeps for seconds.
        var once = await FrameHashes.OfSourceAsync(Source, dir);
        await using var hub = await TestHub.StartAsync(output);
        // Looped, so the stream outlasts the view even when a loaded machine is slow to start it.
        await using var publisher = FfmpegRelayTests.Publish(hub, "presenter", transport, loop: true);
        await hub.WaitForStreamAsync("presenter", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        string recording = Path.Combine(dir, "out.mkv");
        string stats = Path.Combine(dir, "s.json");
        await using var view = ExternalProcess.Start(Parley, "view", hub.Url("presenter"), "--transport", transport,
            "--output", recording, "--duration", "5", "--stats", stats, "--video-out", "null", "--audio-out", "null");
        int exit = await view.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(view.StandardOutput + ExternalProcess.Tail(view.StandardError, 8));
        Assert.Equal(0, exit);

        await using (var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height,sample_rate", "-of", "compact", recording))
        {
            Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(ffprobe.StandardOutput);
            Assert.Contains("codec_name=h264|width=1280|height=720", ffprobe.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("codec_name=opus|sample_rate=48000", ffprobe.StandardOutput, StringComparison.Ordinal);
        }

        // The recording holds the publisher's access units unchanged: decoded, they are the source's frames in order.
        var source = once.Concat(once).Concat(once).ToList(); // the loop repeats the file
        var frames = await FrameHashes.OfSourceAsync(recording, Directory.CreateDirectory(Path.Combine(dir, "recording")).FullName);
        int start = FrameHashes.FindStart(source, frames);
        var (matched, missing, foreign) = FrameHashes.CompareInOrder(source, Math.Max(start, 0), frames);
        output.WriteLine($"source {source.Count} frames; recorded {frames.Count} from source frame {start}: matched {matched}, missing {missing}, foreign {foreign}");
        Assert.True(start >= 0, "the first recorded frame is not a source frame");
        Assert.Equal(0, foreign);
        // Up to 5 s at 30 fps from the first key frame, less the start-up. The hub hands a new reader the publisher's
        // last sender report at PLAY, so the recording places frames by the sender's clock from the first one: it
        // holds every frame view received (checked against the statistics below), not just those after a wait.
        Assert.InRange(frames.Count, 30, 160);
        Assert.True(missing <= (transport == "tcp" ? 0 : 3), $"{missing} frames missing over {transport}");

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(stats));
        var streams = document.RootElement.GetProperty("streams");
        var video = streams[0];
        var audio = streams[1];
        Assert.Equal("H264", video.GetProperty("codec").GetString());
        Assert.Equal("OPUS", audio.GetProperty("codec").GetString());
        long received = video.GetProperty("frames").GetInt64();
        Assert.True(frames.Count >= received - 2, $"the recording holds {frames.Count} of the {received} frames view received");
        Assert.InRange(video.GetProperty("framesPerSecond").GetDouble(), 24, 33);
        Assert.InRange(audio.GetProperty("framesPerSecond").GetDouble(), 40, 52);
        Assert.True(video.GetProperty("bitrate").GetDouble() > 100_000);
        if (transport == "tcp")
        {
            Assert.Equal(0, video.GetProperty("lost").GetInt64());
            Assert.Equal(0, audio.GetProperty("lost").GetInt64());
        }
    }

    [Fact]
    public async Task Parley_view_measures_capture_to_render_latency_on_the_stamped_demo()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Demo.Enabled = true);
        string dir = TestPaths.NewTempDirectory();
        string stats = Path.Combine(dir, "s.json");
        await using var view = ExternalProcess.Start(Parley, "view", hub.Url("demo"), "--transport", "udp", "--duration", "4", "--stats", stats, "--video-out", "null", "--audio-out", "null");
        Assert.Equal(0, await view.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(view.StandardOutput + ExternalProcess.Tail(view.StandardError, 5));
        Assert.Contains("latency p50", view.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"video \d+(\.\d)? fps \d+ kbit/s loss \d+ jitter", view.StandardError);

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(stats));
        var video = document.RootElement.GetProperty("streams")[0];
        Assert.Equal("JPEG", video.GetProperty("codec").GetString());
        var latency = video.GetProperty("latency");
        Assert.True(latency.GetProperty("count").GetInt64() >= 50);
        double p50 = latency.GetProperty("p50Ms").GetDouble();
        double p95 = latency.GetProperty("p95Ms").GetDouble();
        double p99 = latency.GetProperty("p99Ms").GetDouble();
        Assert.InRange(p50, 0, 200);
        Assert.InRange(p95, p50, 1000);
        Assert.True(p99 >= p95);
        var audio = document.RootElement.GetProperty("streams")[1];
        Assert.True(audio.GetProperty("frames").GetInt64() > 100);
        Assert.InRange(audio.GetProperty("playoutDelayMs").GetDouble(), 1, 200);
    }

    [Fact]
    public async Task A_missing_path_or_an_unreachable_hub_exits_1_with_one_clear_line()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using (var missing = ExternalProcess.Start(Parley, "view", hub.Url("nothing-here"), "--duration", "2", "--video-out", "null", "--audio-out", "null"))
        {
            Assert.Equal(1, await missing.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            output.WriteLine(missing.StandardError);
            Assert.Contains("no stream at /nothing-here", missing.StandardError, StringComparison.Ordinal);
            Assert.Contains("404", missing.StandardError, StringComparison.Ordinal);
        }

        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using (var unreachable = ExternalProcess.Start(Parley, "view", $"rtsp://127.0.0.1:{closedPort}/demo", "--duration", "2", "--video-out", "null", "--audio-out", "null"))
        {
            Assert.Equal(1, await unreachable.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            output.WriteLine(unreachable.StandardError);
            Assert.Contains("cannot reach the hub", unreachable.StandardError, StringComparison.Ordinal);
        }

        await using var usage = ExternalProcess.Start(Parley, "view", hub.Url("demo"), "--transport", "carrier-pigeon");
        Assert.Equal(2, await usage.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Ctrl_c_stops_within_two_seconds_with_stats_written_and_the_recording_finished()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Demo.Enabled = true);
        string dir = TestPaths.NewTempDirectory();
        string stats = Path.Combine(dir, "s.json");
        string recording = Path.Combine(dir, "out.mkv");
        // env resets SIGINT to its default: a test runner started in the background may pass SIGINT down as ignored.
        await using var view = ExternalProcess.Start(Parley, "view", hub.Url("demo"), "--transport", "tcp",
            "--stats", stats, "--output", recording, "--video-out", "null", "--audio-out", "null");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!view.StandardError.Contains("video", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !view.HasExited)
        {
            await Task.Delay(100);
        }

        await Task.Delay(1000);
        var clock = Stopwatch.StartNew();
        await view.InterruptAsync();
        int exit = await view.WaitForExitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"stopped after {clock.ElapsedMilliseconds} ms\n{view.StandardOutput}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"view took {clock.ElapsedMilliseconds} ms to stop");
        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(stats));
        Assert.Equal("interrupted", document.RootElement.GetProperty("endReason").GetString());
        Assert.True(document.RootElement.GetProperty("streams")[0].GetProperty("frames").GetInt64() > 20);

        await using var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "compact", recording);
        Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(ffprobe.StandardOutput);
        Assert.Contains("codec_name=mjpeg", ffprobe.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("codec_name=opus", ffprobe.StandardOutput, StringComparison.Ordinal);
    }
}
