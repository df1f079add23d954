using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Rtsp.Tests.Client;

/// <summary>
/// Runs GStreamer's gst-rtsp-server (TestData/gst_rtsp_server.py under Debian's /usr/bin/python3) on a free
/// loopback port: /test plays a live H.264 test pattern, /record accepts a published H.264 stream.
/// </summary>
public sealed class GstRtspServerFixture : IAsyncLifetime
{
    private readonly List<string> _output = [];
    private Process? _process;

    public int Port { get; private set; }

    public string PlayUrl => $"rtsp://127.0.0.1:{Port}/test";

    public string RecordUrl => $"rtsp://127.0.0.1:{Port}/record";

    /// <summary>How many depayloaded buffers the /record pipeline has handed to its sink so far.</summary>
    public int RecordedBuffers
    {
        get
        {
            lock (_output)
            {
                return _output.Count(l => l.StartsWith("RECORDED ", StringComparison.Ordinal));
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join("\n", _output.TakeLast(30));
            }
        }
    }

    public async Task InitializeAsync()
    {
        Port = FreeTcpPort();
        var script = Path.Combine(AppContext.BaseDirectory, "TestData", "gst_rtsp_server.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, Port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("gst_rtsp_server.py exited before READY:\n" + Output));
                return;
            }

            lock (_output)
            {
                _output.Add(e.Data);
            }

            if (e.Data == "READY")
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _output.Add("stderr: " + e.Data);
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task WaitForRecordedAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (RecordedBuffers < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
