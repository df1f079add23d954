using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.WebBench;

/// <summary>A `parley` child process (serve or send) whose output is kept for the error message when it fails.</summary>
internal sealed class ParleyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _readyMarker;

    private ParleyProcess(Process process, string? readyMarker)
    {
        _process = process;
        _readyMarker = readyMarker;
    }

    /// <summary>The process id, for /proc/PID/stat.</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="executable"/> and completes when a line containing <paramref name="readyMarker"/> appears.</summary>
    public static async Task<ParleyProcess> StartAsync(string executable, IEnumerable<string> arguments, string? readyMarker, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ParleyProcess(process, readyMarker);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._ready.TrySetException(new InvalidOperationException($"{Path.GetFileName(executable)} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}:\n{child.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (readyMarker is null)
        {
            child._ready.TrySetResult("");
        }

        try
        {
            await child._ready.Task.WaitAsync(timeout);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    /// <summary>Everything the process printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>A TCP port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            if (_lines.Count < 500)
            {
                _lines.Add(line);
            }
        }

        if (_readyMarker is not null && line.Contains(_readyMarker, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
