using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>
/// A zero-copy view over an RTCP feedback message, RTPFB (PT 205) or PSFB (PT 206) (RFC 4585 §6.1).
/// </summary>
public readonly ref struct RtcpFeedbackView
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly byte _packetType;
    private readonly int _format;

    private RtcpFeedbackView(ReadOnlySpan<byte> body, byte packetType, int format)
    {
        _body = body;
        _packetType = packetType;
        _format = format;
    }

    //    0                   1                   2                   3
    //    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |V=2|P|   FMT   |       PT      |          length               |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |                  SSRC of packet sender                        |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |                  SSRC of media source                         |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   :            Feedback Control Information (FCI)                 :
    //   :                                                               :

    /// <summary>Interprets <paramref name="packet"/> as a feedback message (RFC 4585 §6.1). Never throws.</summary>
    /// <returns>False when the type is not 205 or 206 or the body is shorter than 8 bytes.</returns>
    public static bool TryParse(in RtcpPacketView packet, out RtcpFeedbackView feedback)
    {
        feedback = default;
        ReadOnlySpan<byte> body = packet.Body;
        byte type = packet.PacketType;
        if (type is not (RtcpPacketType.TransportFeedback or RtcpPacketType.PayloadFeedback) || body.Length < 8)
        {
            return false;
        }

        feedback = new RtcpFeedbackView(body, type, packet.Count);
        return true;
    }

    /// <summary>205 (RTPFB, transport layer) or 206 (PSFB, payload-specific).</summary>
    public byte PacketType => _packetType;

    /// <summary>The feedback message type (FMT), see <see cref="RtcpFeedbackFormat"/>.</summary>
    public int Format => _format;

    /// <summary>The SSRC of the packet sender (the one asking).</summary>
    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>The SSRC of the media source the feedback is about.</summary>
    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body[4..]);

    /// <summary>The feedback control information; layout depends on <see cref="PacketType"/> and <see cref="Format"/>.</summary>
    public ReadOnlySpan<byte> Fci => _body[8..];

    /// <summary>True for a picture loss indication: PSFB with FMT 1 (RFC 4585 §6.3.1). PLI has no FCI.</summary>
    public bool IsPictureLossIndication =>
        _packetType == RtcpPacketType.PayloadFeedback && _format == RtcpFeedbackFormat.PictureLossIndication;

    /// <summary>True for a generic NACK: RTPFB with FMT 1 (RFC 4585 §6.2.1); read it with <see cref="RtcpGenericNack"/>.</summary>
    public bool IsGenericNack =>
        _packetType == RtcpPacketType.TransportFeedback && _format == RtcpFeedbackFormat.GenericNack;

    /// <summary>True for a full intra request: PSFB with FMT 4 (RFC 5104 §4.3.1).</summary>
    public bool IsFullIntraRequest =>
        _packetType == RtcpPacketType.PayloadFeedback && _format == RtcpFeedbackFormat.FullIntraRequest;
}
