using Microsoft.Extensions.Logging;
using Parley.Hub;
using Parley.Hub.Configuration;
using Parley.Hub.Streams;
using Xunit.Abstractions;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>A real hub in the test process on free loopback ports, its log in the test output.</summary>
public sealed class TestHub : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;

    private readonly string? _ownDatabase;

    private readonly string? _ownCertificate;

    private TestHub(HubHost host, ILoggerFactory loggerFactory, XunitLoggerProvider log, string? ownDatabase, string? ownCertificate)
    {
        _ownCertificate = ownCertificate;
        Host = host;
        _loggerFactory = loggerFactory;
        Log = log;
        _ownDatabase = ownDatabase;
    }

    public HubHost Host { get; }

    public XunitLoggerProvider Log { get; }

    public int Port => Host.Rtsp.Port;

    public string Url(string path) => $"rtsp://127.0.0.1:{Port}/{path}";

    /// <summary>The hub's RTSPS port (RTSP over TLS).</summary>
    public int TlsPort => Host.Rtsp.TlsPort;

    /// <summary>An rtsps:// URL on the hub: TlsUrl("cam").</summary>
    public string TlsUrl(string path) => $"rtsps://127.0.0.1:{TlsPort}/{path}";

    /// <summary>The hub's HTTP port (web UI, players, API).</summary>
    public int HttpPort => Host.Web?.Port ?? throw new InvalidOperationException("http is disabled");

    /// <summary>An HTTP URL on the hub, from localhost (a secure context for the browser): WebUrl("demo").</summary>
    public string WebUrl(string path = "") => $"http://localhost:{HttpPort}/{path}";

    public static async Task<TestHub> StartAsync(ITestOutputHelper output, Action<HubOptions>? configure = null)
    {
        var options = new HubOptions();
        options.Rtsp.Address = System.Net.IPAddress.Loopback;
        options.Rtsp.Port = 0;
        options.Rtsp.RtpPort = 0;
        options.Demo.Enabled = false;
        options.Http.Address = System.Net.IPAddress.Loopback;
        options.Http.Port = 0;
        // HTTPS is on by default: a free port too.
        options.Http.TlsPort = 0;
        // WebRTC on a free loopback port, announced as 127.0.0.1 so a local browser reaches it (DESIGN.md §6).
        options.WebRtc.Address = System.Net.IPAddress.Loopback;
        options.WebRtc.UdpPort = 0;
        options.WebRtc.AdvertisedAddresses = [System.Net.IPAddress.Loopback];
        // Rooms' chat database: one per hub unless the test shares one across a restart.
        string database = Path.Combine(Path.GetTempPath(), $"parley-test-{Guid.NewGuid():N}.db");
        options.Rooms.Database = database;
        // RTSPS is on by default: a free port, and the generated certificate in the temporary folder, not the bin folder.
        options.Rtsp.TlsPort = 0;
        string certificate = Path.Combine(Path.GetTempPath(), $"parley-test-{Guid.NewGuid():N}.pfx");
        options.Tls.GeneratedCertificate = certificate;
        configure?.Invoke(options);
        var log = new XunitLoggerProvider(output);
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(log));
        var host = new HubHost(options, loggerFactory);
        await host.StartAsync();
        return new TestHub(host, loggerFactory, log, options.Rooms.Database == database ? database : null, options.Tls.GeneratedCertificate == certificate ? certificate : null);
    }

    /// <summary>Waits until a publisher's stream is live on <paramref name="path"/> (and has RTP on every track).</summary>
    public async Task<MediaStream> WaitForStreamAsync(string path, TimeSpan timeout, Func<bool>? publisherFailed = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var stream = await Host.Paths.FindStreamAsync(path);
            if (stream is not null && stream.Tracks.All(t => t.HasPackets))
            {
                return stream;
            }

            if (publisherFailed?.Invoke() == true)
            {
                throw new InvalidOperationException("the publisher exited before its stream went live");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no live stream on '{path}' within {timeout.TotalSeconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _loggerFactory.Dispose();
        if (Host.Auth is { } auth && auth.StateFile.StartsWith(Path.GetTempPath(), StringComparison.Ordinal))
        {
            File.Delete(auth.StateFile);
        }

        if (_ownCertificate is not null)
        {
            File.Delete(_ownCertificate);
        }

        if (_ownDatabase is not null)
        {
            foreach (string suffix in (string[])["", "-wal", "-shm"])
            {
                File.Delete(_ownDatabase + suffix);
            }
        }
    }
}
