using Microsoft.Extensions.Logging;
using Parley.Hub.Auth;
using Parley.Hub.Configuration;
using Parley.Hub.Demo;
using Parley.Hub.Paths;
using Parley.Hub.Protocols.Rtsp;
using Parley.Hub.Protocols.WebRtc;
using Parley.Hub.Rooms;
using Parley.Hub.Streams;
using Parley.Hub.Tls;
using Parley.Hub.Web;
using Parley.Rtsp.Server;
using Parley.WebRtc.Ice;

namespace Parley.Hub;

/// <summary>
/// The hub as one object: the paths, the protocol servers over them and the built-in demo. `parley serve` and the
/// tests create one, start it, and dispose it to stop (within 2 s).
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly HubOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private DemoPublisher? _demo;
    private readonly TimeProvider _time;
    private readonly bool _certificateGenerated;

    /// <summary>Creates a hub with <paramref name="options"/>; nothing listens until <see cref="StartAsync"/>.</summary>
    public HubHost(HubOptions options, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<HubHost>();
        var clock = time ?? TimeProvider.System;
        _time = clock;
        Packets = new MediaPacketPool();
        if (options.Rtsp.Tls || (options.Http.Enabled && options.Http.Tls))
        {
            Certificate = HubCertificate.LoadOrCreate(options.Tls, out _certificateGenerated);
        }

        Paths = new PathManager(options.Paths.AllowTakeover, Packets, clock, loggerFactory.CreateLogger<PathManager>());
        Auth = options.Auth.Enabled
            ? HubAuthorizer.Create(options.Auth, options.Rooms.Database, loggerFactory.CreateLogger<HubAuthorizer>(), clock)
            : null;
        Rtsp = new RtspServer(
            new RtspServerOptions
            {
                ListenAddress = options.Rtsp.Address,
                Port = options.Rtsp.Port,
                RtpPort = options.Rtsp.RtpPort,
                RtcpPort = options.Rtsp.RtcpPort,
                TlsPort = options.Rtsp.TlsPort,
                TlsCertificate = options.Rtsp.Tls ? Certificate : null,
                Plaintext = options.Rtsp.Plaintext,
                SessionTimeout = TimeSpan.FromSeconds(options.Rtsp.SessionTimeoutSeconds),
                WriteTimeout = TimeSpan.FromSeconds(options.Rtsp.WriteTimeoutSeconds),
                AccessControl = Auth is null ? null : new RtspHubAccessControl(Auth),
                OfferDigest = options.Auth.RtspDigest,
                AuthRealm = HubAuthorizer.Realm,
                MaxConnectionsPerAddress = options.Rtsp.MaxConnectionsPerAddress,
            },
            new RtspHubHandler(Paths, options.Paths.ReaderQueuePackets, loggerFactory.CreateLogger<RtspHubHandler>(),
                srtpKeyPerReader: options.Rtsp.SrtpKeys == HubOptions.SrtpKeying.PerReader),
            loggerFactory,
            clock);
    }

    /// <summary>The TLS certificate of RTSPS and HTTPS; null when neither is enabled.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; }

    /// <summary>The hub's paths and streams.</summary>
    public PathManager Paths { get; }

    /// <summary>Access control shared by every protocol (its Tokens issue join tokens); null when auth.enabled is false.</summary>
    public HubAuthorizer? Auth { get; }

    /// <summary>The RTSP server.</summary>
    public RtspServer Rtsp { get; }

    /// <summary>The shared WebRTC UDP port (ICE-lite); null when http.enabled or webrtc.enabled is false.</summary>
    public IceServer? Ice { get; private set; }

    /// <summary>WHEP playback over <see cref="Ice"/>; null when WebRTC is off.</summary>
    public WhepServer? Whep { get; private set; }

    /// <summary>WHIP publishing over <see cref="Ice"/>; null when WebRTC is off.</summary>
    public WhipServer? Whip { get; private set; }

    /// <summary>Room participants' WebRTC connections; null when WebRTC or HTTP is off.</summary>
    public RoomPeerServer? RoomPeers { get; private set; }

    /// <summary>The web UI, API and browser players; null when http.enabled is false.</summary>
    public HubWebServer? Web { get; private set; }

    /// <summary>Rooms and their chat history; null when http.enabled is false (rooms are reached over HTTP).</summary>
    public RoomManager? Rooms { get; private set; }

    /// <summary>The packet pool shared by all streams.</summary>
    public MediaPacketPool Packets { get; }

    /// <summary>Binds every listener and starts the demo.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">A port is taken.</exception>
    /// <exception cref="InvalidOperationException">The room database (rooms.database) cannot be opened.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Certificate is not null)
        {
            _logger.LogInformation("TLS certificate {Subject} ({Origin}), SHA-256 fingerprint {Fingerprint}", Certificate.Subject,
                _options.Tls.Certificate.Length > 0 ? _options.Tls.Certificate
                    : (_certificateGenerated ? "generated, saved to " : "self-signed, from ") + _options.Tls.GeneratedCertificate,
                HubCertificate.Fingerprint(Certificate));
        }

        await Rtsp.StartAsync(cancellationToken);
        if (_options.Http.Enabled)
        {
            Rooms = new RoomManager(_options.Rooms, Paths, Rtsp.Port, Rtsp.TlsPort, _time, _loggerFactory);
            if (_options.WebRtc.Enabled)
            {
                Ice = new IceServer(new IceServerOptions
                {
                    UdpEndPoint = new System.Net.IPEndPoint(_options.WebRtc.Address, _options.WebRtc.UdpPort),
                    AdvertisedAddresses = _options.WebRtc.AdvertisedAddresses,
                    TimeProvider = _time,
                });
                Ice.Start();
                Whep = new WhepServer(Ice, Paths, _loggerFactory.CreateLogger<WhepServer>());
                Whip = new WhipServer(Ice, Paths, _loggerFactory.CreateLogger<WhipServer>());
                RoomPeers = new RoomPeerServer(Ice, Paths, _loggerFactory.CreateLogger<RoomPeerServer>());
                _logger.LogInformation("webrtc: ICE on UDP port {Port}, candidates {Candidates}", Ice.UdpPort,
                    string.Join(", ", Ice.Candidates.Select(c => $"{c.Address}:{c.Port}")));
            }

            Web = new HubWebServer(_options.Http, Paths, _loggerFactory, _time, Rooms, Auth) { Certificate = _options.Http.Tls ? Certificate : null, Whep = Whep, Whip = Whip, RoomPeers = RoomPeers };
            await Web.StartAsync(cancellationToken);
        }

        if (_options.Demo.Enabled)
        {
            _demo = new DemoPublisher(_options.Demo, Paths, _loggerFactory.CreateLogger<DemoPublisher>());
            await _demo.StartAsync();
            _logger.LogInformation("demo stream: rtsp://localhost:{Port}/{Path}", Rtsp.Port, _options.Demo.Path);
            if (Web is not null)
            {
                _logger.LogInformation("demo player: http://localhost:{Port}/{Path}", Web.Port, _options.Demo.Path);
                if (Web.TlsPort != 0)
                {
                    _logger.LogInformation("demo player from other machines: https://<this host>:{Port}/{Path}", Web.TlsPort, _options.Demo.Path);
                }
            }
        }
    }

    /// <summary>Stops the demo, closes the rooms and their database, ends every stream (readers get RTCP BYE) and closes the servers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_demo is not null)
        {
            await _demo.DisposeAsync();
        }

        // Browser sessions detach from their streams as they close, so the web server stops before the paths.
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        if (Whep is not null)
        {
            await Whep.DisposeAsync();
        }

        if (Whip is not null)
        {
            await Whip.DisposeAsync();
        }

        if (RoomPeers is not null)
        {
            await RoomPeers.DisposeAsync();
        }

        if (Ice is not null)
        {
            await Ice.DisposeAsync();
        }

        // After the web server: its room sockets have ended; this closes the chat database.
        if (Rooms is not null)
        {
            await Rooms.DisposeAsync();
        }

        await Paths.DisposeAsync();

        await Rtsp.DisposeAsync();
        Certificate?.Dispose();
    }
}
