using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Parley.Rtsp.Server;

/// <summary>
/// An RTSP 1.0 server (RFC 2326) for live streams: accepts connections, runs each session's state machine, and
/// moves RTP/RTCP over UDP unicast or TCP interleaved. What streams exist and where media goes is the
/// <see cref="IRtspServerHandler"/>'s business.
/// </summary>
public sealed class RtspServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RtspServerSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<RtspServerConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private Socket? _listener;
    private Socket? _tlsListener;
    private RtspUdpListener? _udp;
    private readonly RtspAddressLimiter _perAddress;
    private Task _background = Task.CompletedTask;
    private long _malformedRequests;
    private long _unroutedFrames;

    /// <summary>Creates a server; nothing is bound until <see cref="StartAsync"/>.</summary>
    public RtspServer(RtspServerOptions options, IRtspServerHandler handler, ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null)
    {
        Options = options;
        Handler = handler;
        Time = time ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RtspServer>();
        Dispatcher = new RtspRequestDispatcher(this, _loggerFactory.CreateLogger<RtspRequestDispatcher>());
        _perAddress = new RtspAddressLimiter(options.MaxConnectionsPerAddress);
    }

    /// <summary>The settings it runs with.</summary>
    public RtspServerOptions Options { get; }

    /// <summary>The TCP port RTSP listens on (after start).</summary>
    public int Port => ((IPEndPoint)(_listener?.LocalEndPoint ?? throw NotStarted())).Port;

    /// <summary>The TCP port RTSPS listens on (after start); 0 when no certificate was configured.</summary>
    public int TlsPort => _tlsListener is null ? 0 : ((IPEndPoint)_tlsListener.LocalEndPoint!).Port;

    /// <summary>The UDP port of RTP (after start).</summary>
    public int RtpPort => Udp.RtpPort;

    /// <summary>The UDP port of RTCP (after start).</summary>
    public int RtcpPort => Udp.RtcpPort;

    /// <summary>Open sessions.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Requests that could not be parsed (answered with 400/413/505 and the connection closed).</summary>
    public long MalformedRequests => Interlocked.Read(ref _malformedRequests);

    /// <summary>Interleaved frames on channels no session set up, dropped.</summary>
    public long UnroutedFrames => Interlocked.Read(ref _unroutedFrames);

    /// <summary>UDP datagrams from addresses no session set up, dropped.</summary>
    public long UnknownSourceDatagrams => _udp?.UnknownSourceDatagrams ?? 0;

    internal IRtspServerHandler Handler { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger => _logger;

    internal RtspRequestDispatcher Dispatcher { get; }

    internal RtspUdpListener Udp => _udp ?? throw NotStarted();

    /// <summary>Binds the TCP listener(s) (RTSP, and RTSPS when a certificate is set) and the UDP pair and starts serving.</summary>
    /// <exception cref="SocketException">A port is taken (the message names it).</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        var listener = BindTcp(Options.Port);
        Socket? tlsListener = null;
        try
        {
            if (Options.TlsCertificate is not null)
            {
                tlsListener = BindTcp(Options.TlsPort);
            }

            _udp = RtspUdpListener.Bind(Options.ListenAddress, Options.RtpPort, Options.RtcpPort, Handler, _logger);
        }
        catch
        {
            listener.Dispose();
            tlsListener?.Dispose();
            throw;
        }

        _listener = listener;
        _tlsListener = tlsListener;
        var loops = new List<Task>
        {
            Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None),
            Task.Run(() => _udp.RunAsync(_stopping.Token), CancellationToken.None),
            Task.Run(SweepLoopAsync, CancellationToken.None),
        };
        if (tlsListener is not null)
        {
            loops.Add(Task.Run(() => AcceptLoopAsync(tlsListener, Options.TlsCertificate), CancellationToken.None));
            _logger.LogInformation("RTSPS listening on {Address}:{Port}", Options.ListenAddress, TlsPort);
        }

        _background = Task.WhenAll(loops);
        _logger.LogInformation("RTSP listening on {Address}:{Port} (RTP {RtpPort}/UDP, RTCP {RtcpPort}/UDP)",
            Options.ListenAddress, Port, RtpPort, RtcpPort);
        return Task.CompletedTask;
    }

    private Socket BindTcp(int port)
    {
        var listener = new Socket(Options.ListenAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (Options.ListenAddress.AddressFamily == AddressFamily.InterNetworkV6)
            {
                listener.DualMode = true;
            }

            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(Options.ListenAddress, port));
            listener.Listen(512);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning("accept failed: {Error}", ex.Message);
                continue;
            }

            var address = ((IPEndPoint)client.RemoteEndPoint!).Address;
            address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            if (!_perAddress.TryAcquire(address))
            {
                _logger.LogWarning("RTSP connection from {Address} refused: it holds {Max} connections already (rtsp.maxConnectionsPerAddress)",
                    address, Options.MaxConnectionsPerAddress);
                client.Dispose();
                continue;
            }

            var connection = new RtspServerConnection(this, client, certificate, _loggerFactory.CreateLogger<RtspServerConnection>());
            _connections[connection] = 0;
            _ = Task.Run(() => connection.RunAsync(_stopping.Token), CancellationToken.None);
        }
    }

    // Closes sessions whose client has been silent for longer than the session timeout (RFC 2326 §12.37).
    private async Task SweepLoopAsync()
    {
        var period = TimeSpan.FromSeconds(Math.Clamp(Options.SessionTimeout.TotalSeconds / 10, 0.1, 1));
        using var timer = new PeriodicTimer(period, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                foreach (var session in _sessions.Values)
                {
                    if (Time.GetElapsedTime(session.LastActivity) > Options.SessionTimeout)
                    {
                        await CloseSessionAsync(session, "session timed out", closeConnection: session.Transport is RtspTcpMediaTransport);
                    }
                }

                foreach (var connection in _connections.Keys)
                {
                    if (!connection.HasSessions && Time.GetElapsedTime(connection.LastRequest) > Options.IdleConnectionTimeout)
                    {
                        _logger.LogDebug("{Remote}: no complete request for {Seconds} s and no session; closing",
                            connection.RemoteEndPoint, Options.IdleConnectionTimeout.TotalSeconds);
                        await connection.CloseAsync("idle connection timed out");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal RtspServerSession CreateSession(RtspServerConnection connection, RtspSessionMode mode, string path,
        Rtp.Sdp.SdpSession description, string baseUri)
    {
        while (true)
        {
            string id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
            var session = new RtspServerSession(this, id, mode, path, description, baseUri, connection);
            if (_sessions.TryAdd(id, session))
            {
                connection.AddSession(session);
                return session;
            }
        }
    }

    internal RtspServerSession? FindSession(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    internal async ValueTask CloseSessionAsync(RtspServerSession session, string reason, bool closeConnection)
    {
        lock (session)
        {
            if (session.State == RtspSessionState.Closed)
            {
                return;
            }

            session.State = RtspSessionState.Closed;
        }

        _sessions.TryRemove(session.Id, out _);
        session.Connection.RemoveSession(session);
        session.Transport?.Dispose();
        try
        {
            await Handler.SessionClosedAsync(session, reason);
        }
#pragma warning disable CA1031 // The handler's failure must not leave the session half closed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "session {Session} close handler failed", session.Id);
        }

        if (closeConnection && session.Transport is RtspTcpMediaTransport)
        {
            await session.Connection.CloseAsync(reason);
        }
    }

    internal void RemoveConnection(RtspServerConnection connection)
    {
        if (_connections.TryRemove(connection, out _))
        {
            _perAddress.Release(connection.RemoteEndPoint.Address);
        }
    }

    internal void CountMalformedRequest() => Interlocked.Increment(ref _malformedRequests);

    internal void CountUnroutedFrame() => Interlocked.Increment(ref _unroutedFrames);

    private static InvalidOperationException NotStarted() => new("the RTSP server is not started");

    /// <summary>Stops accepting, closes every connection and session, and waits for the loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener?.Dispose();
        _tlsListener?.Dispose();
        foreach (var connection in _connections.Keys)
        {
            await connection.CloseAsync("server stopping");
        }

        foreach (var session in _sessions.Values)
        {
            await CloseSessionAsync(session, "server stopping", closeConnection: false);
        }

        _udp?.Dispose();
        try
        {
            await _background.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("RTSP server loops did not stop within 2 s");
        }

        _stopping.Dispose();
    }
}
