using System.Globalization;
using System.Text;

namespace Parley.WebBench;

/// <summary>Everything one run measured, as written to web-latency.json.</summary>
internal sealed record BenchRun(DateTime When, int Cores, string Cpu, string LoadBefore, string LoadAfter, string Arguments,
    List<LatencyResult> Latency, Dictionary<string, List<CpuPoint>> ViewerCpu, List<WebRtcLatencyResult> WebRtc);

/// <summary>The figures of one run as Markdown tables (web-latency-figures.md).</summary>
internal static class Report
{
    public static string Render(BenchRun run, Options options)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Web benchmark figures ({run.When:yyyy-MM-dd HH:mm} UTC)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`bench/web/run.sh {run.Arguments}` (sender audio: {options.Audio}) on {run.Cores} cores ({run.Cpu}). /proc/loadavg before: `{run.LoadBefore}`, after: `{run.LoadAfter}`.");
        md.AppendLine();
        if (run.Latency.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Capture to screen, {options.Samples} stamped frames per path after a {options.WarmUp.TotalSeconds:0} s warm-up");
            md.AppendLine();
            md.AppendLine("| path | player mode | frames | p50 | p95 | p99 | min | max | mean | player badge p50 / p95 | frames never shown | unreadable reads | jumps |");
            md.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var r in run.Latency)
            {
                var m = r.Measured;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Path} | {r.Mode} | {m.Count} | {m.P50:0} ms | {m.P95:0} ms | {m.P99:0} ms | {m.Min:0} ms | {m.Max:0} ms | {m.Mean:0.0} ms | {r.PlayerReported.P50:0} / {r.PlayerReported.P95:0} ms | {r.SkippedFrames} | {r.RejectedReads} | {r.Jumps} |");
            }

            md.AppendLine();
            md.AppendLine("MSE breakdown at the same moments (p50 / p95): age of the newest video frame received by the page (encode, RTP, hub, WebSocket) and media buffered ahead of the playhead.");
            md.AppendLine();
            foreach (var r in run.Latency.Where(r => r.NewestReceivedAge.Count > 0))
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"- {r.Path}: newest received {r.NewestReceivedAge.P50:0} / {r.NewestReceivedAge.P95:0} ms; buffered ahead {r.BufferedAhead.P50:0} / {r.BufferedAhead.P95:0} ms; shown {r.Measured.P50:0} / {r.Measured.P95:0} ms.");
            }

            md.AppendLine();
        }

        if (run.WebRtc.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Browser to browser over WebRTC (canvas -> WHIP -> hub -> WHEP -> <video>), {options.WebRtcDuration.TotalSeconds:0} s after a {options.WarmUp.TotalSeconds:0} s warm-up");
            md.AppendLine();
            md.AppendLine("| path | codec | size | frames | p50 | p95 | p99 | min | max | stamp to received p50 / p95 | encode | jitter buffer | decode | frames never shown | unreadable reads |");
            md.AppendLine("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var r in run.WebRtc)
            {
                var m = r.Measured;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Path} | {r.ReceivedCodec} | {r.Width}x{r.Height} | {m.Count} | {m.P50:0} ms | {m.P95:0} ms | {m.P99:0} ms | {m.Min:0} ms | {m.Max:0} ms | {r.Received.P50:0} / {r.Received.P95:0} ms | {r.EncodeMs:0.0} ms | {r.JitterBufferMs:0.0} ms | {r.DecodeMs:0.0} ms | {r.SkippedFrames} | {r.RejectedReads} |");
            }

            md.AppendLine();
        }

        foreach (var (video, points) in run.ViewerCpu)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Hub CPU per browser viewer ({options.Viewer}), {video} ({options.Window.TotalSeconds:0} s window after {options.Settle.TotalSeconds:0} s settling; % of one core)");
            md.AppendLine();
            md.AppendLine("| pages | hub | sender | browser (all Chromium processes) | whole machine | others | frames or messages/s per page (min / mean) | reconnects |");
            md.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var p in points)
            {
                double others = p.MachinePercent - p.HubPercent - p.SenderPercent - p.BrowserPercent;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {p.Viewers} | {p.HubPercent:0.0}% | {p.SenderPercent:0.0}% | {p.BrowserPercent:0.0}% | {p.MachinePercent:0.0}% | {others:0.0}% | {p.MinRatePerPage:0.0} / {p.MeanRatePerPage:0.0} | {p.Reconnects} |");
            }

            md.AppendLine();
            var viewers = points.Where(p => p.Viewers > 0).ToList();
            md.AppendLine(CultureInfo.InvariantCulture, $"Least-squares slope of hub CPU over N (N ≥ 1): **{Slope(viewers, p => p.HubPercent):0.00}% of a core per viewer**; " +
                $"over all points: {Slope(points, p => p.HubPercent):0.00}%. Browser slope: {Slope(viewers, p => p.BrowserPercent):0.0}% per page.");
            md.AppendLine();
        }

        return md.ToString();
    }

    private static double Slope(List<CpuPoint> points, Func<CpuPoint, double> y)
    {
        if (points.Count < 2)
        {
            return double.NaN;
        }

        double mx = points.Average(p => p.Viewers), my = points.Average(y);
        double sxx = points.Sum(p => (p.Viewers - mx) * (p.Viewers - mx));
        return sxx == 0 ? double.NaN : points.Sum(p => (p.Viewers - mx) * (y(p) - my)) / sxx;
    }
}
