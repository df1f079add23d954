using System.Net;
using System.Net.Sockets;

namespace Parley.Rtsp.Server;

/// <summary>
/// RTP/AVP over UDP unicast (RFC 2326 §12.39): datagrams from the server's shared RTP and RTCP ports to the client's
/// client_port pair of each media. Sends immediately on a non-blocking socket; there is nothing to batch, and a
/// datagram the kernel cannot take is dropped and counted.
/// </summary>
internal sealed class RtspUdpMediaTransport : RtspMediaTransport
{
    private readonly RtspUdpListener _listener;
    private readonly RtspServerSession _session;
    private readonly SocketAddress?[] _rtpTargets;
    private readonly SocketAddress?[] _rtcpTargets;

    public RtspUdpMediaTransport(RtspUdpListener listener, RtspServerSession session, int mediaCount)
    {
        _listener = listener;
        _session = session;
        _rtpTargets = new SocketAddress?[mediaCount];
        _rtcpTargets = new SocketAddress?[mediaCount];
    }

    public override string Name => "UDP";

    /// <inheritdoc/>
    public override bool SendsWithoutBlocking => true;

    /// <summary>
    /// Sets media <paramref name="mediaIndex"/>'s client ports and routes datagrams from them to the session:
    /// RTP from a publisher, RTCP from anyone.
    /// </summary>
    public void SetClientPorts(int mediaIndex, IPAddress clientAddress, int rtpPort, int rtcpPort, bool receivesRtp)
    {
        RemoveRoutes(mediaIndex);
        var rtp = _listener.CreateAddress(clientAddress, rtpPort);
        var rtcp = _listener.CreateAddress(clientAddress, rtcpPort);
        _rtpTargets[mediaIndex] = rtp;
        _rtcpTargets[mediaIndex] = rtcp;
        if (receivesRtp)
        {
            _listener.AddRoute(rtp, new UdpRoute(_session, mediaIndex, IsRtcp: false));
        }

        _listener.AddRoute(rtcp, new UdpRoute(_session, mediaIndex, IsRtcp: true));
    }

    public override bool TryAppend(int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet)
    {
        TrySendNow(mediaIndex, isRtcp, packet);
        return true;
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public override bool TryAddToBatch(int mediaIndex, bool isRtcp, UdpSendBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if ((uint)mediaIndex >= (uint)_rtpTargets.Length || (isRtcp ? _rtcpTargets[mediaIndex] : _rtpTargets[mediaIndex]) is not { } target)
        {
            return false;
        }

        batch.Add(_listener, isRtcp, target, this);
        return true;
    }

    public override bool TrySendNow(int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet)
    {
        if ((uint)mediaIndex >= (uint)_rtpTargets.Length)
        {
            return false;
        }

        var target = isRtcp ? _rtcpTargets[mediaIndex] : _rtpTargets[mediaIndex];
        if (target is null)
        {
            return false;
        }

        if (_listener.TrySend(isRtcp, packet, target))
        {
            CountSent(packet.Length);
            return true;
        }

        CountError();
        return false;
    }

    private void RemoveRoutes(int mediaIndex)
    {
        if (_rtpTargets[mediaIndex] is { } rtp)
        {
            _listener.RemoveRoute(rtp, _session);
        }

        if (_rtcpTargets[mediaIndex] is { } rtcp)
        {
            _listener.RemoveRoute(rtcp, _session);
        }
    }

    protected override void Dispose(bool disposing)
    {
        for (int i = 0; i < _rtpTargets.Length; i++)
        {
            RemoveRoutes(i);
            _rtpTargets[i] = null;
            _rtcpTargets[i] = null;
        }
    }
}
