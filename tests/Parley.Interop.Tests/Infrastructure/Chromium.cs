using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>Debian's headless Chromium driven by Playwright (no browser download: ExecutablePath is set).</summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Where page screenshots are kept as test artifacts.</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots")).FullName;

    /// <param name="extraArgs">More command-line switches, e.g. the fake camera for WebRTC publishing.</param>
    public static async Task<Chromium> LaunchAsync(params string[] extraArgs)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required", .. extraArgs],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A new page of 1280x800 whose console and errors go to the test output.</summary>
    public async Task<IPage> NewPageAsync(ITestOutputHelper output, string colorScheme = "dark")
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, ColorScheme = colorScheme == "dark" ? ColorScheme.Dark : ColorScheme.Light });
        page.Console += (_, message) => Log(output, $"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => Log(output, $"page error: {error}");
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name, ITestOutputHelper output)
    {
        string path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine($"screenshot: {path}");
    }

    /// <summary>Polls <paramref name="expression"/> in the page until it is truthy; returns its last value.</summary>
    public static async Task<T> WaitForAsync<T>(IPage page, string expression, TimeSpan timeout, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value = await page.EvaluateAsync<T>(expression);
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} within {timeout.TotalSeconds} s; last value: {System.Text.Json.JsonSerializer.Serialize(value)}");
            }

            await Task.Delay(200);
            value = await page.EvaluateAsync<T>(expression);
        }

        return value;
    }

    private static void Log(ITestOutputHelper output, string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
