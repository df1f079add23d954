using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Endpoint.Bench;
using Parley.Interop.Tests.Infrastructure;
using Parley.Rtsp.Client;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>The `parley` executable as a user runs it: serve with embedded defaults, the demo path, bench readers, Ctrl-C.</summary>
public sealed partial class ServeCommandTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    [Fact]
    public async Task Serve_runs_the_demo_and_stops_within_two_seconds_on_ctrl_c()
    {
        // env resets SIGINT to its default: a test runner started in the background may pass SIGINT down as ignored.
        await using var serve = ExternalProcess.Start(Parley, "serve", "--address", "127.0.0.1", "--rtsp-port", "0", "--rtsps-port", "0", "--rtp-port", "0", "--http-port", "0", "--https-port", "0", "--webrtc-port", "0");
        int port = await WaitForPortAsync(serve);

        var report = await ReaderLoad.RunAsync(new ReaderLoadOptions
        {
            Urls = [new Uri($"rtsp://127.0.0.1:{port}/demo")],
            Count = 2,
            Transport = RtspClientTransport.Tcp,
            Duration = TimeSpan.FromSeconds(2),
        });
        foreach (var reader in report.Readers)
        {
            Assert.Null(reader.Error);
            Assert.Equal(["video", "audio"], reader.Media.Select(m => m.MediaType));
            Assert.InRange(reader.Media[0].Totals.Frames, 30, 70); // 25 fps for 2 s
            Assert.InRange(reader.Media[1].Totals.Packets, 60, 140); // 20 ms Opus frames
            Assert.Equal(0, reader.Media[0].Totals.Lost);
        }

        var clock = Stopwatch.StartNew();
        await serve.InterruptAsync();
        int exitCode = await serve.WaitForExitAsync(TimeSpan.FromSeconds(5));
        output.WriteLine(serve.StandardOutput);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"serve took {clock.Elapsed.TotalMilliseconds:F0} ms to stop");
        Assert.Equal(0, exitCode);
        Assert.Contains("stopped", serve.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("udp")]
    public async Task Bench_readers_counts_what_every_reader_receives(string transport)
    {
        await using var serve = ExternalProcess.Start(Parley, "serve", "--address", "127.0.0.1", "--rtsp-port", "0", "--rtsps-port", "0", "--rtp-port", "0", "--http-port", "0", "--https-port", "0", "--webrtc-port", "0");
        int port = await WaitForPortAsync(serve);
        string json = Path.Combine(Path.GetTempPath(), $"parley-bench-{Guid.NewGuid():N}.json");
        try
        {
            await using var bench = ExternalProcess.Start(Parley, "bench", "readers", "--count", "3", "--transport", transport, "--duration", "2", "--json", json, $"rtsp://127.0.0.1:{port}/demo");
            int exitCode = await bench.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine(bench.StandardOutput + bench.StandardError);
            Assert.Equal(0, exitCode);
            Assert.Contains("readers: 3, failed: 0", bench.StandardOutput, StringComparison.Ordinal);

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var readers = document.RootElement.GetProperty("readers").EnumerateArray().ToList();
            Assert.Equal(3, readers.Count);
            foreach (var reader in readers)
            {
                var video = reader.GetProperty("media")[0];
                Assert.Equal("video", video.GetProperty("type").GetString());
                Assert.InRange(video.GetProperty("frames").GetInt64(), 30, 70);
                Assert.True(video.GetProperty("payloadBytes").GetInt64() > 100_000);
            }

            await using var missing = ExternalProcess.Start(Parley, "bench", "readers", "--duration", "1", $"rtsp://127.0.0.1:{port}/nothing-here");
            Assert.Equal(1, await missing.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("404", missing.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static async Task<int> WaitForPortAsync(ExternalProcess serve)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && !serve.HasExited)
        {
            var match = ListeningLine().Match(serve.StandardOutput);
            if (match.Success && serve.StandardOutput.Contains("hub running", StringComparison.Ordinal))
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"parley serve did not start:\n{serve.StandardOutput}\n{serve.StandardError}");
    }

    [GeneratedRegex(@"RTSP listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
