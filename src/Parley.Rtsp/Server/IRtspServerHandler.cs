using Parley.Rtp.Sdp;

namespace Parley.Rtsp.Server;

/// <summary>
/// What an <see cref="RtspServer"/> asks of the application behind it (the hub): which streams exist, who may
/// publish, and where received media goes. The server owns the protocol (parsing, state machine, transports,
/// control URLs); the handler owns streams. Calls for one connection arrive one at a time.
/// </summary>
public interface IRtspServerHandler
{
    /// <summary>DESCRIBE, or the first SETUP of a reader: the stream's SDP as published, or a status (404).</summary>
    /// <param name="path">The stream's path.</param>
    /// <param name="withSrtp">
    /// True when the reader may get SRTP (an RTSPS connection that holds no key offered for this path yet): the
    /// answer then carries the stream's SRTP group, a new one for each reader with per-reader keys. False (plain
    /// RTSP, or the key the connection's DESCRIBE offered is the one to use) asks for none, so no key is made.
    /// </param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<RtspDescribeResult> DescribeAsync(string path, bool withSrtp, CancellationToken cancellationToken);

    /// <summary>
    /// ANNOUNCE: <paramref name="session"/> (with <see cref="RtspServerSession.Path"/> and
    /// <see cref="RtspServerSession.Description"/> set) wants to publish. Return 200 to reserve the path.
    /// </summary>
    ValueTask<RtspHandlerStatus> AnnounceAsync(RtspServerSession session, CancellationToken cancellationToken);

    /// <summary>RECORD: the publisher starts sending media.</summary>
    ValueTask<RtspHandlerStatus> RecordAsync(RtspServerSession session, CancellationToken cancellationToken);

    /// <summary>PLAY: check the stream and report, per media, where the reader will start (RTP-Info).</summary>
    ValueTask<RtspPlayResult> PlayAsync(RtspServerSession session, CancellationToken cancellationToken);

    /// <summary>After the PLAY response was written: attach the reader and start sending.</summary>
    void PlayStarted(RtspServerSession session);

    /// <summary>PAUSE of a playing or recording session: stop sending (or stop taking) media.</summary>
    ValueTask PauseAsync(RtspServerSession session, CancellationToken cancellationToken);

    /// <summary>
    /// An RTP or RTCP packet from the client of <paramref name="session"/> on media <paramref name="mediaIndex"/>.
    /// Called on the receive path (a connection's or the UDP socket's loop); must not block; the span is valid only
    /// during the call.
    /// </summary>
    void PacketReceived(RtspServerSession session, int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet);

    /// <summary>The session ended (TEARDOWN, timeout, connection closed, server stopping). Called once.</summary>
    ValueTask SessionClosedAsync(RtspServerSession session, string reason);
}

/// <summary>A handler's answer: an RTSP status code (200 for success) and an optional reason phrase.</summary>
public readonly record struct RtspHandlerStatus(int StatusCode, string? Reason = null)
{
    /// <summary>200 OK.</summary>
    public static RtspHandlerStatus Ok => new(200);
}

/// <summary>
/// Answer to <see cref="IRtspServerHandler.DescribeAsync"/>: 200 and an SDP, or a status. <c>Srtp</c> is the
/// stream's shared-key group for RTSPS readers over UDP (RTP/SAVP); null offers no SRTP.
/// </summary>
public readonly record struct RtspDescribeResult(int StatusCode, SdpSession? Description, string? Reason = null, SrtpSendGroup? Srtp = null);

/// <summary>Where a reader starts on one media (RFC 2326 §12.33 RTP-Info): next sequence number and RTP time.</summary>
public readonly record struct RtpInfoEntry(ushort SequenceNumber, uint RtpTime);

/// <summary>Answer to <see cref="IRtspServerHandler.PlayAsync"/>: status and, per media, RTP-Info or null.</summary>
public readonly record struct RtspPlayResult(int StatusCode, IReadOnlyList<RtpInfoEntry?>? RtpInfo, string? Reason = null);
