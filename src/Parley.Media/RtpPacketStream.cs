using Parley.Rtp;

namespace Parley.Media;

/// <summary>
/// What every video packetizer keeps for its one RTP stream (RFC 3550 §5.1): the header it writes (SSRC, payload
/// type, the sequence number that rises by one per packet, the frame's timestamp), the payload budget after the
/// header, and the packet count. Packets are written in place in the sink's buffer: <see cref="Begin"/> hands out
/// the buffer and the header length, the caller writes the payload after the header, and <see cref="Commit"/>
/// writes the header last, because the marker bit is known only then.
/// </summary>
/// <remarks>A mutable struct: keep it in a non-readonly field. Not thread-safe, like the packetizers.</remarks>
internal struct RtpPacketStream
{
    /// <summary>The largest payload budget accepted, in bytes: below the 65,535-byte UDP payload limit.</summary>
    public const int MaxMaxPayloadSize = 65000;

    private readonly int _minMaxPayloadSize;
    private RtpHeader _header;
    private int _maxPayloadSize;

    /// <param name="ssrc">The stream's SSRC.</param>
    /// <param name="payloadType">The payload type, 0-127.</param>
    /// <param name="initialSequenceNumber">The first sequence number.</param>
    /// <param name="minMaxPayloadSize">The smallest payload budget the payload format can work with, in bytes.</param>
    /// <param name="maxPayloadSize">The starting payload budget, in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">payloadType above 127.</exception>
    public RtpPacketStream(uint ssrc, byte payloadType, ushort initialSequenceNumber, int minMaxPayloadSize, int maxPayloadSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        _header = new RtpHeader { Ssrc = ssrc, PayloadType = payloadType, SequenceNumber = initialSequenceNumber };
        _minMaxPayloadSize = minMaxPayloadSize;
        MaxPayloadSize = maxPayloadSize;
    }

    public readonly uint Ssrc => _header.Ssrc;

    public readonly byte PayloadType => _header.PayloadType;

    public readonly ushort SequenceNumber => _header.SequenceNumber;

    /// <summary>Packets committed so far.</summary>
    public long PacketsWritten { get; private set; }

    /// <summary>Payload budget in bytes after the RTP header.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below the format's minimum or above <see cref="MaxMaxPayloadSize"/>.</exception>
    public int MaxPayloadSize
    {
        readonly get => _maxPayloadSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, _minMaxPayloadSize);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxMaxPayloadSize);
            _maxPayloadSize = value;
        }
    }

    /// <summary>The longest packet written, in bytes: RTP header plus <see cref="MaxPayloadSize"/>.</summary>
    public readonly int MaxPacketLength => RtpPacketWriter.GetHeaderLength(_header) + _maxPayloadSize;

    /// <summary>Sets the timestamp every packet of the next frame carries.</summary>
    public void StartFrame(uint timestamp) => _header.Timestamp = timestamp;

    /// <summary>Takes the next packet's buffer from the sink; the payload goes at <paramref name="headerLength"/>.</summary>
    /// <exception cref="InvalidOperationException">The sink returned fewer than <see cref="MaxPacketLength"/> bytes.</exception>
    public readonly Span<byte> Begin<TSink>(ref TSink sink, out int headerLength)
        where TSink : IRtpPacketSink
    {
        int maxPacket = MaxPacketLength;
        Span<byte> packet = sink.GetPacketBuffer(maxPacket);
        if (packet.Length < maxPacket)
        {
            throw new InvalidOperationException($"The packet sink returned {packet.Length} bytes; {maxPacket} were requested.");
        }

        headerLength = RtpPacketWriter.GetHeaderLength(_header);
        return packet;
    }

    /// <summary>Writes the header into <paramref name="packet"/>, commits <paramref name="length"/> bytes and moves to the next sequence number.</summary>
    public void Commit<TSink>(ref TSink sink, Span<byte> packet, int length, bool marker)
        where TSink : IRtpPacketSink
    {
        _header.Marker = marker;
        RtpPacketWriter.Write(packet, _header, default);
        sink.Commit(length, marker);
        _header.SequenceNumber = unchecked((ushort)(_header.SequenceNumber + 1));
        PacketsWritten++;
    }
}
