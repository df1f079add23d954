using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>A zero-copy view over an RTCP receiver report, PT 201 (RFC 3550 §6.4.2).</summary>
public readonly ref struct RtcpReceiverReportView
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly int _reportCount;

    private RtcpReceiverReportView(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        _reportCount = reportCount;
    }

    //          0                   1                   2                   3
    //          0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  header |V=2|P|    RC   |   PT=RR=201   |             length            |
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         |                     SSRC of packet sender                     |
    //         +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  report |                 SSRC_1 (SSRC of first source)                 |
    //  block  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //    1    :               ... 24 bytes, see RtcpReportBlock ...           :
    //         +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //         |                  profile-specific extensions                  |
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>Interprets <paramref name="packet"/> as a receiver report (RFC 3550 §6.4.2). Never throws.</summary>
    /// <returns>False when the type is not 201 or the body is shorter than 4 + 24 * RC bytes.</returns>
    public static bool TryParse(in RtcpPacketView packet, out RtcpReceiverReportView report)
    {
        report = default;
        ReadOnlySpan<byte> body = packet.Body;
        int count = packet.Count;
        if (packet.PacketType != RtcpPacketType.ReceiverReport || body.Length < 4 + (count * RtcpReportBlock.Size))
        {
            return false;
        }

        report = new RtcpReceiverReportView(body, count);
        return true;
    }

    /// <summary>The SSRC of the receiver sending this report.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>The number of report blocks (RC), 0-31.</summary>
    public int ReportCount => _reportCount;

    /// <summary>Returns report block <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in 0..<see cref="ReportCount"/>-1.</exception>
    public RtcpReportBlock GetReportBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _reportCount);
        RtcpReportBlock.TryRead(_body[(4 + (index * RtcpReportBlock.Size))..], out var block);
        return block;
    }

    /// <summary>Any bytes after the report blocks (profile-specific extensions, RFC 3550 §6.4.2).</summary>
    public ReadOnlySpan<byte> ProfileExtensions => _body[(4 + (_reportCount * RtcpReportBlock.Size))..];
}
