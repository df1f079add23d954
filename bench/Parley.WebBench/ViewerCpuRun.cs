using Microsoft.Playwright;

namespace Parley.WebBench;

/// <summary>Hub CPU with N player pages (one browser, N pages) on one stream, sampled from /proc over a window.</summary>
internal static class ViewerCpuRun
{
    // A bare viewer: a WebSocket on /<path>/ws from a same-origin page without the player, counting messages, so the
    // browser's decode and render cost does not starve the hub's sending (the hub drops frames for slow sockets).
    private const string SocketViewer = """
        (url) => { window.__viewer = { frames: 0, segments: 0, reconnects: 0 }; const ws = new WebSocket(url); ws.binaryType = 'arraybuffer';
          ws.onmessage = (e) => { if (typeof e.data !== 'string') window.__viewer.frames++; }; ws.onclose = () => window.__viewer.reconnects++; }
        """;

    private const string SocketState = "() => window.__viewer ? { mode: 'socket', frames: window.__viewer.frames, segments: 0, reconnects: window.__viewer.reconnects } : null";

    public static async Task<CpuPoint> MeasureAsync(Browser browser, string pageUrl, bool bareSockets, int viewers, int hubPid, int senderPid, TimeSpan settle, TimeSpan window)
    {
        var pages = new List<IPage>();
        try
        {
            for (int i = 0; i < viewers; i++)
            {
                if (bareSockets)
                {
                    var uri = new Uri(pageUrl);
                    var page = await browser.OpenPlayerAsync(new Uri(uri, "/assets/style.css").ToString(), 640, 400);
                    await page.EvaluateAsync(SocketViewer, $"ws://{uri.Authority}{uri.AbsolutePath}/ws");
                    pages.Add(page);
                }
                else
                {
                    pages.Add(await browser.OpenPlayerAsync(pageUrl, 640, 400));
                }
            }

            foreach (var page in pages)
            {
                await Browser.WaitPlayingAsync(page, TimeSpan.FromSeconds(60), bareSockets ? SocketState : Browser.PlayerState);
            }

            await Task.Delay(settle);
            var before = await StatesAsync(pages, bareSockets);
            double hub0 = ProcCpu.ProcessSeconds(hubPid), sender0 = ProcCpu.ProcessSeconds(senderPid);
            double browser0 = ProcCpu.DescendantSeconds(Environment.ProcessId, "chrom");
            var machine0 = ProcCpu.MachineSeconds();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(window);
            double hub1 = ProcCpu.ProcessSeconds(hubPid), sender1 = ProcCpu.ProcessSeconds(senderPid);
            double browser1 = ProcCpu.DescendantSeconds(Environment.ProcessId, "chrom");
            var machine1 = ProcCpu.MachineSeconds();
            double seconds = clock.Elapsed.TotalSeconds;
            var after = await StatesAsync(pages, bareSockets);

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

    private static async Task<List<PlayerState>> StatesAsync(List<IPage> pages, bool bareSockets)
    {
        var states = new List<PlayerState>(pages.Count);
        foreach (var page in pages)
        {
            states.Add(await page.EvaluateAsync<PlayerState?>(bareSockets ? SocketState : Browser.PlayerState) ?? new PlayerState());
        }

        return states;
    }
}

/// <summary>One N: CPU in % of one core over the window, and how many frames (JPEG), video segments (MSE) or WebSocket messages (bare sockets) per second each page took in.</summary>
internal sealed record CpuPoint(int Viewers, double HubPercent, double SenderPercent, double BrowserPercent, double MachinePercent, double MinRatePerPage, double MeanRatePerPage, int Reconnects, double Seconds);
