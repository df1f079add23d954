using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Parley.Rtsp.Server;

/// <summary>Where datagrams from one client address go: a session, a media, RTP or RTCP.</summary>
internal readonly record struct UdpRoute(RtspServerSession Session, int MediaIndex, bool IsRtcp);

/// <summary>
/// The server's two UDP sockets (RTP on an even port, RTCP on the next one, RFC 3550 §11), shared by every
/// session. Datagrams are routed by their source address to the session that set up that client port; unknown
/// sources are counted and dropped. Receiving and sending allocate nothing per datagram.
/// </summary>
internal sealed class RtspUdpListener : IDisposable
{
    private const int MaxDatagram = 65536;
    private readonly Socket _rtp;
    private readonly Socket _rtcp;
    private readonly ConcurrentDictionary<SocketAddress, UdpRoute> _routes = new();
    private readonly IRtspServerHandler _handler;
    private readonly ILogger _logger;
    private long _unknownSource;

    private RtspUdpListener(Socket rtp, Socket rtcp, IRtspServerHandler handler, ILogger logger)
    {
        _rtp = rtp;
        _rtcp = rtcp;
        _handler = handler;
        _logger = logger;
    }

    public int RtpPort => ((IPEndPoint)_rtp.LocalEndPoint!).Port;

    public int RtcpPort => ((IPEndPoint)_rtcp.LocalEndPoint!).Port;

    /// <summary>Datagrams from addresses no session set up.</summary>
    public long UnknownSourceDatagrams => Interlocked.Read(ref _unknownSource);

    /// <summary>
    /// Binds the pair. With <paramref name="rtpPort"/> 0, picks a free even port and the odd one above it.
    /// </summary>
    /// <exception cref="SocketException">The ports are taken or the address is not local.</exception>
    public static RtspUdpListener Bind(IPAddress address, int rtpPort, int rtcpPort, IRtspServerHandler handler, ILogger logger)
    {
        if (rtpPort != 0)
        {
            var rtp = CreateSocket(address, rtpPort);
            try
            {
                return new RtspUdpListener(rtp, CreateSocket(address, rtcpPort), handler, logger);
            }
            catch
            {
                rtp.Dispose();
                throw;
            }
        }

        for (int attempt = 0; ; attempt++)
        {
            var rtp = CreateSocket(address, 0);
            int port = ((IPEndPoint)rtp.LocalEndPoint!).Port;
            if (port % 2 == 0 && port < ushort.MaxValue)
            {
                try
                {
                    return new RtspUdpListener(rtp, CreateSocket(address, port + 1), handler, logger);
                }
                catch (SocketException) when (attempt < 100)
                {
                }
            }

            rtp.Dispose();
            if (attempt >= 100)
            {
                throw new SocketException((int)SocketError.AddressAlreadyInUse);
            }
        }
    }

    private static Socket CreateSocket(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = true;
            }

            // Fan-out to many UDP readers sends bursts; a deep kernel buffer absorbs them.
            socket.SendBufferSize = 4 * 1024 * 1024;
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.Bind(new IPEndPoint(address, port));
            // Readers send on the publisher's thread (RtspMediaTransport.SendsWithoutBlocking): a full buffer must
            // drop the datagram (WouldBlock), never stall the publisher. Async receives are unaffected.
            socket.Blocking = false;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A socket address in this listener's family (IPv4, or IPv4-mapped IPv6 on a dual-mode socket).</summary>
    public SocketAddress CreateAddress(IPAddress address, int port)
    {
        if (_rtp.AddressFamily == AddressFamily.InterNetwork && address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (_rtp.AddressFamily == AddressFamily.InterNetworkV6 && address.AddressFamily == AddressFamily.InterNetwork)
        {
            address = address.MapToIPv6();
        }

        return new IPEndPoint(address, port).Serialize();
    }

    internal Socket GetSocket(bool isRtcp) => isRtcp ? _rtcp : _rtp;

    public void AddRoute(SocketAddress source, UdpRoute route) => _routes[source] = route;

    public void RemoveRoute(SocketAddress source, RtspServerSession session)
    {
        if (_routes.TryGetValue(source, out var route) && ReferenceEquals(route.Session, session))
        {
            _routes.TryRemove(new KeyValuePair<SocketAddress, UdpRoute>(source, route));
        }
    }

    public bool TrySend(bool isRtcp, ReadOnlySpan<byte> datagram, SocketAddress target)
    {
        try
        {
            (isRtcp ? _rtcp : _rtp).SendTo(datagram, SocketFlags.None, target);
            return true;
        }
        catch (SocketException)
        {
            // ICMP port unreachable from a reader that went away, or a full buffer: the datagram is lost, as UDP is.
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Receives on both sockets until <paramref name="cancellationToken"/> fires or the sockets close.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(ReceiveLoopAsync(_rtp, isRtcp: false, cancellationToken), ReceiveLoopAsync(_rtcp, isRtcp: true, cancellationToken));

    private async Task ReceiveLoopAsync(Socket socket, bool isRtcp, CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
        var source = new SocketAddress(socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, source, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused
                or SocketError.MessageSize)
            {
                // ICMP errors from earlier sends surface here on some systems; the socket is fine.
                continue;
            }

            if (!_routes.TryGetValue(source, out var route) || route.IsRtcp != isRtcp)
            {
                Interlocked.Increment(ref _unknownSource);
                continue;
            }

            route.Session.Touch();
            try
            {
                _handler.PacketReceived(route.Session, route.MediaIndex, isRtcp, buffer.AsSpan(0, length));
            }
#pragma warning disable CA1031 // A handler fault on one datagram must not stop the hub's UDP reception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogError(ex, "UDP packet handler failed for session {Session}", route.Session.Id);
            }
        }
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
