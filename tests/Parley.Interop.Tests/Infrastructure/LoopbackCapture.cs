namespace Parley.Interop.Tests.Infrastructure;

/// <summary>tshark capturing the loopback interface to a file, limited by a capture filter (BPF syntax).</summary>
public sealed class LoopbackCapture : IAsyncDisposable
{
    private readonly ExternalProcess _tshark;

    private LoopbackCapture(ExternalProcess tshark, string file)
    {
        _tshark = tshark;
        File = file;
    }

    /// <summary>The pcapng file being written.</summary>
    public string File { get; }

    /// <summary>Starts tshark and waits until it captures.</summary>
    public static async Task<LoopbackCapture> StartAsync(string file, string filter)
    {
        // env resets SIGINT to its default, so StopAsync's Ctrl-C reaches a tshark started from a background runner.
        var tshark = ExternalProcess.Start("tshark", "-i", "lo", "-w", file, "-f", filter);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!tshark.StandardError.Contains("Capturing on", StringComparison.Ordinal))
        {
            if (tshark.HasExited || DateTime.UtcNow > deadline)
            {
                tshark.Kill();
                throw new InvalidOperationException($"tshark did not start capturing: {tshark.StandardError}");
            }

            await Task.Delay(50);
        }

        return new LoopbackCapture(tshark, file);
    }

    /// <summary>Stops the capture (Ctrl-C, so tshark finishes the file) and returns the file's bytes.</summary>
    public async Task<byte[]> StopAsync()
    {
        await _tshark.InterruptAsync();
        await _tshark.WaitForExitAsync(TimeSpan.FromSeconds(15));
        return await System.IO.File.ReadAllBytesAsync(File);
    }

    public async ValueTask DisposeAsync() => await _tshark.DisposeAsync();
}
