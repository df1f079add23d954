using System.Text.RegularExpressions;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>Many readers, a stuck reader, and a publisher that vanishes, with real ffmpeg peers.</summary>
public sealed partial class FanOutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Twenty_tcp_readers_all_receive_every_frame()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output);
        // Twice through the 8 s file: starting twenty ffmpeg readers can take seconds on a loaded machine, and each
        // must still see more than half of the stream.
        await using var publisher = FfmpegRelayTests.Publish(hub, "many", "tcp", repeat: 1);
        await hub.WaitForStreamAsync("many", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        var readers = Enumerable.Range(0, 20).Select(i => ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-y",
            "-rtsp_transport", "tcp", "-i", hub.Url("many"), "-map", "0:v", "-c", "copy", "-f", "framemd5",
            Path.Combine(dir, $"r{i}.framemd5"))).ToList();
        try
        {
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            foreach (var reader in readers)
            {
                Assert.Equal(0, await reader.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }

        // Packet (access unit) hashes: every reader's list is the tail of the longest one, with nothing missing.
        var lists = Enumerable.Range(0, 20).Select(i => FrameHashes.Read(Path.Combine(dir, $"r{i}.framemd5"))).ToList();
        var longest = lists.MaxBy(l => l.Count)!;
        foreach (var list in lists)
        {
            Assert.True(list.Count > longest.Count / 2, $"a reader got only {list.Count} of {longest.Count} frames");
            Assert.Equal(longest.Skip(longest.Count - list.Count), list);
        }

        var left = hub.Log.Lines.Where(l => l.Contains("reader rtsp", StringComparison.Ordinal) && l.Contains(" left path", StringComparison.Ordinal)).ToList();
        Assert.Equal(20, left.Count);
        Assert.All(left, l => Assert.Contains(" 0 dropped, 0 skipped", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reader_that_stops_reading_drops_alone()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Paths.ReaderQueuePackets = 512);
        await using var publisher = FfmpegRelayTests.Publish(hub, "stuck", "tcp", loop: true);
        var stream = await hub.WaitForStreamAsync("stuck", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        // The queue holds a whole 720p key frame burst (about 100 packets) several times over.
        // A client that sets up TCP playback and then never reads: its socket buffers and then its queue fill.
        using var stuck = await RawRtspConnection.OpenAsync(hub.Port);
        string url = hub.Url("stuck");
        await stuck.SendAsync($"SETUP {url}/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
        var setup = await stuck.ReadResponseAsync();
        Assert.Equal(200, setup?.Status);
        string session = setup!.Header("Session")!.Split(';')[0];
        await stuck.SendAsync($"PLAY {url} RTSP/1.0\r\nCSeq: 2\r\nSession: {session}\r\n\r\n");
        Assert.Equal(200, (await stuck.ReadResponseAsync())?.Status);

        await using var good = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-y", "-rtsp_transport", "tcp",
            "-i", url, "-map", "0:v", "-t", "12", "-f", "null", "-");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long stuckDrops = 0;
        while (DateTime.UtcNow < deadline && stuckDrops == 0)
        {
            await Task.Delay(200);
            stuckDrops = stream.Readers.Where(r => r.Description.Contains(session, StringComparison.Ordinal)).Sum(r => r.PacketsDropped);
        }

        Assert.True(stuckDrops > 0, "the stuck reader never filled its queue");
        Assert.Equal(0, await good.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var goodLine = hub.Log.Lines.Last(l => l.Contains(" left path 'stuck'", StringComparison.Ordinal) && !l.Contains(session, StringComparison.Ordinal));
        output.WriteLine($"stuck reader dropped {stuckDrops}; good reader: {goodLine}");
        Assert.Contains(" 0 dropped, 0 skipped", goodLine, StringComparison.Ordinal);
        Assert.Equal(0, stream.MalformedPackets);
    }

    [Fact]
    public async Task Readers_end_cleanly_when_the_publisher_vanishes_and_the_path_can_be_published_again()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using (var first = FfmpegRelayTests.Publish(hub, "vanish", "tcp", loop: true))
        {
            await hub.WaitForStreamAsync("vanish", TimeSpan.FromSeconds(15), () => first.HasExited);
            await using var tcpReader = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-rtsp_transport", "tcp",
                "-i", hub.Url("vanish"), "-map", "0:v", "-c", "copy", "-f", "null", "-");
            await using var udpReader = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-rtsp_transport", "udp",
                "-i", hub.Url("vanish"), "-map", "0:v", "-c", "copy", "-f", "null", "-");
            await Task.Delay(3000);
            Assert.False(tcpReader.HasExited || udpReader.HasExited, "a reader ended before the publisher vanished");

            first.Kill(); // no TEARDOWN: the process is gone
            await tcpReader.WaitForExitAsync(TimeSpan.FromSeconds(15));
            await udpReader.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }

        Assert.Contains(hub.Log.Lines, l => PublisherLeft().IsMatch(l));
        await using var second = FfmpegRelayTests.Publish(hub, "vanish", "udp");
        await hub.WaitForStreamAsync("vanish", TimeSpan.FromSeconds(15), () => second.HasExited);
        await second.QuitAsync(TimeSpan.FromSeconds(5));
    }

    [GeneratedRegex(@"publisher rtsp .* left path 'vanish' .*ending 2 reader\(s\)")]
    private static partial Regex PublisherLeft();
}
