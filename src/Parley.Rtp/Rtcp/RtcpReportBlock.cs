using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>
/// One reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes on the wire.
/// </summary>
/// <param name="Ssrc">SSRC_n, the source this block reports on.</param>
/// <param name="FractionLost">Packets lost since the previous report, as a fixed-point fraction of 256.</param>
/// <param name="CumulativeLost">Packets lost since reception began, 24-bit signed (duplicates can make it
/// negative); written clamped to -8388608..8388607.</param>
/// <param name="ExtendedHighestSequence">Cycles * 65536 + highest sequence number received.</param>
/// <param name="Jitter">Interarrival jitter in RTP timestamp units (RFC 3550 A.8).</param>
/// <param name="LastSenderReport">LSR: middle 32 bits of the NTP timestamp of the last SR, 0 if none.</param>
/// <param name="DelaySinceLastSenderReport">DLSR: delay since that SR, units of 1/65536 s, 0 if none.</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    /// <summary>The size of a report block in bytes.</summary>
    public const int Size = 24;

    /// <summary>The largest cumulative loss the 24-bit field holds.</summary>
    public const int MaxCumulativeLost = 0x7FFFFF;

    /// <summary>The smallest cumulative loss the 24-bit field holds.</summary>
    public const int MinCumulativeLost = -0x800000;

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |                 SSRC_1 (SSRC of first source)                 |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  | fraction lost |       cumulative number of packets lost       |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |           extended highest sequence number received           |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                      interarrival jitter                      |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                         last SR (LSR)                         |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                   delay since last SR (DLSR)                  |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+

    /// <summary>Reads a report block from the first 24 bytes of <paramref name="buffer"/> (RFC 3550 §6.4.1).</summary>
    /// <returns>False when fewer than 24 bytes are given. Never throws.</returns>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out RtcpReportBlock block)
    {
        if (buffer.Length < Size)
        {
            block = default;
            return false;
        }

        uint lossWord = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        block = new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(buffer),
            (byte)(lossWord >> 24),
            unchecked((int)(lossWord << 8)) >> 8,
            BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(buffer[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(buffer[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(buffer[20..]));
        return true;
    }

    /// <summary>Writes this block into the first 24 bytes of <paramref name="destination"/>, clamping
    /// <see cref="CumulativeLost"/> to 24 bits as RFC 3550 §6.4.1 asks.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than 24 bytes.</exception>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A report block needs {Size} bytes; destination has {destination.Length}.", nameof(destination));
        }

        int lost = Math.Clamp(CumulativeLost, MinCumulativeLost, MaxCumulativeLost);
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ((uint)FractionLost << 24) | (unchecked((uint)lost) & 0xFF_FFFF));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }
}
