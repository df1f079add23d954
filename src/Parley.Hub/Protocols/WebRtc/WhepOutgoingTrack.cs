using System.Buffers.Binary;
using Parley.Hub.Streams;
using Parley.Media.H264;
using Parley.WebRtc.Rtcp;
using Parley.WebRtc.Rtp;
using Parley.WebRtc.Sdp;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>
/// How one stream track is sent to one WebRTC peer: the negotiated payload type and SSRC, the sequence number
/// offset (grown by packets the hub inserts), the counts for sender reports, and for H.264 the SPS and PPS as one
/// STAP-A payload (RFC 6184 §5.7.1) to put in front of key frames that arrive without them in band, and when the
/// peer offered NACK a cache of the packets sent (RFC 4585 §6.2.1) to resend from.
/// </summary>
/// <remarks>
/// Publishers that copy H.264 out of an MP4 (ffmpeg -c:v copy) carry SPS and PPS only in the SDP's
/// sprop-parameter-sets; a browser joining mid-stream has no SDP of the source and cannot decode an IDR slice
/// without them.
/// </remarks>
internal sealed class WhepOutgoingTrack
{
    private const int StapA = 24;

    public WhepOutgoingTrack(WebRtcNegotiatedTrack negotiated, MediaTrack source)
    {
        Negotiated = negotiated;
        SourceIndex = source.Index;
        PayloadType = (byte)negotiated.PayloadType;
        Ssrc = negotiated.Ssrc;
        IsVideo = source.IsVideo;
        Mid = System.Text.Encoding.ASCII.GetBytes(negotiated.Mid);
        if (negotiated.Nack)
        {
            Retransmissions = new RtpRetransmissionCache(RtpRetransmissionCache.DefaultCapacity, MediaPacketPool.MaxPacketSize + WebRtcRtpRewriter.MaxExtensionLength);
        }

        if (string.Equals(source.EncodingName, "H264", StringComparison.OrdinalIgnoreCase)
            && source.Media.Formats.Count > 0 && int.TryParse(source.Media.Formats[0], out int pt)
            && H264Parameters.TryParse(source.Media.GetFormatParameterMap(pt), out var parameters)
            && !parameters.Sps.IsEmpty && !parameters.Pps.IsEmpty)
        {
            ParameterSets = BuildStapA(parameters.Sps.Span, parameters.Pps.Span);
        }
    }

    public WebRtcNegotiatedTrack Negotiated { get; }

    public int SourceIndex { get; }

    public byte PayloadType { get; }

    public uint Ssrc { get; }

    public bool IsVideo { get; }

    /// <summary>The section's a=mid in ASCII, for the MID header extension.</summary>
    public byte[] Mid { get; }

    /// <summary>The packets sent on this track, when the peer offered generic NACK; otherwise null.</summary>
    public RtpRetransmissionCache? Retransmissions { get; }

    /// <summary>STAP-A payload with SPS and PPS, or null (not H.264, or no sprop-parameter-sets).</summary>
    public byte[]? ParameterSets { get; }

    /// <summary>Added to the source's sequence numbers: one per packet the hub inserted.</summary>
    public ushort SequenceOffset { get; set; }

    public uint PacketCount { get; set; }

    public uint OctetCount { get; set; }

    /// <summary>True when an IDR slice starts here without SPS in front (a NAL unit of type 5, or an FU-A of one).</summary>
    public static bool NeedsParameterSets(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        int type = payload[0] & 0x1F;
        return type == 5 || (type == 28 && payload.Length >= 2 && (payload[1] & 0x1F) == 5);
    }

    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |STAP-A NAL HDR |         NALU 1 Size           | NALU 1 HDR    |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |                         NALU 1 Data ...  | NALU 2 Size | ...
    private static byte[] BuildStapA(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        var payload = new byte[1 + 2 + sps.Length + 2 + pps.Length];
        // F=0, NRI = the highest of the aggregated units (RFC 6184 §5.7.1), type 24.
        payload[0] = (byte)(Math.Max(sps[0] & 0x60, pps[0] & 0x60) | StapA);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(1), (ushort)sps.Length);
        sps.CopyTo(payload.AsSpan(3));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(3 + sps.Length), (ushort)pps.Length);
        pps.CopyTo(payload.AsSpan(5 + sps.Length));
        return payload;
    }
}
