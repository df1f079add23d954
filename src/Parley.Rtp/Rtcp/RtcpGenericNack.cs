using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>
/// Reads and builds the FCI of generic NACK messages (RTPFB FMT 1, RFC 4585 §6.2.1): a list of PID/BLP pairs,
/// each naming a lost packet (PID) and, in the bitmask BLP, up to 16 more lost packets PID+1..PID+16.
/// Allocates nothing.
/// </summary>
public static class RtcpGenericNack
{
    /// <summary>The size of one PID/BLP pair in bytes.</summary>
    public const int EntrySize = 4;

    //    0                   1                   2                   3
    //    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |            PID                |             BLP               |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   BLP bit i (least significant = 0) set means PID + i + 1 is lost too.

    /// <summary>Enumerates the lost sequence numbers in <paramref name="fci"/>, in packet order; a trailing partial
    /// pair (fewer than 4 bytes) is ignored. Use in <c>foreach</c>.</summary>
    public static LostSequenceEnumerator EnumerateLost(ReadOnlySpan<byte> fci) => new(fci);

    /// <summary>Counts the lost sequence numbers named by <paramref name="fci"/> (duplicates counted each time).</summary>
    public static int CountLost(ReadOnlySpan<byte> fci)
    {
        int count = 0;
        for (int offset = 0; offset + EntrySize <= fci.Length; offset += EntrySize)
        {
            count += 1 + System.Numerics.BitOperations.PopCount(BinaryPrimitives.ReadUInt16BigEndian(fci[(offset + 2)..]));
        }

        return count;
    }

    /// <summary>Copies the lost sequence numbers into <paramref name="destination"/>, stopping when it is full.</summary>
    /// <returns>The number written.</returns>
    public static int CopyLost(ReadOnlySpan<byte> fci, Span<ushort> destination)
    {
        int written = 0;
        foreach (ushort sequence in EnumerateLost(fci))
        {
            if (written == destination.Length)
            {
                break;
            }

            destination[written++] = sequence;
        }

        return written;
    }

    /// <summary>
    /// The number of PID/BLP pairs <see cref="WriteFci"/> produces for <paramref name="lostSequenceNumbers"/>.
    /// </summary>
    public static int GetEntryCount(ReadOnlySpan<ushort> lostSequenceNumbers)
    {
        int entries = 0;
        ushort pid = 0;
        foreach (ushort sequence in lostSequenceNumbers)
        {
            int distance = RtpSequence.Distance(pid, sequence);
            if (entries > 0 && distance is >= 0 and <= 16)
            {
                continue;
            }

            pid = sequence;
            entries++;
        }

        return entries;
    }

    /// <summary>
    /// Packs <paramref name="lostSequenceNumbers"/> into PID/BLP pairs (RFC 4585 §6.2.1). Pass them in ascending
    /// (wrap-aware) order for the most compact result: a number within 1..16 after the current PID becomes a BLP
    /// bit, anything else starts a new pair. Every number is included; repeats are harmless.
    /// </summary>
    /// <returns>Bytes written, 4 * <see cref="GetEntryCount"/>.</returns>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public static int WriteFci(Span<byte> destination, ReadOnlySpan<ushort> lostSequenceNumbers)
    {
        int required = GetEntryCount(lostSequenceNumbers) * EntrySize;
        if (destination.Length < required)
        {
            throw new ArgumentException($"Destination is {destination.Length} bytes; the NACK FCI needs {required}.", nameof(destination));
        }

        int offset = -EntrySize;
        ushort pid = 0;
        ushort blp = 0;
        foreach (ushort sequence in lostSequenceNumbers)
        {
            int distance = RtpSequence.Distance(pid, sequence);
            if (offset >= 0 && distance is >= 0 and <= 16)
            {
                if (distance > 0)
                {
                    blp |= (ushort)(1 << (distance - 1));
                }

                continue;
            }

            if (offset >= 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
            }

            offset += EntrySize;
            pid = sequence;
            blp = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
        }

        if (offset >= 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
        }

        return offset + EntrySize;
    }

    /// <summary>Enumerates the sequence numbers named by a generic NACK FCI (RFC 4585 §6.2.1).</summary>
    public ref struct LostSequenceEnumerator
    {
        private readonly ReadOnlySpan<byte> _fci;
        private int _offset;
        private int _bit;
        private ushort _pid;
        private ushort _blp;

        internal LostSequenceEnumerator(ReadOnlySpan<byte> fci)
        {
            _fci = fci;
            _offset = -EntrySize;
            _bit = 16;
            _pid = 0;
            _blp = 0;
            Current = 0;
        }

        /// <summary>The current lost sequence number.</summary>
        public ushort Current { get; private set; }

        /// <summary>Returns this enumerator, so it works in <c>foreach</c>.</summary>
        public readonly LostSequenceEnumerator GetEnumerator() => this;

        /// <summary>Advances to the next lost sequence number.</summary>
        public bool MoveNext()
        {
            while (_bit < 16)
            {
                int bit = _bit++;
                if ((_blp & (1 << bit)) != 0)
                {
                    Current = unchecked((ushort)(_pid + bit + 1));
                    return true;
                }
            }

            if (_offset + (2 * EntrySize) > _fci.Length)
            {
                return false;
            }

            _offset += EntrySize;
            _pid = BinaryPrimitives.ReadUInt16BigEndian(_fci[_offset..]);
            _blp = BinaryPrimitives.ReadUInt16BigEndian(_fci[(_offset + 2)..]);
            _bit = 0;
            Current = _pid;
            return true;
        }
    }
}
