using Microsoft.Playwright;

namespace Parley.WebBench;

/// <summary>Hub CPU with N player pages (one browser, N pages) on one stream, sampled from /proc over a window.</summary>
internal static class ViewerCpuRun
{
    public static async Task<CpuPoint> MeasureAsync(Browser browser, string pageUrl, int viewers, int hubPid, int senderPid, TimeSpan settle, TimeSpan window)
    {
        var pages = new List<IPage>();
        try
        {
            for (int i = 0; i < viewers; i++)
            {
                pages.Add(await browser.OpenPlayerAsync(pageUrl, 640, 400));
            }

            foreach (var page in pages)
            {
                await Browser.WaitPlayingAsync(page, TimeSpan.FromSeconds(60));
            }

            await Task.Delay(settle);
            var before = await StatesAsync(pages);
            double hub0 = ProcCpu.ProcessSeconds(hubPid), sender0 = ProcCpu.ProcessSeconds(senderPid);
            double browser0 = ProcCpu.DescendantSeconds(Environment.ProcessId, "chrom");
            var machine0 = ProcCpu.MachineSeconds();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(window);
            double hub1 = ProcCpu.ProcessSeconds(hubPid), sender1 = ProcCpu.ProcessSeconds(senderPid);
            double browser1 = ProcCpu.DescendantSeconds(Environment.ProcessId, "chrom");
            var machine1 = ProcCpu.MachineSeconds();
            double seconds = clock.Elapsed.TotalSeconds;
            var after = await StatesAsync(pages);

            // What each page received during the window: frames drawn (JPEG) or video segments appended (MSE), per second.
            double[] rates = [.. before.Zip(after, (b, a) => (a.Frames + a.Segments - b.Frames - b.Segments) / seconds)];
            double machineCores = (machine1.Busy - machine0.Busy) / seconds;
            return new CpuPoint(
                viewers,
                Percent(hub1 - hub0, seconds),
                Percent(sender1 - sender0, seconds),
                Percent(browser1 - browser0, seconds),
                100 * machineCores,
                rates.Length == 0 ? 0 : rates.Min(),
                rates.Length == 0 ? 0 : rates.Average(),
                after.Sum(s => s.Reconnects),
                seconds);
        }
        finally
        {
            foreach (var page in pages)
            {
                await page.CloseAsync();
            }
        }
    }

    private static double Percent(double cpuSeconds, double wallSeconds) => 100 * cpuSeconds / wallSeconds;

    private static async Task<List<PlayerState>> StatesAsync(List<IPage> pages)
    {
        var states = new List<PlayerState>(pages.Count);
        foreach (var page in pages)
        {
            states.Add(await page.EvaluateAsync<PlayerState?>(Browser.PlayerState) ?? new PlayerState());
        }

        return states;
    }
}

/// <summary>One N: CPU in % of one core over the window, and how many frames (or segments) per second each page took in.</summary>
internal sealed record CpuPoint(int Viewers, double HubPercent, double SenderPercent, double BrowserPercent, double MachinePercent, double MinRatePerPage, double MeanRatePerPage, int Reconnects, double Seconds);
