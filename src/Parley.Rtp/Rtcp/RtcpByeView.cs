using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>A zero-copy view over an RTCP BYE packet, PT 203 (RFC 3550 §6.6).</summary>
public readonly ref struct RtcpByeView
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly int _sourceCount;
    private readonly ReadOnlySpan<byte> _reason;
    private readonly bool _hasReason;

    private RtcpByeView(ReadOnlySpan<byte> body, int sourceCount, ReadOnlySpan<byte> reason, bool hasReason)
    {
        _body = body;
        _sourceCount = sourceCount;
        _reason = reason;
        _hasReason = hasReason;
    }

    //         0                   1                   2                   3
    //         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //        |V=2|P|    SC   |   PT=BYE=203  |             length            |
    //        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //        |                           SSRC/CSRC                           |
    //        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //        :                              ...                              :
    //        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  (opt) |     length    |               reason for leaving            ...
    //        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>Interprets <paramref name="packet"/> as a BYE (RFC 3550 §6.6). Never throws.</summary>
    /// <returns>False when the type is not 203, the body is shorter than 4 * SC bytes, or a reason's length
    /// byte runs past the body.</returns>
    public static bool TryParse(in RtcpPacketView packet, out RtcpByeView bye)
    {
        bye = default;
        ReadOnlySpan<byte> body = packet.Body;
        int count = packet.Count;
        if (packet.PacketType != RtcpPacketType.Goodbye || body.Length < 4 * count)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = body[(4 * count)..];
        ReadOnlySpan<byte> reason = default;
        bool hasReason = false;
        if (!rest.IsEmpty && rest[0] != 0)
        {
            if (1 + rest[0] > rest.Length)
            {
                return false;
            }

            reason = rest.Slice(1, rest[0]);
            hasReason = true;
        }

        bye = new RtcpByeView(body, count, reason, hasReason);
        return true;
    }

    /// <summary>The number of SSRC/CSRC identifiers leaving (SC), 0-31.</summary>
    public int SourceCount => _sourceCount;

    /// <summary>Returns the SSRC/CSRC at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in 0..<see cref="SourceCount"/>-1.</exception>
    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _sourceCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_body[(4 * index)..]);
    }

    /// <summary>True when a non-empty reason for leaving is present.</summary>
    public bool HasReason => _hasReason;

    /// <summary>The reason for leaving, UTF-8 text without the length byte; empty when absent.</summary>
    public ReadOnlySpan<byte> Reason => _reason;
}
