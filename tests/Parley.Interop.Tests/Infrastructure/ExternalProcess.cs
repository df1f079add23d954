using System.Diagnostics;
using System.Text;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>
/// A real third-party program (ffmpeg, ffprobe, gst-launch-1.0) started by a test and always stopped by it:
/// output captured, killed with its children on dispose.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ExternalProcess(Process process)
    {
        _process = process;
    }

    public string FileName => _process.StartInfo.ArgumentList[1];

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public static ExternalProcess Start(string fileName, params string[] arguments) => Start(fileName, new Dictionary<string, string>(), arguments);

    /// <summary>Starts a process with extra environment variables (PARLEY_KNOWN_HUBS for a test's own pins).</summary>
    public static ExternalProcess Start(string fileName, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        // Through env(1) with SIGINT back at its default: a test run started in the background (CI) ignores SIGINT,
        // and children inherit that, so InterruptAsync would do nothing. env execs the program: same PID.
        var info = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add(fileName);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var external = new ExternalProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (external._stdout) { external._stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (external._stderr) { external._stderr.AppendLine(e.Data); } } };
        process.Exited += (_, _) => external._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return external;
    }

    /// <summary>Waits for the process to exit; kills it and throws when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{FileName} did not exit within {timeout.TotalSeconds} s.\nstderr tail:\n{Tail(StandardError)}");
        }

        await _process.WaitForExitAsync(); // flush redirected output
        return _process.ExitCode;
    }

    /// <summary>Asks ffmpeg to stop cleanly ('q' on stdin), then kills it if it lingers.</summary>
    public async Task QuitAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            await _process.StandardInput.WriteAsync('q');
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
        }

        try
        {
            await _exited.Task.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            Kill();
        }
    }

    /// <summary>Types a line on the process's standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Sends SIGINT, what Ctrl-C in a terminal sends.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public static string Tail(string text, int lines = 25) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
    }
}
