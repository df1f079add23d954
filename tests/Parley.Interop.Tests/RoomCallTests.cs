using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Parley.Codecs.Synthetic;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `parley call http://host/r/ROOM`: three native participants as real processes in one room of a real hub, each
/// publishing a different source and recording the other two; recordings are checked with ffprobe/ffmpeg, the
/// stats show every remote stream reached the mixer, chat typed on one side's stdin reaches the others, and
/// Ctrl-C ends a call within 2 s. Joining failures end with one line and exit code 1.
/// </summary>
public sealed class RoomCallTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    // Small and slow enough that three senders and six receivers share two busy cores.
    private static readonly string[] Media = ["--size", "320x240", "--fps", "15", "--video", "jpeg", "--video-out", "null", "--audio-out", "null"];

    [Fact]
    public async Task Three_participants_each_record_the_other_two_with_video_and_audio_and_chat_reaches_everyone()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, o => o.Rooms.Database = Path.Combine(dir, "rooms.db"));
        string room = $"http://127.0.0.1:{hub.HttpPort}/r/standup";
        string[] Args(string name, string source, params string[] more) =>
            ["call", room, "--name", name, "--source", source, "--output", Path.Combine(dir, $"{name.ToLowerInvariant()}.mkv"), "--stats", Path.Combine(dir, $"{name.ToLowerInvariant()}.json"), .. Media, .. more];

        // Starting a process and its source takes seconds on two busy cores: 18 s leaves about 10 s with all three live.
        await using var alice = ExternalProcess.Start(Parley, Args("Alice", "test", "--duration", "18"));
        await using var bob = ExternalProcess.Start(Parley, Args("Bob", "file:" + TestPaths.Media("talking-head.avi"), "--duration", "18"));
        // Carol has no --duration: she is stopped with SIGINT (see ViewCommandTests for env).
        await using var carol = ExternalProcess.Start("/usr/bin/env", ["--default-signal=INT", Parley, .. Args("Carol", "file:" + TestPaths.Media("presenter-720p.mp4"))]);
        await WaitForAsync(bob, "joined room standup as bob", TimeSpan.FromSeconds(20));
        await WaitForAsync(carol, "joined room standup as carol", TimeSpan.FromSeconds(20));
        await bob.WriteLineAsync("hello from bob");

        int exitAlice = await alice.WaitForExitAsync(TimeSpan.FromSeconds(40));
        int exitBob = await bob.WaitForExitAsync(TimeSpan.FromSeconds(40));
        Assert.False(carol.HasExited, "carol ended on her own");
        var clock = Stopwatch.StartNew();
        await carol.InterruptAsync();
        int exitCarol = await carol.WaitForExitAsync(TimeSpan.FromSeconds(10));
        long stopMs = clock.ElapsedMilliseconds;
        output.WriteLine($"carol stopped {stopMs} ms after SIGINT");
        foreach (var (name, process) in new[] { ("alice", alice), ("bob", bob), ("carol", carol) })
        {
            output.WriteLine($"{name}:\n{process.StandardOutput}{ExternalProcess.Tail(process.StandardError, 6)}");
        }

        Assert.Equal(0, exitAlice);
        Assert.Equal(0, exitBob);
        Assert.Equal(0, exitCarol);
        Assert.True(stopMs < 2000, $"carol took {stopMs} ms to stop after Ctrl-C");

        // Chat typed on Bob's stdin was stored and sent to everyone; presence was printed.
        Assert.Contains("chat Bob: hello from bob", alice.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Bob: hello from bob", carol.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("chat Bob: hello from bob", bob.StandardOutput, StringComparison.Ordinal); // the echo
        Assert.Contains("Bob left (left)", carol.StandardOutput, StringComparison.Ordinal);

        var ids = new[] { "alice", "bob", "carol" };
        foreach (string self in ids)
        {
            AssertStats(Path.Combine(dir, self + ".json"), self, ids.Where(i => i != self).ToArray());
            foreach (string other in ids.Where(i => i != self))
            {
                await AssertRecordingAsync(Path.Combine(dir, $"{self}-{other}.mkv"), other, dir);
            }
        }
    }

    [Fact]
    public async Task An_unreachable_hub_and_a_full_room_end_with_one_line_and_exit_1()
    {
        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using (var unreachable = ExternalProcess.Start(Parley, ["call", $"http://127.0.0.1:{closedPort}/r/x", "--name", "a", "--source", "test", .. Media]))
        {
            Assert.Equal(1, await unreachable.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            output.WriteLine(unreachable.StandardError);
            Assert.Contains("parley call: cannot reach the hub at 127.0.0.1:", unreachable.StandardError, StringComparison.Ordinal);
            Assert.Single(unreachable.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, o =>
        {
            o.Rooms.Database = Path.Combine(dir, "rooms.db");
            o.Rooms.MaxParticipants = 1;
        });

        // The one place is taken by a client speaking the protocol from here.
        using var first = new ClientWebSocket();
        await first.ConnectAsync(new Uri($"ws://127.0.0.1:{hub.HttpPort}/r/small/ws"), CancellationToken.None);
        await first.SendAsync(Encoding.UTF8.GetBytes("""{"type":"join","name":"First"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        var welcome = await first.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Contains("\"welcome\"", Encoding.UTF8.GetString(buffer, 0, welcome.Count), StringComparison.Ordinal);

        await using var full = ExternalProcess.Start(Parley, ["call", $"http://127.0.0.1:{hub.HttpPort}/r/small", "--name", "Second", "--source", "test", .. Media]);
        Assert.Equal(1, await full.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        output.WriteLine(full.StandardError);
        Assert.Contains("parley call: cannot join room 'small': ", full.StandardError, StringComparison.Ordinal);
        Assert.Contains("(room-full)", full.StandardError, StringComparison.Ordinal);

        await using var usage = ExternalProcess.Start(Parley, ["call", $"http://127.0.0.1:{hub.HttpPort}/r/small", "--name", "x", "--peer", "y"]);
        Assert.Equal(2, await usage.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    // Each side's stats: it published video and audio, played both others, and their audio went into the mix.
    private void AssertStats(string path, string self, string[] others)
    {
        string json = File.ReadAllText(path);
        output.WriteLine($"{self}: {json.Length} bytes of stats");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(self, root.GetProperty("id").GetString());
        var sent = root.GetProperty("send").GetProperty("streams");
        Assert.True(sent[0].GetProperty("frames").GetInt64() > 30, $"{self} sent {sent[0].GetProperty("frames")} video frames");
        Assert.True(sent[1].GetProperty("packets").GetInt64() > 50, $"{self} sent {sent[1].GetProperty("packets")} audio packets");
        Assert.True(root.GetProperty("mixer").GetProperty("framesMixed").GetInt64() > 100);
        var participants = root.GetProperty("participants").EnumerateArray().ToList();
        foreach (string other in others)
        {
            var p = participants.Single(e => e.GetProperty("id").GetString() == other);
            Assert.EndsWith($"{self}-{other}.mkv", p.GetProperty("recording").GetString(), StringComparison.Ordinal);
            Assert.True(p.GetProperty("audioSamplesMixed").GetInt64() > 48000 * 2 * 2, $"{self} mixed {p.GetProperty("audioSamplesMixed")} samples of {other}");
            var streams = p.GetProperty("view").GetProperty("streams");
            Assert.True(streams[0].GetProperty("frames").GetInt64() >= 30, $"{self} played {streams[0].GetProperty("frames")} video frames of {other}");
            Assert.True(streams[1].GetProperty("frames").GetInt64() >= 100, $"{self} played {streams[1].GetProperty("frames")} audio frames of {other}");
        }
    }

    // A recording holds the other side's picture and sound: frame counts by ffprobe, and content that is theirs
    // (the test source's stamps decode; a file source's picture is not black and moves; the audio is not silent).
    private async Task AssertRecordingAsync(string file, string who, string dir)
    {
        Assert.True(File.Exists(file), $"{file} is missing");
        var times = await RecordingAnalysis.VideoFrameTimesAsync(file);
        var (samples, _) = await RecordingAnalysis.DecodeAudioAsync(file, dir, 16000);
        double rms = Math.Sqrt(samples.Average(s => (double)s * s));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(file)}: {times.Length} video frames, {samples.Length / 16000.0:F1} s of audio, RMS {rms:F0}"));
        Assert.True(times.Length >= 30, $"{file}: {times.Length} video frames");
        Assert.True(samples.Length >= 3 * 16000, $"{file}: {samples.Length / 16000.0:F1} s of audio");
        Assert.True(rms > 100, $"{file}: audio RMS {rms:F0} is silence");

        var luma = await RecordingAnalysis.DecodeVideoAsync(file, dir, 320, 240, "gray");
        if (who == "alice")
        {
            int stamped = luma.Count(f => TestPatternGenerator.TryReadStamp(f, 320, 240, out _, out _));
            Assert.True(stamped >= luma.Length * 9 / 10, $"{file}: {stamped} of {luma.Length} frames carry the test source's stamp");
        }
        else
        {
            double mean = luma.Average(f => f.Average(b => (double)b));
            int changes = luma.Zip(luma.Skip(1)).Count(pair => !pair.First.AsSpan().SequenceEqual(pair.Second));
            Assert.True(mean > 30, $"{file}: mean luma {mean:F0} is black");
            Assert.True(changes >= luma.Length / 2, $"{file}: only {changes} of {luma.Length} frames differ from the one before");
        }
    }

    private static async Task WaitForAsync(ExternalProcess process, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!process.StandardError.Contains(text, StringComparison.Ordinal) && !process.StandardOutput.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"'{text}' did not appear:\n{process.StandardOutput}{process.StandardError}");
            }

            await Task.Delay(100);
        }
    }
}
