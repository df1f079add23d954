using System.Globalization;
using System.Text.Json;
using Parley.WebBench;

// Latency into the browser and hub CPU per browser viewer, for the JPEG (canvas) and H.264 (MSE) paths.
// With --webrtc vp8[,h264]: browser-to-browser latency over WHIP -> hub -> WHEP (WebRtcLatencyRun).
// Usage: dotnet run -c Release --project bench/Parley.WebBench -- [--parley PATH] [--samples 450] [--warmup 3]
//        [--counts 0,1,5,10,20] [--settle 4] [--window 12] [--paths jpeg,h264|none] [--audio opus|none] [--viewer player|sockets] [--skip-latency] [--skip-cpu]
//        [--webrtc vp8,h264] [--webrtc-seconds 30] [--playout-delay-hint S] [--out bench/results]
// See bench/web/README.md.
var options = Options.Parse(args);
string parley = options.Parley ?? Path.Combine(Options.RepositoryRoot, "src", "Parley.Cli", "bin", "Release", "net10.0", "parley");
if (!File.Exists(parley))
{
    Console.Error.WriteLine($"{parley} is missing: run `dotnet build src/Parley.Cli -c Release` first (bench/web/run.sh does).");
    return 2;
}

string loadBefore = File.ReadAllText("/proc/loadavg").Trim();
int rtspPort = ParleyProcess.FreePort(), httpPort = ParleyProcess.FreePort();
await using var hub = await ParleyProcess.StartAsync(parley,
    ["serve", "--address", "127.0.0.1", "--rtsp-port", rtspPort.ToString(CultureInfo.InvariantCulture), "--rtp-port", "0",
     "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--rtsps-port", "0", "--https-port", "0", "--webrtc-port", "0", "--no-demo", "--log-level", options.WebRtc.Length > 0 ? "information" : "warning"],
    null, TimeSpan.FromSeconds(5));
await WaitForPortAsync(httpPort, TimeSpan.FromSeconds(30));
await using var browser = await Browser.LaunchAsync();

var latencies = new List<LatencyResult>();
var cpu = new Dictionary<string, List<CpuPoint>>();
foreach (string video in options.Paths)
{
    // One sender per path, at 640x480 30 fps with Opus audio (or --audio none), over UDP on loopback.
    string path = "bench-" + video;
    await using var sender = await ParleyProcess.StartAsync(parley,
        ["send", "test", $"rtsp://127.0.0.1:{rtspPort}/{path}", "--video", video, "--size", "640x480", "--fps", "30", "--audio", options.Audio, "--log-level", "information"],
        "publishing", TimeSpan.FromSeconds(20));
    string pageUrl = $"http://localhost:{httpPort}/{path}";
    await Task.Delay(1000);

    if (!options.SkipLatency)
    {
        var result = await LatencyRun.MeasureAsync(browser, pageUrl, path, options.Samples, options.WarmUp);
        latencies.Add(result);
        Console.WriteLine($"{video}: {result.Mode} latency p50 {result.Measured.P50:0} ms, p95 {result.Measured.P95:0} ms over {result.Measured.Count} frames " +
            $"(player badge p50 {result.PlayerReported.P50:0} ms; {result.RejectedReads} unreadable reads, {result.SkippedFrames} frames never shown)");
    }

    if (!options.SkipCpu)
    {
        var points = cpu[video] = [];
        foreach (int n in options.Counts)
        {
            var point = await ViewerCpuRun.MeasureAsync(browser, pageUrl, options.Viewer == "sockets", n, hub.Id, sender.Id, options.Settle, options.Window);
            points.Add(point);
            Console.WriteLine($"{video}: N={n,2} hub {point.HubPercent,6:0.0}% sender {point.SenderPercent,5:0.0}% browser {point.BrowserPercent,6:0.0}% " +
                $"machine {point.MachinePercent,6:0.0}% | per page {point.MinRatePerPage:0.0}-{point.MeanRatePerPage:0.0}/s, reconnects {point.Reconnects}");
        }
    }

    if (sender.HasExited)
    {
        throw new InvalidOperationException($"the {video} sender exited early:\n{sender.Output}");
    }
}

var webrtc = new List<WebRtcLatencyResult>();
foreach (string codec in options.WebRtc)
{
    var settings = new WebRtcSettings(640, 480, 30, options.WarmUp, options.WebRtcDuration, options.PlayoutDelayHint);
    var result = await WebRtcLatencyRun.MeasureAsync(browser, $"http://localhost:{httpPort}/", codec, settings);
    webrtc.Add(result);
    Console.WriteLine($"webrtc {codec}: stamp to shown p50 {result.Measured.P50:0} ms, p95 {result.Measured.P95:0} ms, p99 {result.Measured.P99:0} ms over {result.Measured.Count} frames " +
        $"({result.ReceivedCodec} {result.Width}x{result.Height}); stamp to received p50 {result.Received.P50:0} ms; encode {result.EncodeMs:0.0} ms, jitter buffer {result.JitterBufferMs:0.0} ms, decode {result.DecodeMs:0.0} ms per frame; " +
        $"frames drawn {result.FramesDrawn}, encoded {result.FramesEncoded} ({result.KeyFramesEncoded} key), sent {result.FramesSent} in {result.PacketsSent} packets (limited by '{result.QualityLimitation}', target {result.TargetBitrate / 1000:0} kbit/s), hub ingest {result.HubFrameRate:0.0} fps, received {result.FramesReceived} in {result.PacketsReceived} packets, decoded {result.FramesDecoded}, dropped by the receiver {result.FramesDropped}; " +
        $"packets lost {result.PacketsLost}, NACKs {result.Nacks}, PLIs {result.Plis}; {result.SkippedFrames} stamps never shown, {result.RejectedReads} unreadable reads in {result.Seconds:0.0} s");
}

if (webrtc.Count > 0)
{
    // The hub's own account of each WHIP publisher and WHEP reader (packets, drops, SRTP failures), logged as they close.
    await Task.Delay(1000);
    foreach (string line in hub.Output.Split('\n').Where(l => l.Contains("whip", StringComparison.Ordinal) || l.Contains("whep", StringComparison.Ordinal) || l.Contains("reader", StringComparison.Ordinal)))
    {
        Console.WriteLine($"hub: {line.Trim()}");
    }
}

string loadAfter = File.ReadAllText("/proc/loadavg").Trim();
Directory.CreateDirectory(options.Out);
var run = new BenchRun(DateTime.UtcNow, Environment.ProcessorCount, CpuModel(), loadBefore, loadAfter, options.CommandLine, latencies, cpu, webrtc);
await File.WriteAllTextAsync(Path.Combine(options.Out, "web-latency.json"), JsonSerializer.Serialize(run, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
string markdown = Report.Render(run, options);
await File.WriteAllTextAsync(Path.Combine(options.Out, "web-latency-figures.md"), markdown);
Console.WriteLine(markdown);
return 0;

static async Task WaitForPortAsync(int port, TimeSpan timeout)
{
    var deadline = DateTime.UtcNow + timeout;
    while (true)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return;
        }
        catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}

static string CpuModel() =>
    File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
