namespace Parley.WebRtc.Sdp;

/// <summary>
/// One track a WebRTC peer may be sent, as the source (a hub stream, an encoder) describes it: the codec from its
/// SDP rtpmap and fmtp. The negotiation matches it against the payload types a browser offers.
/// </summary>
/// <param name="Index">The caller's index of the track (the stream's track index); copied to the result.</param>
/// <param name="MediaType">"video" or "audio", as in the SDP m= line.</param>
/// <param name="EncodingName">Encoding name from the rtpmap: "H264", "VP8", "opus", "JPEG"; null when unknown.</param>
/// <param name="ClockRate">RTP clock rate in Hz.</param>
/// <param name="FormatParameters">The source's a=fmtp name/value pairs (H.264: profile-level-id, packetization-mode).</param>
public sealed record WebRtcSourceTrack(int Index, string MediaType, string? EncodingName, int ClockRate,
    IReadOnlyDictionary<string, string> FormatParameters)
{
    /// <summary>True for a video track.</summary>
    public bool IsVideo => string.Equals(MediaType, "video", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when browsers can receive this codec over WebRTC as is (RFC 7742 H.264 and VP8, RFC 7874 Opus).</summary>
    public bool IsWebRtcCodec => WebRtcCodecMatcher.IsSupported(this);
}
