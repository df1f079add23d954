using System.Buffers.Binary;

namespace Parley.Media.H264;

/// <summary>
/// Splits H.264 access units into RTP packets in non-interleaved mode (RFC 6184, packetization-mode=1): a NAL unit
/// that fits the payload budget goes alone as a single NAL unit packet (§5.6) or, with the small NAL units next to
/// it (SPS, PPS, SEI), into one STAP-A (§5.7.1); a larger one is cut into FU-A fragments (§5.8). All packets of an
/// access unit share its 90 kHz timestamp and the last carries the marker bit (§5.1). Packets go straight into the
/// caller's buffers; nothing is allocated per packet.
/// </summary>
/// <remarks>
/// <para><see cref="MaxPayloadSize"/> (default 1200 bytes after the RTP header) leaves room on a 1500-byte path
/// for IPv6 (40) or IPv4 (20) and UDP (8) headers, the 12-byte RTP header with header extensions, and the SRTP
/// authentication tag (10-16 bytes), with margin for tunnels (VPN, PPPoE) that shrink the MTU.</para>
/// <para>Like x264's and GStreamer's payloaders, access unit delimiters are dropped by default: RTP marks access
/// unit boundaries itself. With <see cref="InsertParameterSets"/>, an IDR access unit that lacks SPS or PPS gets
/// the last ones seen (or set with <see cref="SetParameterSets"/>) in front of it, so readers joining late can
/// start there. Only one SPS and one PPS are remembered. One instance per stream; not thread-safe.</para>
/// </remarks>
public sealed partial class H264Packetizer
{
    /// <summary>The RTP clock rate of H.264 video, in Hz (RFC 6184 §5.1).</summary>
    public const int ClockRate = 90000;

    /// <summary>The dynamic payload type used unless another is given; any 96-127 works with SDP.</summary>
    public const byte DefaultPayloadType = 96;

    /// <summary>The default payload budget in bytes after the RTP header; see the remarks.</summary>
    public const int DefaultMaxPayloadSize = 1200;

    /// <summary>The smallest payload budget accepted, in bytes: an FU indicator, an FU header and some data.</summary>
    public const int MinMaxPayloadSize = 16;

    private const int FuHeaderLength = 2;
    private const int StapAHeaderLength = 1;
    private const int StapASizeLength = 2;

    private RtpPacketStream _stream;
    private byte[] _sps = [];
    private int _spsLength;
    private byte[] _pps = [];
    private int _ppsLength;

    /// <summary>Creates a packetizer for one RTP stream.</summary>
    /// <param name="ssrc">The stream's SSRC.</param>
    /// <param name="payloadType">The dynamic payload type from the SDP, 0-127.</param>
    /// <param name="initialSequenceNumber">The first sequence number (RFC 3550 suggests a random one).</param>
    /// <exception cref="ArgumentOutOfRangeException">payloadType above 127.</exception>
    public H264Packetizer(uint ssrc, byte payloadType = DefaultPayloadType, ushort initialSequenceNumber = 0)
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

    /// <summary>The longest packet this packetizer writes, in bytes: RTP header plus <see cref="MaxPayloadSize"/>.</summary>
    public int MaxPacketLength => _stream.MaxPacketLength;

    /// <summary>
    /// True (the default) to drop access unit delimiters (type 9) instead of sending them; the RTP marker bit and
    /// timestamp already delimit access units.
    /// </summary>
    public bool DropAccessUnitDelimiters { get; set; } = true;

    /// <summary>
    /// True (the default) to send the last SPS and PPS seen in front of an IDR access unit that does not carry
    /// them itself, as GStreamer's <c>config-interval=-1</c> does; readers that join late need them in-band.
    /// </summary>
    public bool InsertParameterSets { get; set; } = true;

    /// <summary>Access units that produced at least one packet.</summary>
    public long FramesPacketized { get; private set; }

    /// <summary>Packets written so far.</summary>
    public long PacketsWritten => _stream.PacketsWritten;

    /// <summary>Parameter sets inserted in front of IDR access units (see <see cref="InsertParameterSets"/>).</summary>
    public long ParameterSetsInserted { get; private set; }

    /// <summary>
    /// NAL units skipped because RTP cannot carry them as they are: types 0 and 24-31, which RFC 6184 §5.2 uses for
    /// its own packets, or a set forbidden_zero_bit.
    /// </summary>
    public long NalUnitsSkipped { get; private set; }

    /// <summary>
    /// Sets the SPS and PPS to insert in front of IDR access units that lack them, for encoders that hand parameter
    /// sets out of band (in the SDP or a container header). Later in-band ones replace these.
    /// </summary>
    /// <param name="sps">An SPS NAL unit (type 7), header byte first, without start code.</param>
    /// <param name="pps">A PPS NAL unit (type 8), header byte first, without start code.</param>
    /// <exception cref="ArgumentException">A NAL unit is empty or of the wrong type.</exception>
    public void SetParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (sps.IsEmpty || NalType(sps) != H264NalUnitType.Sps || pps.IsEmpty || NalType(pps) != H264NalUnitType.Pps)
        {
            throw new ArgumentException("Expected an SPS (NAL unit type 7) and a PPS (type 8), without start codes.");
        }

        Remember(sps, ref _sps, out _spsLength);
        Remember(pps, ref _pps, out _ppsLength);
    }

    /// <summary>Packetizes one access unit given as Annex B bytes into <paramref name="sink"/>.</summary>
    /// <param name="accessUnit">The NAL units of one access unit (one frame), each after a start code.</param>
    /// <param name="timestamp">The access unit's RTP timestamp in 90 kHz units (its sampling instant, §5.1).</param>
    /// <param name="sink">Receives the packets, one <see cref="IRtpPacketSink.Commit"/> per packet, in order.</param>
    /// <returns>Packets written; 0 when the access unit holds no NAL unit to send.</returns>
    /// <exception cref="ArgumentNullException">sink is null.</exception>
    /// <exception cref="InvalidOperationException">The sink returned a buffer shorter than <see cref="MaxPacketLength"/>.</exception>
    public int PacketizeAnnexB(ReadOnlySpan<byte> accessUnit, uint timestamp, IRtpPacketSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var feed = new NalUnitFeed(this, AnnexB.EnumerateNalUnits(accessUnit), [], fromAnnexB: true);
        return Packetize(ref feed, timestamp, sink);
    }

    /// <summary>Packetizes one access unit given as separate NAL units into <paramref name="sink"/>.</summary>
    /// <param name="nalUnits">The access unit's NAL units in decoding order, header byte first, without start codes.</param>
    /// <param name="timestamp">The access unit's RTP timestamp in 90 kHz units (its sampling instant, §5.1).</param>
    /// <param name="sink">Receives the packets, one <see cref="IRtpPacketSink.Commit"/> per packet, in order.</param>
    /// <returns>Packets written; 0 when the access unit holds no NAL unit to send.</returns>
    /// <exception cref="ArgumentNullException">sink is null.</exception>
    /// <exception cref="InvalidOperationException">The sink returned a buffer shorter than <see cref="MaxPacketLength"/>.</exception>
    public int Packetize(ReadOnlySpan<ReadOnlyMemory<byte>> nalUnits, uint timestamp, IRtpPacketSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var feed = new NalUnitFeed(this, default, nalUnits, fromAnnexB: false);
        return Packetize(ref feed, timestamp, sink);
    }

    private int Packetize(ref NalUnitFeed feed, uint timestamp, IRtpPacketSink sink)
    {
        _stream.StartFrame(timestamp);
        int maxPayloadSize = _stream.MaxPayloadSize;
        int written = 0;
        while (feed.TryTake(out ReadOnlySpan<byte> nal))
        {
            if (nal.Length > maxPayloadSize)
            {
                written += WriteFragments(nal, last: !feed.HasNext, sink);
            }
            else if (feed.HasNext && StapAHeaderLength + StapASizeLength + nal.Length + StapASizeLength + feed.Next.Length <= maxPayloadSize)
            {
                written += WriteAggregate(nal, ref feed, sink);
            }
            else
            {
                written += WriteSingle(nal, last: !feed.HasNext, sink);
            }
        }

        if (written > 0)
        {
            FramesPacketized++;
        }

        return written;
    }

    //  Single NAL unit packet (RFC 6184 §5.6): the NAL unit as it is, header byte first.
    private int WriteSingle(ReadOnlySpan<byte> nal, bool last, IRtpPacketSink sink)
    {
        Span<byte> packet = _stream.Begin(ref sink, out int headerLength);
        nal.CopyTo(packet[headerLength..]);
        _stream.Commit(ref sink, packet, headerLength + nal.Length, last);
        return 1;
    }

    // STAP-A (RFC 6184 §5.7.1, diagram in H264Depacketizer): the STAP-A NAL header, then [16-bit size][NAL unit] each.
    private int WriteAggregate(ReadOnlySpan<byte> first, ref NalUnitFeed feed, IRtpPacketSink sink)
    {
        Span<byte> packet = _stream.Begin(ref sink, out int headerLength);
        Span<byte> payload = packet.Slice(headerLength, _stream.MaxPayloadSize);
        int length = StapAHeaderLength;
        byte nri = 0;
        ReadOnlySpan<byte> nal = first;
        while (true)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload[length..], (ushort)nal.Length);
            nal.CopyTo(payload[(length + StapASizeLength)..]);
            length += StapASizeLength + nal.Length;
            nri = Math.Max(nri, (byte)(nal[0] & 0x60));
            if (!feed.HasNext || length + StapASizeLength + feed.Next.Length > payload.Length)
            {
                break;
            }

            feed.TryTake(out nal);
        }

        // NRI is the highest aggregated NRI and F their OR (§5.7.1), always 0: units with F set are skipped.
        payload[0] = (byte)(nri | (byte)H264NalUnitType.StapA);
        _stream.Commit(ref sink, packet, headerLength + length, marker: !feed.HasNext);
        return 1;
    }

    // FU-A (RFC 6184 §5.8, diagram in H264Depacketizer): the NAL header is not sent; its F and NRI go into the FU
    // indicator and its type into the FU header, whose S and E bits mark the first and last fragment.
    private int WriteFragments(ReadOnlySpan<byte> nal, bool last, IRtpPacketSink sink)
    {
        byte indicator = (byte)((nal[0] & 0xE0) | (byte)H264NalUnitType.FuA);
        byte type = (byte)(nal[0] & 0x1F);
        ReadOnlySpan<byte> data = nal[1..];
        int chunk = _stream.MaxPayloadSize - FuHeaderLength;
        int count = 0;
        for (int offset = 0; offset < data.Length; offset += chunk)
        {
            int size = Math.Min(chunk, data.Length - offset);
            bool end = offset + size == data.Length;
            Span<byte> packet = _stream.Begin(ref sink, out int headerLength);
            packet[headerLength] = indicator;
            packet[headerLength + 1] = (byte)((offset == 0 ? 0x80 : 0) | (end ? 0x40 : 0) | type);
            data.Slice(offset, size).CopyTo(packet[(headerLength + FuHeaderLength)..]);
            _stream.Commit(ref sink, packet, headerLength + FuHeaderLength + size, last && end);
            count++;
        }

        return count;
    }

    private static H264NalUnitType NalType(ReadOnlySpan<byte> nal) => (H264NalUnitType)(nal[0] & 0x1F);

    private static void Remember(ReadOnlySpan<byte> nal, ref byte[] store, out int length)
    {
        if (store.Length < nal.Length)
        {
            store = new byte[nal.Length];
        }

        nal.CopyTo(store);
        length = nal.Length;
    }
}
