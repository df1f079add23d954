using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.Codecs.Synthetic;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `parley call http://host/r/ROOM`: three native participants as real processes in one room of a real hub, each
/// publishing a different source and recording the other two, with two browsers on the room page beside them;
/// recordings are checked with ffprobe/ffmpeg, the stats show every remote stream reached the mixer, the browsers
/// draw every native participant's tile, chat from stdin and from a browser arrives in one order everywhere, a late
/// browser gets the history, presence follows a mute, a leave and a killed process, and Ctrl-C ends a call within
/// 2 s. Joining failures end with one line and exit code 1.
/// </summary>
public sealed class RoomCallTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    // Small and slow enough that three senders and six receivers share two busy cores.
    private static readonly string[] Media = ["--size", "320x240", "--fps", "15", "--video", "jpeg", "--video-out", "null", "--audio-out", "null"];

    // A JPEG tile of the room page: frames drawn by its player and a sample of its canvas.
    private static string JpegTile(string id) => $$"""
        () => { const p = document.querySelector(".tile[data-id='{{id}}'] parley-player"); if (!p || !p.stats) return null;
          const s = ({{WebPlayerTests.SampleCanvas}})(p.shadowRoot.querySelector('canvas'));
          return { frames: p.stats.framesDrawn, mean: s ? s.mean : 0, hash: s ? s.hash : 0 }; }
        """;

    public sealed record TileSample { public int Frames { get; init; } public double Mean { get; init; } public int Hash { get; init; } }

    [Fact]
    public async Task Three_native_participants_and_two_browsers_share_one_room()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, o => o.Rooms.Database = Path.Combine(dir, "rooms.db"));
        string room = $"http://127.0.0.1:{hub.HttpPort}/r/standup";
        string[] Args(string name, string source, params string[] more) =>
            ["call", room, "--name", name, "--source", source, "--output", Path.Combine(dir, $"{name.ToLowerInvariant()}.mkv"), "--stats", Path.Combine(dir, $"{name.ToLowerInvariant()}.json"), .. Media, .. more];

        // Two browsers join first as viewers who chat.
        await using var chromium = await Chromium.LaunchAsync();
        var dave = await chromium.NewPageAsync(output);
        await dave.GotoAsync(hub.WebUrl("r/standup?name=Dave"));
        var erin = await chromium.NewPageAsync(output);
        await erin.GotoAsync(hub.WebUrl("r/standup?name=Erin"));
        await RoomPageTests.WaitForPeopleAsync(dave, ["Dave", "Erin"], "both browsers in the room");

        // No --duration: every check below runs with all three live however slow the machine; then Bob and Alice
        // type /leave and Carol is stopped with SIGINT (see ViewCommandTests for env). Zed only joins to vanish without a word (SIGKILL).
        ExternalProcess Call(params string[] args) => ExternalProcess.Start(Parley, [.. args]);
        await using var alice = Call(Args("Alice", "test"));
        await using var bob = Call(Args("Bob", "file:" + TestPaths.Media("talking-head.avi")));
        await using var carol = Call(Args("Carol", "file:" + TestPaths.Media("presenter-720p.mp4")));
        await using var zed = ExternalProcess.Start(Parley, ["call", room, "--name", "Zed", "--source", "test", "--video", "none", "--video-out", "null", "--audio-out", "null"]);
        await WaitForAsync(bob, "joined room standup as bob", TimeSpan.FromSeconds(20));
        await WaitForAsync(carol, "joined room standup as carol", TimeSpan.FromSeconds(20));
        string[] everyone = ["Alice", "Bob", "Carol", "Dave", "Erin", "Zed"];
        foreach (var page in new[] { dave, erin })
        {
            await RoomPageTests.WaitForPeopleAsync(page, everyone, "everyone in the list");
        }

        // Zed's process dies: everyone sees Zed go within the 10 s the hub allows a dead connection.
        zed.Kill();
        await RoomPageTests.WaitForPeopleAsync(dave, everyone[..^1], "Zed gone after a SIGKILL");

        // Chat from a native participant and from a browser, in one order everywhere.
        await bob.WriteLineAsync("hello from bob");
        await RoomPageTests.WaitForMessagesAsync(dave, 1, "Bob's line at Dave");
        await RoomPageTests.SendQuicklyAsync(dave, "hello from dave", 2);
        var atDave = await RoomPageTests.WaitForMessagesAsync(dave, 3, "three messages at Dave");
        var atErin = await RoomPageTests.WaitForMessagesAsync(erin, 3, "three messages at Erin");
        Assert.Equal(atDave.Messages, atErin.Messages);
        Assert.Equal(["hello from bob", "hello from dave 1", "hello from dave 2"], atDave.Messages.Select(m => m.Text));

        // A late browser gets the same history.
        var fay = await chromium.NewPageAsync(output);
        await fay.GotoAsync(hub.WebUrl("r/standup?name=Fay"));
        var atFay = await RoomPageTests.WaitForMessagesAsync(fay, 3, "history at Fay");
        Assert.Equal(atDave.Messages, atFay.Messages);

        // Each native participant's stream draws in its tile in every browser (JPEG to a canvas), and keeps drawing:
        // more frames and a different picture a little later, in every page.
        foreach (var page in new[] { dave, erin, fay })
        {
            await page.BringToFrontAsync();
            foreach (string id in (string[])["alice", "bob", "carol"])
            {
                var first = await Chromium.WaitForAsync<TileSample?>(page, JpegTile(id), TimeSpan.FromSeconds(20), t => t is { Frames: > 5, Mean: > 20 }, $"{id}'s tile drawing");
                var later = await Chromium.WaitForAsync<TileSample?>(page, JpegTile(id), TimeSpan.FromSeconds(20),
                    t => t is { Mean: > 20 } && t.Frames >= first!.Frames + 10 && t.Hash != first.Hash, $"{id}'s tile still drawing after {first}");
                output.WriteLine($"{id}: {first} then {later}");
            }
        }

        await Chromium.ScreenshotAsync(dave, "room-three-natives-two-browsers", output);

        // A mute typed on Alice's side reaches the browsers, and what she sends from then on is silence (checked in
        // the recordings below).
        await alice.WriteLineAsync("/mute audio");
        string aliceMuted = "() => document.querySelector(\"#people .person[data-id='alice']\")?.dataset.audioMuted === 'true'";
        await Chromium.WaitForAsync<bool>(erin, aliceMuted, TimeSpan.FromSeconds(10), m => m, "Alice shown muted");
        await Task.Delay(2500);

        await bob.WriteLineAsync("/leave");
        int exitBob = await bob.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await alice.WriteLineAsync("/leave");
        int exitAlice = await alice.WaitForExitAsync(TimeSpan.FromSeconds(20));
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
        await RoomPageTests.WaitForPeopleAsync(dave, ["Dave", "Erin", "Fay"], "the native participants gone from the list");

        // The native participants printed the same chat in the same order (their own echo included), and presence.
        foreach (var process in new[] { alice, bob, carol })
        {
            string log = process.StandardOutput;
            int bobLine = log.IndexOf("Bob: hello from bob", StringComparison.Ordinal);
            int dave1 = log.IndexOf("Dave: hello from dave 1", StringComparison.Ordinal);
            int dave2 = log.IndexOf("Dave: hello from dave 2", StringComparison.Ordinal);
            Assert.True(bobLine >= 0 && dave1 > bobLine && dave2 > dave1, $"chat out of order or missing in {process.FileName}:\n{log}");
            Assert.Contains("Zed left (disconnected)", log, StringComparison.Ordinal);
        }

        Assert.Contains("Alice muted audio", carol.StandardOutput, StringComparison.Ordinal);
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
        if (who == "alice")
        {
            // Alice muted her microphone near the end: her last second is silence.
            double tail = Math.Sqrt(samples.TakeLast(16000).Average(s => (double)s * s));
            Assert.True(tail < 30, $"{file}: Alice's last second after /mute has RMS {tail:F0}");
        }

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
