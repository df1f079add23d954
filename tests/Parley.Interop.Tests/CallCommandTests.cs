using System.Diagnostics;
using System.Text.Json;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `parley call` as two people run it, each side a separate process sending the stamped test source: directly (one
/// side listens with an in-process hub, the other calls it) and through a hub; both directions carry video and
/// audio, and the --stats file of each side holds what it sent and what it received from the other.
/// </summary>
public sealed class CallCommandTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    // Small and slow enough that four encoders and decoders share two busy cores.
    private static readonly string[] Media = ["--source", "test", "--size", "320x240", "--fps", "15", "--video-out", "null", "--audio-out", "null"];

    [Theory]
    [InlineData("tcp", "rtsp")]
    [InlineData("udp", "rtsp")]
    [InlineData("tcp", "rtsps")]
    [InlineData("udp", "rtsps")]
    public async Task A_direct_call_between_two_processes_works_both_ways(string transport, string scheme)
    {
        string dir = TestPaths.NewTempDirectory();
        string statsA = Path.Combine(dir, "a.json"), statsB = Path.Combine(dir, "b.json");
        int port = FreeTcpPort(), tlsPort = FreeTcpPort();
        // Both sides' pins and the listener's generated certificate stay in the test's folder.
        string knownHubs = Path.Combine(dir, "known_hubs");
        var environment = new Dictionary<string, string> { [global::Parley.Security.Pinning.KnownHubs.PathVariable] = knownHubs };
        // The listener outlives the caller, so a slow start on a busy machine still leaves both directions time.
        await using var a = ExternalProcess.Start(Parley, environment, ["call", "--listen", $"127.0.0.1:{port}", "--rtsps-port", $"{tlsPort}", "--name", "a", "--peer", "b", "--transport", transport, "--duration", "12", "--stats", statsA, .. Media]);
        await WaitForAsync(a, "the peer runs", TimeSpan.FromSeconds(20));
        string target = scheme == "rtsps" ? $"rtsps://127.0.0.1:{tlsPort}" : $"rtsp://127.0.0.1:{port}";
        await using var b = ExternalProcess.Start(Parley, environment, ["call", target, "--name", "b", "--peer", "a", "--transport", transport, "--duration", "8", "--stats", statsB, .. Media]);

        int exitA = await a.WaitForExitAsync(TimeSpan.FromSeconds(40));
        int exitB = await b.WaitForExitAsync(TimeSpan.FromSeconds(40));
        output.WriteLine($"a:\n{a.StandardOutput}{ExternalProcess.Tail(a.StandardError, 6)}\nb:\n{b.StandardOutput}{ExternalProcess.Tail(b.StandardError, 6)}");
        Assert.Equal(0, exitA);
        Assert.Equal(0, exitB);
        AssertReceivedFromPeer(statsA, "a", "b", transport);
        AssertReceivedFromPeer(statsB, "b", "a", transport);
        if (scheme == "rtsps")
        {
            // The caller pinned the listener's own certificate on first use, once for its sender and viewer together.
            using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(dir, "listen-tls.pfx"), null);
            Assert.Equal([$"127.0.0.1:{tlsPort} {(global::Parley.Security.Pinning.KnownHubs.Fingerprint(certificate))}"], File.ReadAllLines(knownHubs));
        }
    }

    [Fact]
    public async Task A_call_through_a_hub_works_both_ways_and_ctrl_c_ends_it_within_two_seconds()
    {
        await using var hub = await TestHub.StartAsync(output);
        string dir = TestPaths.NewTempDirectory();
        string statsAlice = Path.Combine(dir, "alice.json"), statsBob = Path.Combine(dir, "bob.json");
        // Bob calls first and waits for Alice; he has no --duration and is stopped with SIGINT (see ViewCommandTests for env).
        await using var bob = ExternalProcess.Start(Parley, ["call", hub.Url("room"), "--name", "bob", "--peer", "alice", "--stats", statsBob, .. Media]);
        await WaitForAsync(bob, "waiting for alice", TimeSpan.FromSeconds(20));
        await using var alice = ExternalProcess.Start(Parley, ["call", hub.Url("room"), "--name", "alice", "--peer", "bob", "--transport", "tcp", "--duration", "7", "--stats", statsAlice, .. Media]);

        int exitAlice = await alice.WaitForExitAsync(TimeSpan.FromSeconds(40));
        output.WriteLine($"alice:\n{alice.StandardOutput}{ExternalProcess.Tail(alice.StandardError, 6)}");
        Assert.Equal(0, exitAlice);
        Assert.False(bob.HasExited, "bob ended on his own");

        var clock = Stopwatch.StartNew();
        await bob.InterruptAsync();
        int exitBob = await bob.WaitForExitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"bob stopped after {clock.ElapsedMilliseconds} ms:\n{bob.StandardOutput}{ExternalProcess.Tail(bob.StandardError, 6)}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"bob took {clock.ElapsedMilliseconds} ms to stop");
        Assert.Equal(0, exitBob);
        AssertReceivedFromPeer(statsAlice, "alice", "bob", "tcp");
        AssertReceivedFromPeer(statsBob, "bob", "alice", "udp");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(statsBob));
        Assert.Equal("interrupted", document.RootElement.GetProperty("view").GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_a_taken_name_exits_1_with_one_line()
    {
        await using (var both = ExternalProcess.Start(Parley, "call", "rtsp://127.0.0.1:1/", "--listen", "127.0.0.1:0", "--name", "a"))
        {
            Assert.Equal(2, await both.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("not both", both.StandardError, StringComparison.Ordinal);
        }

        await using (var same = ExternalProcess.Start(Parley, "call", "rtsp://127.0.0.1:1/", "--name", "a", "--peer", "a"))
        {
            Assert.Equal(2, await same.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        await using var hub = await TestHub.StartAsync(output, o => o.Demo.Enabled = true);
        await using var taken = ExternalProcess.Start(Parley, ["call", hub.Url(""), "--name", "demo", "--peer", "x", "--duration", "5", .. Media]);
        Assert.Equal(1, await taken.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        output.WriteLine(taken.StandardError);
        Assert.Contains("parley call: ", taken.StandardError, StringComparison.Ordinal);
    }

    // Each side's stats: it sent video and audio, and received both from the peer, with capture-to-render latency
    // (the test source stamps capture times, carried by the sender reports).
    private void AssertReceivedFromPeer(string statsPath, string name, string peer, string transport)
    {
        string json = File.ReadAllText(statsPath);
        output.WriteLine($"{name}: {json.Length} bytes of stats");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(name, root.GetProperty("name").GetString());
        Assert.Equal(peer, root.GetProperty("peer").GetString());
        var sent = root.GetProperty("send").GetProperty("streams");
        Assert.True(sent[0].GetProperty("frames").GetInt64() > 30, $"{name} sent {sent[0].GetProperty("frames")} video frames");
        Assert.True(sent[1].GetProperty("packets").GetInt64() > 50, $"{name} sent {sent[1].GetProperty("packets")} audio packets");

        var view = root.GetProperty("view");
        Assert.EndsWith("/" + peer, view.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(transport, view.GetProperty("transport").GetString());
        var video = view.GetProperty("streams")[0];
        var audio = view.GetProperty("streams")[1];
        Assert.Equal("JPEG", video.GetProperty("codec").GetString());
        Assert.Equal("OPUS", audio.GetProperty("codec").GetString());
        Assert.True(video.GetProperty("frames").GetInt64() >= 10, $"{name} received {video.GetProperty("frames")} video frames from {peer}");
        Assert.True(audio.GetProperty("packets").GetInt64() >= 25, $"{name} received {audio.GetProperty("packets")} audio packets from {peer}");
        var latency = video.GetProperty("latency");
        Assert.Equal(JsonValueKind.Object, latency.ValueKind);
        Assert.True(latency.GetProperty("count").GetInt64() >= 10);
        Assert.InRange(latency.GetProperty("p50Ms").GetDouble(), 0, 3000);
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

    private static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
