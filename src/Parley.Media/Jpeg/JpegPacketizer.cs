using System.Buffers;

namespace Parley.Media.Jpeg;

/// <summary>
/// Splits baseline JPEG frames into RTP packets (RFC 2435): the 8-byte main JPEG header in every packet, the
/// restart marker header for frames with DRI (types 64/65), the quantization tables in band in the first packet
/// (Q = 255 by default), the entropy-coded data cut at the payload budget, the marker bit on the last packet and
/// one 90 kHz timestamp per frame. Packets go straight into the caller's buffers; nothing is allocated per packet.
/// </summary>
/// <remarks>
/// <para><see cref="MaxPayloadSize"/> (default 1200 bytes after the RTP header) leaves room on a 1500-byte path
/// for IPv6 (40) or IPv4 (20) and UDP (8) headers, the 12-byte RTP header with CSRCs and header extensions, and
/// the SRTP authentication tag (10-16 bytes), with margin for tunnels (VPN, PPPoE) that shrink the MTU.</para>
/// <para>Only what RFC 2435 can describe is accepted: 8-bit baseline, 3 components sampled 4:2:0 (type 1) or
/// 4:2:2 (type 0), standard Huffman tables, width and height up to 2040 pixels (sent rounded up to 8-pixel
/// units). libturbojpeg's and ffmpeg's mjpeg output qualifies. One instance per stream; not thread-safe.</para>
/// </remarks>
public sealed class JpegPacketizer
{
    /// <summary>The RTP clock rate of JPEG video, in Hz (RFC 2435 §3, RFC 3551 §6).</summary>
    public const int ClockRate = 90000;

    /// <summary>The static payload type of JPEG (RFC 3551 §6, "JPEG/90000").</summary>
    public const byte StaticPayloadType = 26;

    /// <summary>The default payload budget in bytes after the RTP header; see the remarks.</summary>
    public const int DefaultMaxPayloadSize = 1200;

    /// <summary>
    /// The smallest payload budget accepted, in bytes: the main and restart headers plus two 16-bit quantization
    /// tables with their header (8 + 4 + 4 + 256) and a little data.
    /// </summary>
    public const int MinMaxPayloadSize = 300;

    private RtpPacketStream _stream;
    private byte _q = 255;
    private byte[] _scratch = [];

    /// <summary>Creates a packetizer for one RTP stream.</summary>
    /// <param name="ssrc">The stream's SSRC.</param>
    /// <param name="payloadType">The payload type, 0-127; 26 is JPEG's static one.</param>
    /// <param name="initialSequenceNumber">The first sequence number (RFC 3550 suggests a random one).</param>
    /// <exception cref="ArgumentOutOfRangeException">payloadType above 127.</exception>
    public JpegPacketizer(uint ssrc, byte payloadType = StaticPayloadType, ushort initialSequenceNumber = 0)
    {
        _stream = new RtpPacketStream(ssrc, payloadType, initialSequenceNumber, MinMaxPayloadSize, DefaultMaxPayloadSize);
    }

    /// <summary>The SSRC written into every packet.</summary>
    public uint Ssrc => _stream.Ssrc;

    /// <summary>The payload type written into every packet.</summary>
    public byte PayloadType => _stream.PayloadType;

    /// <summary>The sequence number the next packet will carry; increments by one per packet, wrapping.</summary>
    public ushort SequenceNumber => _stream.SequenceNumber;

    /// <summary>Payload budget in bytes after the RTP header (default 1200; see the class remarks).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below <see cref="MinMaxPayloadSize"/> or above 65000.</exception>
    public int MaxPayloadSize
    {
        get => _stream.MaxPayloadSize;
        set => _stream.MaxPayloadSize = value;
    }

    /// <summary>
    /// The Q field (RFC 2435 §3.1.4). 128-255 (default 255) send the file's tables in the first packet of every
    /// frame (§3.1.8; 255 means "may change every frame"). 1-99 send no tables: the receiver derives them from Q
    /// (Appendix A), so the JPEG must have been encoded with exactly those tables (libjpeg quality Q does).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">0 or 100-127 (reserved).</exception>
    public byte Q
    {
        get => _q;
        set
        {
            if (value is 0 or (>= 100 and < 128))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Q must be 1-99 or 128-255 (RFC 2435 §3.1.4).");
            }

            _q = value;
        }
    }

    /// <summary>The longest packet this packetizer writes, in bytes: RTP header plus <see cref="MaxPayloadSize"/>.</summary>
    public int MaxPacketLength => _stream.MaxPacketLength;

    /// <summary>Frames packetized so far.</summary>
    public long FramesPacketized { get; private set; }

    /// <summary>Packets written so far.</summary>
    public long PacketsWritten => _stream.PacketsWritten;

    /// <summary>
    /// Packetizes one JPEG frame into <paramref name="sink"/>, one <see cref="IRtpPacketSink.Commit"/> per packet.
    /// </summary>
    /// <param name="jpeg">One complete baseline JPEG/JFIF file (SOI ... EOI).</param>
    /// <param name="timestamp">The frame's RTP timestamp in 90 kHz units (sampling instant, RFC 2435 §3).</param>
    /// <param name="sink">Receives the packets.</param>
    /// <param name="error">Why the frame was refused; <see cref="JpegFrameError.None"/> on success.</param>
    /// <returns>False, with nothing written, when RTP/JPEG cannot carry this JPEG (see <paramref name="error"/>).</returns>
    /// <exception cref="ArgumentNullException">sink is null.</exception>
    public bool TryPacketize(ReadOnlySpan<byte> jpeg, uint timestamp, IRtpPacketSink sink, out JpegFrameError error)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var adapter = new InterfaceSink(sink);
        return TryPacketize(jpeg, timestamp, ref adapter, out error);
    }

    /// <summary>
    /// Packetizes one JPEG frame, handing each packet to <paramref name="onPacket"/> in a buffer this packetizer
    /// reuses (copy it if you keep it). The state argument avoids a closure allocation.
    /// </summary>
    /// <param name="jpeg">One complete baseline JPEG/JFIF file.</param>
    /// <param name="timestamp">The frame's RTP timestamp in 90 kHz units.</param>
    /// <param name="onPacket">Called once per packet with the whole RTP packet, in order.</param>
    /// <param name="state">Passed to onPacket.</param>
    /// <param name="error">Why the frame was refused; <see cref="JpegFrameError.None"/> on success.</param>
    /// <returns>False, with no callback, when RTP/JPEG cannot carry this JPEG.</returns>
    /// <exception cref="ArgumentNullException">onPacket is null.</exception>
    public bool TryPacketize<TState>(ReadOnlySpan<byte> jpeg, uint timestamp, ReadOnlySpanAction<byte, TState> onPacket, TState state, out JpegFrameError error)
    {
        ArgumentNullException.ThrowIfNull(onPacket);
        if (_scratch.Length < MaxPacketLength)
        {
            _scratch = new byte[MaxPacketLength];
        }

        var adapter = new CallbackSink<TState>(_scratch, onPacket, state);
        return TryPacketize(jpeg, timestamp, ref adapter, out error);
    }

    private bool TryPacketize<TSink>(ReadOnlySpan<byte> jpeg, uint timestamp, ref TSink sink, out JpegFrameError error)
        where TSink : struct, IRtpPacketSink
    {
        if (!JpegFrameInfo.TryParse(jpeg, out JpegFrameInfo frame, out error))
        {
            return false;
        }

        bool inBandTables = _q >= 128;
        if (!inBandTables && !TablesMatchQ(jpeg, frame, _q))
        {
            error = JpegFrameError.QuantizationTableMismatch;
            return false;
        }

        bool restart = frame.RestartInterval > 0;
        var jpegHeader = new RtpJpegHeader
        {
            Type = (byte)(frame.Type + (restart ? 64 : 0)),
            Q = _q,
            Width = (byte)((frame.Width + 7) / 8),
            Height = (byte)((frame.Height + 7) / 8),
            RestartInterval = (ushort)frame.RestartInterval,

            // Packets are cut at the budget, not at restart intervals, so the intervals are not independently
            // decodable: F = L = 1 and count 0x3FFF, as §3.1.7 prescribes for that case.
            RestartFirst = true,
            RestartLast = true,
            RestartCount = RtpJpegHeader.NoRestartCount,
            QuantizationPrecision = (byte)((frame.LumaTable16Bit ? 1 : 0) | (frame.ChromaTable16Bit ? 2 : 0)),
            QuantizationLength = inBandTables ? (ushort)frame.QuantizationDataLength : (ushort)0,
        };
        int maxPayloadSize = _stream.MaxPayloadSize;
        if (jpegHeader.HeaderLength >= maxPayloadSize)
        {
            error = JpegFrameError.PayloadBudgetTooSmall;
            return false;
        }

        ReadOnlySpan<byte> scan = jpeg.Slice(frame.ScanOffset, frame.ScanLength);
        int offset = 0;
        _stream.StartFrame(timestamp);
        while (offset < scan.Length)
        {
            RtpJpegHeader h = jpegHeader with { FragmentOffset = offset };
            int chunk = Math.Min(maxPayloadSize - h.HeaderLength, scan.Length - offset);
            Span<byte> packet = _stream.Begin(ref sink, out int pos);
            pos += h.WriteTo(packet[pos..]);
            if (h.HasQuantizationHeader)
            {
                jpeg.Slice(frame.LumaTableOffset, frame.LumaTable16Bit ? 128 : 64).CopyTo(packet[pos..]);
                pos += frame.LumaTable16Bit ? 128 : 64;
                jpeg.Slice(frame.ChromaTableOffset, frame.ChromaTable16Bit ? 128 : 64).CopyTo(packet[pos..]);
                pos += frame.ChromaTable16Bit ? 128 : 64;
            }

            scan.Slice(offset, chunk).CopyTo(packet[pos..]);
            pos += chunk;
            offset += chunk;
            _stream.Commit(ref sink, packet, pos, marker: offset == scan.Length);
        }

        FramesPacketized++;
        return true;
    }

    private static bool TablesMatchQ(ReadOnlySpan<byte> jpeg, in JpegFrameInfo frame, int q)
    {
        if (frame.LumaTable16Bit || frame.ChromaTable16Bit)
        {
            return false;
        }

        Span<byte> luma = stackalloc byte[64];
        Span<byte> chroma = stackalloc byte[64];
        JpegTables.MakeTables(q, luma, chroma);
        return jpeg.Slice(frame.LumaTableOffset, 64).SequenceEqual(luma)
            && jpeg.Slice(frame.ChromaTableOffset, 64).SequenceEqual(chroma);
    }

    private readonly struct InterfaceSink(IRtpPacketSink inner) : IRtpPacketSink
    {
        public Span<byte> GetPacketBuffer(int minimumLength) => inner.GetPacketBuffer(minimumLength);

        public void Commit(int length, bool marker) => inner.Commit(length, marker);
    }

    private readonly struct CallbackSink<TState>(byte[] buffer, ReadOnlySpanAction<byte, TState> action, TState state) : IRtpPacketSink
    {
        public Span<byte> GetPacketBuffer(int minimumLength) => buffer;

        public void Commit(int length, bool marker) => action(buffer.AsSpan(0, length), state);
    }
}
