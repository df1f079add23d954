using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Parley.Rtp.Stun;

namespace Parley.WebRtc.Ice;

/// <summary>
/// The WebRTC transport endpoint of a process: one UDP socket shared by every peer (port 8189 by default) and an
/// optional ICE-TCP passive listener (RFC 6544), both feeding <see cref="IceSession"/>s. Incoming packets are
/// demultiplexed by first byte (RFC 7983 §7: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP) and by path: a STUN check's
/// USERNAME names the session (its local ufrag), and a valid check binds the remote address (or TCP connection)
/// to it; DTLS and RTP are only accepted from bound paths.
/// </summary>
/// <remarks>
/// The RTP/RTCP receive path allocates nothing per packet: one receive buffer, a reused <see cref="SocketAddress"/>
/// and a dictionary lookup keyed by it. STUN handling allocates a little (the endpoint for XOR-MAPPED-ADDRESS);
/// checks come a few times a second per peer.
/// </remarks>
public sealed class IceServer : IAsyncDisposable
{
    private readonly IceServerOptions _options;
    private readonly ConcurrentDictionary<string, IceSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SocketAddress, UdpPath> _udpPaths = new();
    private readonly ConcurrentDictionary<TcpPath, byte> _tcpPaths = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _udp;
    private Socket? _tcp;
    private ITimer? _consentTimer;
    private Task _udpLoop = Task.CompletedTask;
    private Task _tcpLoop = Task.CompletedTask;
    private long _answered;
    private long _integrityFailures;
    private long _unknownUsernames;
    private long _malformed;
    private long _unroutable;

    /// <summary>Creates the server; sockets are bound by <see cref="Start"/>.</summary>
    public IceServer(IceServerOptions? options = null) => _options = options ?? new IceServerOptions();

    /// <summary>The bound UDP port (after <see cref="Start"/>).</summary>
    public int UdpPort { get; private set; }

    /// <summary>The bound ICE-TCP port, or null when ICE-TCP is off.</summary>
    public int? TcpPort { get; private set; }

    /// <summary>Host candidates for the SDP answer (valid after <see cref="Start"/>).</summary>
    public IReadOnlyList<IceCandidate> Candidates { get; private set; } = [];

    /// <summary>Sessions currently open.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Valid checks answered, over all sessions.</summary>
    public long ChecksAnswered => Interlocked.Read(ref _answered);

    /// <summary>Checks dropped, without a response, for a missing or wrong MESSAGE-INTEGRITY.</summary>
    public long IntegrityFailures => Interlocked.Read(ref _integrityFailures);

    /// <summary>Checks dropped, without a response, whose USERNAME names no open session.</summary>
    public long UnknownUsernames => Interlocked.Read(ref _unknownUsernames);

    /// <summary>Packets that looked like STUN but did not parse, or non-request STUN, or bad FINGERPRINT.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>DTLS/RTP/other packets from a path no valid check has bound, or with an unknown first byte.</summary>
    public long UnroutablePackets => Interlocked.Read(ref _unroutable);

    /// <summary>Binds the UDP socket (and the TCP listener), starts receiving and the consent timer.</summary>
    /// <exception cref="SocketException">A port is in use or an address is not local.</exception>
    public void Start()
    {
        if (_udp is not null)
        {
            throw new InvalidOperationException("The ICE server is already started.");
        }

        _udp = new Socket(_options.UdpEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(_options.UdpEndPoint);
        UdpPort = ((IPEndPoint)_udp.LocalEndPoint!).Port;
        if (_options.TcpEndPoint is { } tcpEndPoint)
        {
            _tcp = new Socket(tcpEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _tcp.Bind(tcpEndPoint);
            _tcp.Listen(128);
            TcpPort = ((IPEndPoint)_tcp.LocalEndPoint!).Port;
            _tcpLoop = AcceptLoopAsync(_tcp, _stop.Token);
        }

        Candidates = IceCandidate.ForHost(AdvertisedAddresses(), UdpPort, TcpPort);
        _udpLoop = UdpLoopAsync(_udp, _stop.Token);
        _consentTimer = _options.TimeProvider.CreateTimer(_ => CheckConsent(), null, _options.ConsentCheckInterval, _options.ConsentCheckInterval);
    }

    /// <summary>Opens a session for one peer, with fresh (or given) local credentials.</summary>
    /// <exception cref="InvalidOperationException">The ufrag is already in use by another session.</exception>
    public IceSession CreateSession(IceCredentials? local = null)
    {
        var agent = new IceLiteAgent(local ?? IceCredentials.Generate(), _options.TimeProvider, _options.ConsentTimeout);
        var session = new IceSession(this, agent);
        if (!_sessions.TryAdd(agent.LocalCredentials.Ufrag, session))
        {
            throw new InvalidOperationException($"The ICE ufrag '{agent.LocalCredentials.Ufrag}' is already in use.");
        }

        return session;
    }

    /// <summary>
    /// Binds a remote UDP address to a session without a connectivity check, for peers that do no ICE (tests
    /// that drive DTLS with a stock tool).
    /// </summary>
    internal void BindUdp(IceSession session, IPEndPoint remote)
    {
        SocketAddress address = remote.Serialize();
        var path = new UdpPath(_udp!, address, remote) { Session = session };
        _udpPaths[address] = path;
        session.OnValidCheck(path, nominated: true);
    }

    /// <summary>Stops receiving, closes every session (<see cref="IceCloseReason.ServerStopped"/>) and the sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _consentTimer?.Dispose();
        foreach (IceSession session in _sessions.Values)
        {
            session.CloseCore(IceCloseReason.ServerStopped);
        }

        _udp?.Dispose();
        _tcp?.Dispose();
        foreach (TcpPath path in _tcpPaths.Keys)
        {
            path.Socket.Dispose();
        }

        await Task.WhenAll(_udpLoop, _tcpLoop).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Drops every path of a closed session so its packets are no longer routed.</summary>
    internal void Forget(IceSession session)
    {
        _sessions.TryRemove(new KeyValuePair<string, IceSession>(session.LocalCredentials.Ufrag, session));
        foreach (var (address, path) in _udpPaths)
        {
            if (path.Session == session)
            {
                _udpPaths.TryRemove(address, out _);
            }
        }

        foreach (TcpPath path in _tcpPaths.Keys)
        {
            if (path.Session == session)
            {
                path.Socket.Dispose();
            }
        }
    }

    private void CheckConsent()
    {
        foreach (IceSession session in _sessions.Values)
        {
            if (session.Agent.IsConsentExpired)
            {
                session.CloseCore(IceCloseReason.ConsentExpired);
            }
        }
    }

    private async Task UdpLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[65536];
        var address = new SocketAddress(socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await socket.ReceiveFromAsync(buffer, SocketFlags.None, address, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }

            if (n == 0)
            {
                continue;
            }

            ReadOnlySpan<byte> packet = buffer.AsSpan(0, n);
            _udpPaths.TryGetValue(address, out UdpPath? path);
            if (packet[0] < 4)
            {
                path ??= new UdpPath(socket, CopyOf(address), (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address));
                if (OnStun(packet, path) && !_udpPaths.ContainsKey(path.Address))
                {
                    _udpPaths[path.Address] = path;
                }

                continue;
            }

            if (path?.Session is not { } session || !session.Dispatch(packet))
            {
                Interlocked.Increment(ref _unroutable);
            }
        }
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            client.NoDelay = true;
            var path = new TcpPath(client, (IPEndPoint)client.RemoteEndPoint!);
            _tcpPaths[path] = 0;
            connections.RemoveAll(t => t.IsCompleted);
            connections.Add(TcpConnectionAsync(path, cancellationToken));
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    /// <summary>Reads RFC 4571 frames from one ICE-TCP connection and routes them like UDP datagrams.</summary>
    private async Task TcpConnectionAsync(TcpPath path, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[Rfc4571Framing.MaxPacketLength];
        try
        {
            using var stream = new NetworkStream(path.Socket, ownsSocket: true);
            while (true)
            {
                int n = await Rfc4571Framing.ReadAsync(stream, buffer, cancellationToken);
                if (n < 0)
                {
                    break;
                }

                if (n == 0)
                {
                    continue;
                }

                ReadOnlySpan<byte> packet = buffer.AsSpan(0, n);
                if (packet[0] < 4)
                {
                    OnStun(packet, path);
                }
                else if (path.Session is not { } session || !session.Dispatch(packet))
                {
                    Interlocked.Increment(ref _unroutable);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
        {
            // The connection broke or the server stopped; the session lives on until consent expires.
        }
        finally
        {
            _tcpPaths.TryRemove(path, out _);
            path.Socket.Dispose();
        }
    }

    /// <summary>
    /// Handles one STUN packet arriving on <paramref name="path"/>: finds the session (the path's, or by the
    /// USERNAME's local ufrag), lets its agent answer, and binds the path on a valid check.
    /// </summary>
    /// <returns>True when the check was valid and the path is now bound.</returns>
    private bool OnStun(ReadOnlySpan<byte> packet, IcePath path)
    {
        if (!StunMessageView.TryParse(packet, out var message) || message.Type.Class != StunClass.Request)
        {
            // Binding indications (keepalives, RFC 8445 §11) and stray responses need nothing from a lite agent.
            if (!StunMessageView.LooksLikeStun(packet) || message.Type.Class == StunClass.Request)
            {
                Interlocked.Increment(ref _malformed);
            }

            return false;
        }

        IceSession? session = path.Session ?? FindSession(message);
        if (session is null || session.IsClosed)
        {
            Interlocked.Increment(ref _unknownUsernames);
            return false;
        }

        Span<byte> response = stackalloc byte[IceLiteAgent.MaxResponseLength];
        IceCheckOutcome outcome;
        int length;
        lock (session.Agent)
        {
            outcome = session.Agent.HandleRequest(message, path.Remote, response, out length);
        }

        switch (outcome)
        {
            case IceCheckOutcome.BadIntegrity:
                Interlocked.Increment(ref _integrityFailures);
                return false;
            case IceCheckOutcome.UnknownUsername:
                Interlocked.Increment(ref _unknownUsernames);
                return false;
            case IceCheckOutcome.Malformed:
                Interlocked.Increment(ref _malformed);
                return false;
        }

        Interlocked.Increment(ref _answered);
        path.Send(response[..length]);
        if (outcome is not (IceCheckOutcome.Answered or IceCheckOutcome.Nominated))
        {
            return false;
        }

        path.Session = session;
        session.OnValidCheck(path, outcome == IceCheckOutcome.Nominated);
        return true;
    }

    private IceSession? FindSession(in StunMessageView message)
    {
        if (!message.TryGetUsername(out var username))
        {
            return null;
        }

        int colon = username.IndexOf((byte)':');
        if (colon <= 0)
        {
            return null;
        }

        return _sessions.TryGetValue(Encoding.ASCII.GetString(username[..colon]), out IceSession? session) ? session : null;
    }

    private List<IPAddress> AdvertisedAddresses()
    {
        if (_options.AdvertisedAddresses.Count > 0)
        {
            return [.. _options.AdvertisedAddresses];
        }

        IPAddress bound = _options.UdpEndPoint.Address;
        if (!bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            return [bound];
        }

        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == bound.AddressFamily && !a.IsIPv6LinkLocal)
            .ToList();
    }

    private static SocketAddress CopyOf(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }
}
