using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>A zero-copy view over an RTCP sender report, PT 200 (RFC 3550 §6.4.1).</summary>
public readonly ref struct RtcpSenderReportView
{
    private const int SenderInfoLength = 20;

    private readonly ReadOnlySpan<byte> _body;
    private readonly int _reportCount;

    private RtcpSenderReportView(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        _reportCount = reportCount;
    }

    //          0                   1                   2                   3
    //          0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  header |V=2|P|    RC   |   PT=SR=200   |             length            |
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         |                         SSRC of sender                        |
    //         +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  sender |              NTP timestamp, most significant word             |
    //  info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         |             NTP timestamp, least significant word             |
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         |                         RTP timestamp                         |
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         |                     sender's packet count                     |
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         |                      sender's octet count                     |
    //         +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  report |                 SSRC_1 (SSRC of first source)                 |
    //  block  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //    1    :               ... 24 bytes, see RtcpReportBlock ...           :
    //         +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //         |                  profile-specific extensions                  |
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>Interprets <paramref name="packet"/> as a sender report (RFC 3550 §6.4.1). Never throws.</summary>
    /// <returns>False when the type is not 200 or the body is shorter than 24 + 24 * RC bytes (SSRC, 20 bytes of sender info, the blocks).</returns>
    public static bool TryParse(in RtcpPacketView packet, out RtcpSenderReportView report)
    {
        report = default;
        ReadOnlySpan<byte> body = packet.Body;
        int count = packet.Count;
        if (packet.PacketType != RtcpPacketType.SenderReport || body.Length < 4 + SenderInfoLength + (count * RtcpReportBlock.Size))
        {
            return false;
        }

        report = new RtcpSenderReportView(body, count);
        return true;
    }

    /// <summary>The SSRC of the sender.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>The sender's wall clock when the report was sent; pairs with <see cref="RtpTimestamp"/> for A/V sync.</summary>
    public NtpTimestamp NtpTimestamp => new(BinaryPrimitives.ReadUInt64BigEndian(_body[4..]));

    /// <summary>The same instant as <see cref="NtpTimestamp"/>, in RTP clock units of the sender's media.</summary>
    public uint RtpTimestamp => BinaryPrimitives.ReadUInt32BigEndian(_body[12..]);

    /// <summary>RTP data packets sent since the start of transmission (wraps at 2^32).</summary>
    public uint PacketCount => BinaryPrimitives.ReadUInt32BigEndian(_body[16..]);

    /// <summary>RTP payload octets sent since the start of transmission (wraps at 2^32), headers and padding excluded.</summary>
    public uint OctetCount => BinaryPrimitives.ReadUInt32BigEndian(_body[20..]);

    /// <summary>The number of report blocks (RC), 0-31.</summary>
    public int ReportCount => _reportCount;

    /// <summary>Returns report block <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in 0..<see cref="ReportCount"/>-1.</exception>
    public RtcpReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _reportCount);
        RtcpReportBlock.TryRead(_body[(4 + SenderInfoLength + (index * RtcpReportBlock.Size))..], out var block);
        return block;
    }

    /// <summary>Any bytes after the report blocks (profile-specific extensions, RFC 3550 §6.4.1).</summary>
    public ReadOnlySpan<byte> ProfileExtensions => _body[(4 + SenderInfoLength + (_reportCount * RtcpReportBlock.Size))..];
}
