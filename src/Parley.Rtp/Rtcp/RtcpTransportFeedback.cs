using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>
/// Writes transport-wide congestion control feedback: RTPFB (PT 205) with FMT 15
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), the receiver's report of when each packet of a
/// range of transport-wide sequence numbers arrived, so the sender's bandwidth estimator (Chromium's GCC) can
/// measure queuing delay. Read it back with <see cref="RtcpTransportFeedbackView"/>. Allocates nothing.
/// </summary>
/// <remarks>
/// Arrival times are in microseconds on any clock of the receiver; they are rounded to the 250 µs delta unit of
/// §3.1.5 once, as absolute times, so rounding errors do not add up along the packet. Packet statuses are packed
/// greedily: a run of at least 14 equal symbols (or the rest of the packet) becomes a run length chunk (§3.1.3),
/// anything else a status vector chunk (§3.1.4) of fourteen 1-bit symbols when all of them are "not received" or
/// "small delta", else of seven 2-bit symbols. Every chunk but the last covers at least 7 packets.
/// Padding to a 32-bit boundary uses the RTCP P bit with a count in the last byte (RFC 3550 §6.4.1), as libwebrtc
/// writes and reads it.
/// </remarks>
public static class RtcpTransportFeedback
{
    /// <summary>Marks a packet that did not arrive in the arrival times passed to <see cref="Write"/>.</summary>
    public const long NotReceived = -1;

    /// <summary>Bytes of the RTCP header, both SSRCs, base sequence number, status count, reference time and feedback count: 20.</summary>
    public const int FixedLength = 20;

    /// <summary>The receive delta unit in microseconds (§3.1.5).</summary>
    public const int DeltaUnitMicroseconds = 250;

    /// <summary>The reference time unit in microseconds (64 ms, §3.1).</summary>
    public const int ReferenceTimeUnitMicroseconds = 64_000;

    /// <summary>Packet status symbol: not received (§3.1.1).</summary>
    internal const int NotReceivedSymbol = 0;

    /// <summary>Packet status symbol: received, receive delta in one unsigned byte.</summary>
    internal const int SmallDeltaSymbol = 1;

    /// <summary>Packet status symbol: received, receive delta in two signed bytes.</summary>
    internal const int LargeDeltaSymbol = 2;

    private const int MaxRunLength = 0x1FFF;

    //        0                   1                   2                   3
    //        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |V=2|P|  FMT=15 |    PT=205     |           length              |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |                     SSRC of packet sender                     |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |                      SSRC of media source                     |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |      base sequence number     |      packet status count      |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |                 reference time                | fb pkt. count |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |          packet chunk         |         packet chunk          |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       .                                                               .
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |         packet chunk          |  recv delta   |  recv delta   |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       .                                                               .
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //       |           recv delta          |  recv delta   | zero padding  |
    //       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// Writes one feedback packet about the transport-wide sequence numbers <paramref name="baseSequenceNumber"/>,
    /// +1, ... with the arrival times in <paramref name="arrivalMicroseconds"/>. Writes fewer packets than given
    /// when the rest does not fit the destination, or when a receive delta does not fit 16 bits (more than 8 s
    /// between two arrivals); <paramref name="packetCount"/> tells how many, and the caller reports the rest in the
    /// next feedback.
    /// </summary>
    /// <param name="destination">Receives the packet; at least 32 bytes.</param>
    /// <param name="senderSsrc">The SSRC of the receiver sending the feedback.</param>
    /// <param name="mediaSsrc">An SSRC of the media sender (the draft leaves it informational; libwebrtc ignores it).</param>
    /// <param name="baseSequenceNumber">The transport-wide sequence number of the first entry.</param>
    /// <param name="feedbackPacketCount">Incremented per feedback packet sent (§3.1), so the sender sees lost feedback.</param>
    /// <param name="arrivalMicroseconds">Per sequence number: arrival time in microseconds (at least 0, at most
    /// 2^23 × 64 ms), or <see cref="NotReceived"/>.</param>
    /// <param name="packetCount">How many entries of <paramref name="arrivalMicroseconds"/> the packet covers, at least 1.</param>
    /// <returns>Bytes written, a multiple of 4.</returns>
    /// <exception cref="ArgumentException">No arrival times, or the destination is shorter than 32 bytes.</exception>
    public static int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ushort baseSequenceNumber, byte feedbackPacketCount,
        ReadOnlySpan<long> arrivalMicroseconds, out int packetCount)
    {
        if (arrivalMicroseconds.IsEmpty)
        {
            throw new ArgumentException("Feedback covers at least one packet.", nameof(arrivalMicroseconds));
        }

        if (destination.Length < FixedLength + 12)
        {
            throw new ArgumentException("The destination holds fewer than 32 bytes.", nameof(destination));
        }

        long reference = -1;
        foreach (long arrival in arrivalMicroseconds)
        {
            if (arrival != NotReceived)
            {
                reference = Quantize(arrival) / (ReferenceTimeUnitMicroseconds / DeltaUnitMicroseconds);
                break;
            }
        }

        long start = reference < 0 ? 0 : reference * (ReferenceTimeUnitMicroseconds / DeltaUnitMicroseconds);
        int count = CountFitting(destination.Length, start, arrivalMicroseconds[..Math.Min(arrivalMicroseconds.Length, ushort.MaxValue)]);
        var arrivals = arrivalMicroseconds[..count];

        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], baseSequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)count);
        uint referenceField = (uint)(Math.Max(reference, 0) & 0xFFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], (referenceField << 8) | feedbackPacketCount);

        int offset = FixedLength;
        var cursor = new SymbolCursor(arrivals, start);
        while (cursor.Index < count)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], NextChunk(ref cursor, count));
            offset += 2;
        }

        long previous = start;
        foreach (long arrival in arrivals)
        {
            if (arrival == NotReceived)
            {
                continue;
            }

            long q = Quantize(arrival);
            long delta = q - previous;
            previous = q;
            if (delta is >= 0 and <= byte.MaxValue)
            {
                destination[offset++] = (byte)delta;
            }
            else
            {
                BinaryPrimitives.WriteInt16BigEndian(destination[offset..], (short)delta);
                offset += 2;
            }
        }

        int padding = (4 - (offset & 3)) & 3;
        if (padding > 0)
        {
            destination.Slice(offset, padding - 1).Clear();
            destination[offset + padding - 1] = (byte)padding;
            offset += padding;
        }

        destination[0] = (byte)(0x80 | (padding > 0 ? 0x20 : 0) | RtcpFeedbackFormat.TransportWideCongestionControl);
        destination[1] = RtcpPacketType.TransportFeedback;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((offset / 4) - 1));
        packetCount = count;
        return offset;
    }

    /// <summary>Rounds an arrival time to the 250 µs delta unit.</summary>
    internal static long Quantize(long microseconds) => (microseconds + (DeltaUnitMicroseconds / 2)) / DeltaUnitMicroseconds;

    // How many leading entries fit: every delta in 16 bits, and the packet (chunks at most one per 7 entries,
    // deltas, up to 3 padding bytes) in the destination.
    private static int CountFitting(int room, long start, ReadOnlySpan<long> arrivals)
    {
        long previous = start;
        int deltaBytes = 0;
        for (int i = 0; i < arrivals.Length; i++)
        {
            int bytes = 0;
            long q = previous;
            if (arrivals[i] != NotReceived)
            {
                q = Quantize(arrivals[i]);
                long delta = q - previous;
                if (delta is < short.MinValue or > short.MaxValue)
                {
                    return i;
                }

                bytes = delta is >= 0 and <= byte.MaxValue ? 1 : 2;
            }

            int chunks = (i + 1 + 6) / 7;
            if (FixedLength + (2 * chunks) + deltaBytes + bytes + 3 > room)
            {
                return Math.Max(i, 1);
            }

            deltaBytes += bytes;
            previous = q;
        }

        return arrivals.Length;
    }

    private static ushort NextChunk(ref SymbolCursor cursor, int count)
    {
        int remaining = count - cursor.Index;
        int symbol = cursor.Current;
        var probe = cursor;
        int run = 0;
        while (probe.Index < count && run < MaxRunLength && probe.Current == symbol)
        {
            probe.Advance();
            run++;
        }

        //  0                   1
        //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
        // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
        // |T| S |       Run Length        |   run length chunk, T = 0 (§3.1.3)
        // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
        if (run >= 14 || run == remaining)
        {
            cursor = probe;
            return (ushort)((symbol << 13) | run);
        }

        // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
        // |T|S|       symbol list         |   status vector chunk, T = 1 (§3.1.4)
        // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
        probe = cursor;
        bool oneBit = true;
        for (int i = 0; i < 14 && probe.Index < count; i++)
        {
            oneBit &= probe.Current <= SmallDeltaSymbol;
            probe.Advance();
        }

        int chunk = 0x8000;
        if (oneBit)
        {
            for (int i = 0; i < 14; i++)
            {
                if (cursor.Index < count)
                {
                    chunk |= cursor.Current << (13 - i);
                    cursor.Advance();
                }
            }
        }
        else
        {
            chunk |= 0x4000;
            for (int i = 0; i < 7; i++)
            {
                if (cursor.Index < count)
                {
                    chunk |= cursor.Current << (12 - (2 * i));
                    cursor.Advance();
                }
            }
        }

        return (ushort)chunk;
    }

    // Walks the entries computing each one's status symbol, which depends on the previous received arrival.
    private ref struct SymbolCursor(ReadOnlySpan<long> arrivals, long start)
    {
        private readonly ReadOnlySpan<long> _arrivals = arrivals;
        private long _previous = start;

        public int Index { get; private set; }

        public readonly int Current
        {
            get
            {
                long arrival = _arrivals[Index];
                if (arrival == NotReceived)
                {
                    return NotReceivedSymbol;
                }

                long delta = Quantize(arrival) - _previous;
                return delta is >= 0 and <= byte.MaxValue ? SmallDeltaSymbol : LargeDeltaSymbol;
            }
        }

        public void Advance()
        {
            long arrival = _arrivals[Index++];
            if (arrival != NotReceived)
            {
                _previous = Quantize(arrival);
            }
        }
    }
}
