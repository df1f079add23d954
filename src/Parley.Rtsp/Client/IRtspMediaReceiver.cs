namespace Parley.Rtsp.Client;

/// <summary>
/// Receives the media an <see cref="RtspClient"/> gets while playing: RTP and RTCP packets of each media
/// description of the SDP, over TCP interleaved channels (RFC 2326 §10.12) or UDP.
/// </summary>
/// <remarks>
/// Called on the client's receive loops without per-packet allocation. The span is only valid during the call:
/// copy what you keep. Over TCP all calls come from one loop, in order; over UDP each socket has its own loop,
/// so calls for different media (or RTP versus RTCP) may run concurrently. Return quickly: a slow receiver
/// stalls the RTSP connection (TCP) or drops packets (UDP). Exceptions thrown here are caught and logged.
/// </remarks>
public interface IRtspMediaReceiver
{
    /// <summary>One RTP packet (RFC 3550 §5.1), header included, as received; it has not been validated.</summary>
    /// <param name="mediaIndex">Index of the media description in the SDP (0-based, m= line order).</param>
    /// <param name="packet">The packet bytes; valid only during the call.</param>
    void OnRtp(int mediaIndex, ReadOnlySpan<byte> packet);

    /// <summary>One RTCP compound packet (RFC 3550 §6) as received; it has not been validated.</summary>
    /// <param name="mediaIndex">Index of the media description in the SDP (0-based).</param>
    /// <param name="packet">The packet bytes; valid only during the call.</param>
    void OnRtcp(int mediaIndex, ReadOnlySpan<byte> packet);
}
