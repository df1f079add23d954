using Microsoft.Playwright;

namespace Parley.WebBench;

/// <summary>Capture-to-screen latency of one player page, read from the stamped pixels by stamp-probe.js.</summary>
internal static class LatencyRun
{
    private const string ProbeState = "() => { const p = window.__parleyProbe; return p ? { source: p.source ?? '', count: p.samples.length, rejected: p.rejected, skipped: p.skipped } : null; }";

    private const string ProbeSamples = "() => { const p = window.__parleyProbe; return { samples: p.samples, playerDelays: p.playerDelays, newestAges: p.newestAges, aheadMs: p.aheadMs, rejected: p.rejected, skipped: p.skipped }; }";

    public static async Task<LatencyResult> MeasureAsync(Browser browser, string pageUrl, string path, int sampleCount, TimeSpan warmUp)
    {
        var page = await browser.OpenPlayerAsync(pageUrl, 1280, 800);
        try
        {
            await Browser.WaitPlayingAsync(page, TimeSpan.FromSeconds(30));
            await page.EvaluateAsync(Browser.StampCodecScript);
            await page.EvaluateAsync(Browser.ProbeScript);
            await WaitForSamplesAsync(page, 1, TimeSpan.FromSeconds(20), "the first stamp read back from the page");
            await Task.Delay(warmUp);
            await page.EvaluateAsync("() => window.__parleyProbe.reset()");
            var started = DateTime.UtcNow;
            // 30 fps: sampleCount frames take sampleCount / 30 s; allow three times that for dropped frames.
            await WaitForSamplesAsync(page, sampleCount, TimeSpan.FromSeconds(20 + (sampleCount / 10.0)), $"{sampleCount} stamped frames");
            double seconds = (DateTime.UtcNow - started).TotalSeconds;
            var raw = await page.EvaluateAsync<RawSamples>(ProbeSamples);
            var state = await page.EvaluateAsync<PlayerState?>(Browser.PlayerState);
            var screenshot = Path.Combine(Path.GetTempPath(), $"parley-webbench-{path}.png");
            await page.ScreenshotAsync(new() { Path = screenshot });
            return new LatencyResult(path, state?.Mode ?? "", Summary.Of(raw.Samples), Summary.Of(raw.PlayerDelays), Summary.Of(raw.NewestAges), Summary.Of(raw.AheadMs), raw.Rejected, raw.Skipped, seconds, state?.Jumps ?? 0, screenshot);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    internal static async Task WaitForSamplesAsync(IPage page, int count, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await page.EvaluateAsync<ProbeProgress?>(ProbeState);
            if (state is not null && state.Count >= count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} within {timeout.TotalSeconds:0} s: probe state {state}");
            }

            await Task.Delay(250);
        }
    }

    private sealed record ProbeProgress
    {
        public string Source { get; init; } = "";

        public int Count { get; init; }

        public int Rejected { get; init; }

        public int Skipped { get; init; }
    }

    private sealed record RawSamples
    {
        public double[] Samples { get; init; } = [];

        public double[] PlayerDelays { get; init; } = [];

        public double[] NewestAges { get; init; } = [];

        public double[] AheadMs { get; init; } = [];

        public int Rejected { get; init; }

        public int Skipped { get; init; }
    }
}

/// <summary>Latency of one path: what the pixels say, and what the player's own delay badge said at the same moments.</summary>
internal sealed record LatencyResult(string Path, string Mode, Summary Measured, Summary PlayerReported, Summary NewestReceivedAge, Summary BufferedAhead, int RejectedReads, int SkippedFrames, double Seconds, int Jumps, string Screenshot);

/// <summary>Order statistics of a sample set, milliseconds.</summary>
internal sealed record Summary(int Count, double Min, double P50, double P95, double P99, double Max, double Mean)
{
    public static Summary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new Summary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double[] sorted = [.. values.Order()];
        return new Summary(sorted.Length, sorted[0], Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted[^1], sorted.Average());
    }

    // Linear interpolation between closest ranks.
    private static double Percentile(double[] sorted, double p)
    {
        double rank = p * (sorted.Length - 1);
        int lower = (int)Math.Floor(rank);
        int upper = Math.Min(sorted.Length - 1, lower + 1);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (rank - lower));
    }
}
