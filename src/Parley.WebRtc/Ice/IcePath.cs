using System.Net;
using System.Net.Sockets;

namespace Parley.WebRtc.Ice;

/// <summary>
/// One way to reach a remote peer: a remote address on the shared UDP socket, or one ICE-TCP connection. Once a
/// valid check arrived on it, it belongs to a session.
/// </summary>
internal abstract class IcePath
{
    protected IcePath(IPEndPoint remote) => Remote = remote;

    public IPEndPoint Remote { get; }

    public abstract IceTransportProtocol Protocol { get; }

    public IceSession? Session { get; set; }

    public abstract void Send(ReadOnlySpan<byte> packet);
}

/// <summary>A remote address on the shared UDP socket; sends with a cached <see cref="SocketAddress"/> (no allocation).</summary>
internal sealed class UdpPath(Socket socket, SocketAddress address, IPEndPoint remote) : IcePath(remote)
{
    public SocketAddress Address { get; } = address;

    public override IceTransportProtocol Protocol => IceTransportProtocol.Udp;

    public override void Send(ReadOnlySpan<byte> packet)
    {
        try
        {
            socket.SendTo(packet, SocketFlags.None, Address);
        }
        catch (SocketException)
        {
            // UDP is lossy anyway; a full buffer or an unreachable peer is loss.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>One accepted ICE-TCP connection; packets are framed per RFC 4571.</summary>
internal sealed class TcpPath(Socket socket, IPEndPoint remote) : IcePath(remote)
{
    private readonly Lock _sendLock = new();

    public Socket Socket => socket;

    public override IceTransportProtocol Protocol => IceTransportProtocol.Tcp;

    public override void Send(ReadOnlySpan<byte> packet)
    {
        if (packet.Length > Rfc4571Framing.MaxPacketLength)
        {
            return;
        }

        Span<byte> prefix = stackalloc byte[Rfc4571Framing.HeaderLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)packet.Length);
        try
        {
            // Prefix and packet must not interleave with another sender's frame.
            lock (_sendLock)
            {
                socket.Send(prefix);
                socket.Send(packet);
            }
        }
        catch (SocketException)
        {
            socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
