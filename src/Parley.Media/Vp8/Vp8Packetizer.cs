namespace Parley.Media.Vp8;

/// <summary>
/// Splits VP8 frames into RTP packets (RFC 7741 §4): each packet carries a payload descriptor with a 15-bit
/// picture ID (§4.2), the first packet of a frame has S = 1 and PID = 0, all packets share the frame's 90 kHz
/// timestamp and the last carries the marker bit (§4.1). The frame is cut into equal-sized pieces without regard
/// to partition boundaries, which §4.4 allows (PID stays 0). Packets go straight into the caller's buffers; nothing
/// is allocated per packet.
/// </summary>
/// <remarks>
/// <see cref="MaxPayloadSize"/> (default 1200 bytes after the RTP header, descriptor included) leaves room on a
/// 1500-byte path for IP/UDP headers, header extensions and the SRTP tag. One instance per stream; not thread-safe.
/// </remarks>
public sealed class Vp8Packetizer
{
    /// <summary>The RTP clock rate of VP8 video, in Hz (RFC 7741 §4.1).</summary>
    public const int ClockRate = 90000;

    /// <summary>The default payload budget in bytes after the RTP header.</summary>
    public const int DefaultMaxPayloadSize = 1200;

    /// <summary>The smallest payload budget accepted, in bytes: the descriptor and some data.</summary>
    public const int MinMaxPayloadSize = 8;

    private const int DescriptorLength = 4;
    private RtpPacketStream _stream;

    /// <summary>Creates a packetizer for one RTP stream.</summary>
    /// <param name="ssrc">The stream's SSRC.</param>
    /// <param name="payloadType">The dynamic payload type from the SDP, 0-127.</param>
    /// <param name="initialSequenceNumber">The first sequence number (RFC 3550 suggests a random one).</param>
    /// <param name="initialPictureId">The first picture ID, 0-32767 (§4.2 suggests a random one).</param>
    /// <exception cref="ArgumentOutOfRangeException">payloadType above 127 or initialPictureId outside 0-32767.</exception>
    public Vp8Packetizer(uint ssrc, byte payloadType = 96, ushort initialSequenceNumber = 0, int initialPictureId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialPictureId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialPictureId, 0x7FFF);
        _stream = new RtpPacketStream(ssrc, payloadType, initialSequenceNumber, MinMaxPayloadSize, DefaultMaxPayloadSize);
        PictureId = initialPictureId;
    }

    /// <summary>The sequence number the next packet will carry; increments by one per packet, wrapping.</summary>
    public ushort SequenceNumber => _stream.SequenceNumber;

    /// <summary>The picture ID the next frame will carry; increments by one per frame, wrapping at 15 bits.</summary>
    public int PictureId { get; private set; }

    /// <summary>Payload budget in bytes after the RTP header, descriptor included (default 1200).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below <see cref="MinMaxPayloadSize"/> or above 65000.</exception>
    public int MaxPayloadSize
    {
        get => _stream.MaxPayloadSize;
        set => _stream.MaxPayloadSize = value;
    }

    /// <summary>The longest packet this packetizer writes, in bytes: RTP header plus <see cref="MaxPayloadSize"/>.</summary>
    public int MaxPacketLength => _stream.MaxPacketLength;

    /// <summary>Packetizes one VP8 frame into <paramref name="sink"/>.</summary>
    /// <param name="frame">The frame as the encoder produced it (RFC 6386), not empty.</param>
    /// <param name="timestamp">Its RTP timestamp, 90 kHz.</param>
    /// <param name="sink">Receives the packets, one <see cref="IRtpPacketSink.Commit"/> per packet, in order.</param>
    /// <param name="nonReference">Sets N: no later frame refers to this one.</param>
    /// <returns>Packets written.</returns>
    /// <exception cref="ArgumentException">The frame is empty.</exception>
    /// <exception cref="InvalidOperationException">The sink returned a buffer shorter than <see cref="MaxPacketLength"/>.</exception>
    public int Packetize(ReadOnlySpan<byte> frame, uint timestamp, IRtpPacketSink sink, bool nonReference = false)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (frame.IsEmpty)
        {
            throw new ArgumentException("A VP8 frame has at least its 3-byte frame tag.", nameof(frame));
        }

        // Equal pieces, so the last packet is not a runt that costs a whole packet's overhead for a few bytes.
        int budget = _stream.MaxPayloadSize - DescriptorLength;
        int packets = (frame.Length + budget - 1) / budget;
        int piece = (frame.Length + packets - 1) / packets;
        _stream.StartFrame(timestamp);
        for (int i = 0; i < packets; i++)
        {
            Span<byte> packet = _stream.Begin(ref sink, out int headerLength);
            ReadOnlySpan<byte> data = frame.Slice(i * piece, Math.Min(piece, frame.Length - (i * piece)));
            int descriptor = Vp8PayloadDescriptor.Write(packet[headerLength..], frameStart: i == 0, nonReference, PictureId);
            data.CopyTo(packet[(headerLength + descriptor)..]);
            _stream.Commit(ref sink, packet, headerLength + descriptor + data.Length, marker: i == packets - 1);
        }

        PictureId = (PictureId + 1) & 0x7FFF;
        return packets;
    }
}
