using System.Net;
using Parley.Security.Dtls;

namespace Parley.WebRtc.Ice;

/// <summary>Receives one packet; the span is only valid during the call.</summary>
/// <param name="packet">The datagram or RFC 4571 frame body.</param>
public delegate void IcePacketHandler(ReadOnlySpan<byte> packet);

/// <summary>Why a session ended.</summary>
public enum IceCloseReason
{
    /// <summary>The owner closed it (call ended, peer left).</summary>
    Closed,

    /// <summary>No valid check for the consent timeout (RFC 7675 §5.1).</summary>
    ConsentExpired,

    /// <summary>The server shut down.</summary>
    ServerStopped,
}

/// <summary>
/// One peer's ICE-lite session on an <see cref="IceServer"/>: its credentials and agent, the path the peer
/// nominated (UDP or ICE-TCP), and the packets that arrive on validated paths, demultiplexed by first byte
/// (RFC 7983): DTLS to <see cref="DtlsReceived"/>, RTP and RTCP (still SRTP-protected) to <see cref="RtpReceived"/>.
/// It is the <see cref="IDatagramSender"/> a <see cref="DtlsSrtpTransport"/> sends through.
/// </summary>
public sealed class IceSession : IDatagramSender
{
    private readonly IceServer _server;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IcePath? _selected;
    private volatile bool _closed;
    private long _sendDrops;

    internal IceSession(IceServer server, IceLiteAgent agent)
    {
        _server = server;
        Agent = agent;
    }

    /// <summary>The ICE-lite agent answering this peer's checks.</summary>
    public IceLiteAgent Agent { get; }

    /// <summary>Our ufrag and password for the SDP answer.</summary>
    public IceCredentials LocalCredentials => Agent.LocalCredentials;

    /// <summary>Called for each DTLS record datagram (first byte 20-63) from a validated path.</summary>
    public IcePacketHandler? DtlsReceived { get; set; }

    /// <summary>Called for each RTP or RTCP packet (first byte 128-191) from a validated path. Allocation-free path.</summary>
    public IcePacketHandler? RtpReceived { get; set; }

    /// <summary>Raised once when the session ends.</summary>
    public event EventHandler<IceCloseReason>? Closed;

    /// <summary>Completes when the first valid check arrived (the session has a path to send on).</summary>
    public Task Connected => _connected.Task;

    /// <summary>The remote address of the selected path, or null before the first valid check.</summary>
    public IPEndPoint? SelectedRemote => _selected?.Remote;

    /// <summary>The transport of the selected path, or null before the first valid check.</summary>
    public IceTransportProtocol? SelectedProtocol => _selected?.Protocol;

    /// <summary>True after <see cref="Close"/>, consent expiry, or server shutdown.</summary>
    public bool IsClosed => _closed;

    /// <summary>Packets <see cref="Send"/> dropped because there was no path yet or the session was closed.</summary>
    public long SendDrops => Interlocked.Read(ref _sendDrops);

    /// <summary>
    /// Sends one packet (DTLS, SRTP, SRTCP) on the selected path: the nominated pair, or before nomination the
    /// latest path with a valid check (RFC 8445 §7.3.1.5 lets a controlled agent send on a valid pair). Drops and
    /// counts when there is none.
    /// </summary>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        IcePath? path = _selected;
        if (path is null || _closed)
        {
            Interlocked.Increment(ref _sendDrops);
            return;
        }

        path.Send(datagram);
    }

    /// <summary>Ends the session: forgets its paths, stops routing packets to it, raises <see cref="Closed"/>.</summary>
    public void Close() => CloseCore(IceCloseReason.Closed);

    internal void CloseCore(IceCloseReason reason)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _server.Forget(this);
        _connected.TrySetCanceled();
        Closed?.Invoke(this, reason);
    }

    /// <summary>Called after a valid check on <paramref name="path"/>.</summary>
    internal void OnValidCheck(IcePath path, bool nominated)
    {
        if (nominated || _selected is null || !Agent.IsNominated)
        {
            _selected = path;
        }

        _connected.TrySetResult();
    }

    /// <summary>RFC 7983 §7: 20-63 DTLS, 128-191 RTP/RTCP; anything else is not ours here.</summary>
    internal bool Dispatch(ReadOnlySpan<byte> packet)
    {
        byte first = packet[0];
        if (first is >= 128 and <= 191)
        {
            RtpReceived?.Invoke(packet);
            return true;
        }

        if (first is >= 20 and <= 63)
        {
            DtlsReceived?.Invoke(packet);
            return true;
        }

        return false;
    }
}
