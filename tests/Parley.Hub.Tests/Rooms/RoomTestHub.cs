using System.Net;
using Microsoft.Extensions.Logging;
using Parley.Hub.Configuration;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Hub.Tests.Rooms;

/// <summary>A real hub on loopback port 0 with its chat database in a temporary folder, its log in the test output.</summary>
public sealed class RoomTestHub : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;

    private RoomTestHub(HubHost host, ILoggerFactory loggerFactory, string database)
    {
        Host = host;
        _loggerFactory = loggerFactory;
        Database = database;
    }

    public HubHost Host { get; }

    public string Database { get; }

    public Uri RoomUri(string room) => new($"ws://127.0.0.1:{Host.Web!.Port}/r/{room}/ws");

    public string RtspUrl(string path) => $"rtsp://127.0.0.1:{Host.Rtsp.Port}/{path}";

    /// <summary>Starts a hub; <paramref name="database"/> reuses a file (restart tests), otherwise a fresh one in <paramref name="folder"/>.</summary>
    public static async Task<RoomTestHub> StartAsync(ITestOutputHelper output, string folder, Action<HubOptions.RoomsSection>? configure = null, string? database = null)
    {
        var options = new HubOptions();
        options.Rtsp.Address = IPAddress.Loopback;
        options.Rtsp.Port = 0;
        options.Rtsp.RtpPort = 0;
        options.Http.Address = IPAddress.Loopback;
        options.Http.Port = 0;
        // HTTPS is on by default: a free port too.
        options.Http.TlsPort = 0;
        // WebRTC on a free loopback port, announced as 127.0.0.1 so a local browser reaches it (DESIGN.md §6).
        options.WebRtc.Address = System.Net.IPAddress.Loopback;
        options.WebRtc.UdpPort = 0;
        options.WebRtc.AdvertisedAddresses = [System.Net.IPAddress.Loopback];
        options.Demo.Enabled = false;
        options.Rtsp.TlsPort = 0;
        options.Tls.GeneratedCertificate = Path.Combine(folder, "parley-tls.pfx");
        options.Rooms.Database = database ?? Path.Combine(folder, "parley.db");
        configure?.Invoke(options.Rooms);
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new XunitLoggerProvider(output)));
        var host = new HubHost(options, loggerFactory);
        await host.StartAsync();
        return new RoomTestHub(host, loggerFactory, options.Rooms.Database);
    }

    public async Task<RoomClient> ConnectAsync(string room) => await RoomClient.ConnectAsync(RoomUri(room));

    /// <summary>Connects and joins; the welcome is returned and consumed.</summary>
    public async Task<(RoomClient Client, System.Text.Json.JsonElement Welcome)> JoinAsync(string room, string name)
    {
        var client = await ConnectAsync(room);
        await client.SendAsync(new { type = "join", name });
        var welcome = await client.ReceiveAsync("welcome");
        return (client, welcome);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
