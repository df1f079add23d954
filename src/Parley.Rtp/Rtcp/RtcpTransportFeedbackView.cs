using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>One entry of a transport-wide feedback packet: a transport-wide sequence number and when it arrived.</summary>
/// <param name="SequenceNumber">The transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).</param>
/// <param name="IsReceived">False when the receiver reports the packet as not received.</param>
/// <param name="ArrivalMicroseconds">The arrival time in microseconds on the receiver's clock (reference time plus
/// the receive deltas so far), a multiple of 250; 0 when not received.</param>
public readonly record struct RtcpTransportFeedbackPacket(ushort SequenceNumber, bool IsReceived, long ArrivalMicroseconds);

/// <summary>
/// A zero-copy view over transport-wide congestion control feedback, RTPFB FMT 15
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1; the packet layout is drawn on
/// <see cref="RtcpTransportFeedback"/>). <see cref="TryParse"/> checks that the chunks and deltas are complete,
/// so enumerating <see cref="GetEnumerator"/> never fails.
/// </summary>
public readonly ref struct RtcpTransportFeedbackView
{
    private readonly ReadOnlySpan<byte> _fci;
    private readonly int _deltaOffset;

    private RtcpTransportFeedbackView(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci, int deltaOffset)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _fci = fci;
        _deltaOffset = deltaOffset;
    }

    /// <summary>The SSRC of the receiver that sent the feedback.</summary>
    public uint SenderSsrc { get; }

    /// <summary>The media source SSRC field (informational).</summary>
    public uint MediaSsrc { get; }

    /// <summary>The transport-wide sequence number of the first entry.</summary>
    public ushort BaseSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_fci);

    /// <summary>How many consecutive sequence numbers the packet reports on, at least 1.</summary>
    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_fci[2..]);

    /// <summary>The reference time, a signed 24-bit count of 64 ms, in microseconds.</summary>
    public long ReferenceTimeMicroseconds => ((BinaryPrimitives.ReadInt32BigEndian(_fci[4..]) >> 8) * (long)RtcpTransportFeedback.ReferenceTimeUnitMicroseconds);

    /// <summary>The feedback packet count, incremented by the receiver per feedback packet.</summary>
    public byte FeedbackPacketCount => _fci[7];

    /// <summary>Interprets <paramref name="feedback"/> as transport-wide feedback. Never throws.</summary>
    /// <returns>False when it is not RTPFB FMT 15, the status count is 0, a chunk holds the reserved symbol 3, or
    /// the chunks or receive deltas run past the packet.</returns>
    public static bool TryParse(in RtcpFeedbackView feedback, out RtcpTransportFeedbackView view)
    {
        view = default;
        if (feedback.PacketType != RtcpPacketType.TransportFeedback || feedback.Format != RtcpFeedbackFormat.TransportWideCongestionControl)
        {
            return false;
        }

        var fci = feedback.Fci;
        if (fci.Length < 8)
        {
            return false;
        }

        int statusCount = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
        if (statusCount == 0)
        {
            return false;
        }

        int offset = 8, seen = 0, deltaBytes = 0;
        while (seen < statusCount)
        {
            if (offset + 2 > fci.Length)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(fci[offset..]);
            offset += 2;
            int symbols = SymbolsIn(chunk);
            for (int i = 0; i < symbols && seen < statusCount; i++, seen++)
            {
                int symbol = SymbolAt(chunk, i);
                if (symbol == 3)
                {
                    return false;
                }

                deltaBytes += symbol;
            }
        }

        if (offset + deltaBytes > fci.Length)
        {
            return false;
        }

        view = new RtcpTransportFeedbackView(feedback.SenderSsrc, feedback.MediaSsrc, fci, offset);
        return true;
    }

    /// <summary>Enumerates the <see cref="PacketStatusCount"/> entries in sequence order, without allocating.</summary>
    public PacketEnumerator GetEnumerator() => new(_fci, _deltaOffset, ReferenceTimeMicroseconds);

    // Run length chunks hold up to 8191 of one symbol; vectors 14 one-bit or 7 two-bit symbols.
    private static int SymbolsIn(ushort chunk) =>
        (chunk & 0x8000) == 0 ? chunk & 0x1FFF : (chunk & 0x4000) == 0 ? 14 : 7;

    private static int SymbolAt(ushort chunk, int index) =>
        (chunk & 0x8000) == 0 ? (chunk >> 13) & 3
        : (chunk & 0x4000) == 0 ? (chunk >> (13 - index)) & 1
        : (chunk >> (12 - (2 * index))) & 3;

    /// <summary>Walks chunks and receive deltas side by side.</summary>
    public ref struct PacketEnumerator
    {
        private readonly ReadOnlySpan<byte> _fci;
        private readonly int _count;
        private int _chunkOffset;
        private int _symbolIndex;
        private int _deltaOffset;
        private int _produced;
        private long _arrival;

        internal PacketEnumerator(ReadOnlySpan<byte> fci, int deltaOffset, long reference)
        {
            _fci = fci;
            _count = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
            _chunkOffset = 8;
            _deltaOffset = deltaOffset;
            _arrival = reference;
        }

        /// <summary>The current entry.</summary>
        public RtcpTransportFeedbackPacket Current { get; private set; }

        /// <summary>Advances to the next entry.</summary>
        public bool MoveNext()
        {
            if (_produced >= _count)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(_fci[_chunkOffset..]);
            while (_symbolIndex >= SymbolsIn(chunk))
            {
                // A run length of 0 holds no entry; TryParse proved a later chunk exists.
                _chunkOffset += 2;
                _symbolIndex = 0;
                chunk = BinaryPrimitives.ReadUInt16BigEndian(_fci[_chunkOffset..]);
            }

            int symbol = SymbolAt(chunk, _symbolIndex++);
            ushort sequence = unchecked((ushort)(BinaryPrimitives.ReadUInt16BigEndian(_fci) + _produced));
            _produced++;
            if (symbol == RtcpTransportFeedback.NotReceivedSymbol)
            {
                Current = new RtcpTransportFeedbackPacket(sequence, false, 0);
                return true;
            }

            int delta = symbol == RtcpTransportFeedback.SmallDeltaSymbol
                ? _fci[_deltaOffset]
                : BinaryPrimitives.ReadInt16BigEndian(_fci[_deltaOffset..]);
            _deltaOffset += symbol;
            _arrival += delta * (long)RtcpTransportFeedback.DeltaUnitMicroseconds;
            Current = new RtcpTransportFeedbackPacket(sequence, true, _arrival);
            return true;
        }
    }
}
