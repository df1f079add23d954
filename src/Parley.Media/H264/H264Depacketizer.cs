using System.Buffers.Binary;
using Parley.Rtp;

namespace Parley.Media.H264;

/// <summary>
/// Rebuilds H.264 access units from RTP packets in non-interleaved mode (RFC 6184, packetization-mode 0 and 1):
/// single NAL unit packets (§5.6), STAP-A (§5.7.1) and FU-A (§5.8). An access unit ends at the marker bit, or when
/// the timestamp changes for senders that omit it (§5.1). It comes out as Annex B bytes with 4-byte start codes,
/// ready for a decoder, a file or an MP4 muxer.
/// </summary>
/// <remarks>
/// <para>Packets must arrive in order (run a jitter buffer first); late and duplicate packets are dropped and
/// counted. A sequence gap drops every access unit the lost packets may have belonged to: the one being
/// assembled and the one the next packet belongs to (the gap may have taken its first packets). Since a decoder
/// cannot use the frames that referred to a dropped one, <see cref="NeedsKeyFrame"/> then stays true until an
/// access unit with an IDR slice is complete; send RTCP PLI (RFC 4585 §6.3.1) while it is. It starts true.</para>
/// <para>Wire input never throws. Malformed payloads (F bit set, FU-A fragments without a start or out of order,
/// STAP-A sizes that overrun), interleaved-mode packets (STAP-B, MTAP16, MTAP24, FU-B) and access units larger
/// than the limit drop their whole access unit and are counted. Results are valid until the next call on this
/// instance; the buffers are reused, so steady state allocates nothing. One instance per stream; not thread-safe.</para>
/// </remarks>
public sealed class H264Depacketizer
{
    /// <summary>The default limit on one rebuilt access unit, in bytes (8 MiB).</summary>
    public const int DefaultMaxAccessUnitSize = 8 * 1024 * 1024;

    private const int FuHeaderLength = 2;

    private H264AccessUnitBuffer _assembly;
    private H264AccessUnitBuffer _output;
    private bool _assembling;
    private bool _held;
    private bool _fuActive;
    private int _fuType;
    private bool _discarding;
    private uint _discardTimestamp;
    private bool _started;
    private ushort _lastSequence;

    /// <summary>Creates a depacketizer.</summary>
    /// <param name="maxAccessUnitSize">Largest access unit to rebuild, in bytes with start codes; larger ones are
    /// dropped (a bound on the memory a sender can make us use).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxAccessUnitSize below 1024.</exception>
    public H264Depacketizer(int maxAccessUnitSize = DefaultMaxAccessUnitSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAccessUnitSize, 1024);
        MaxAccessUnitSize = maxAccessUnitSize;
        _assembly = new H264AccessUnitBuffer(maxAccessUnitSize);
        _output = new H264AccessUnitBuffer(maxAccessUnitSize);
    }

    /// <summary>The largest access unit rebuilt, in bytes including start codes.</summary>
    public int MaxAccessUnitSize { get; }

    /// <summary>
    /// The access unit completed by the last <see cref="Push(ReadOnlySpan{byte})"/> that returned true: NAL units in
    /// Annex B form, each after <c>00 00 00 01</c>. Valid until the next call on this instance.
    /// </summary>
    public ReadOnlySpan<byte> AccessUnit => _output.Data;

    /// <summary>The RTP timestamp (90 kHz) of <see cref="AccessUnit"/>.</summary>
    public uint Timestamp => _output.Timestamp;

    /// <summary>True when <see cref="AccessUnit"/> holds an IDR slice (NAL unit type 5): decoding can start there.</summary>
    public bool IsKeyFrame => _output.IsKeyFrame;

    /// <summary>The first SPS NAL unit in <see cref="AccessUnit"/> (header byte first, no start code); empty when none.</summary>
    public ReadOnlySpan<byte> Sps => _output.Sps;

    /// <summary>The first PPS NAL unit in <see cref="AccessUnit"/> (header byte first, no start code); empty when none.</summary>
    public ReadOnlySpan<byte> Pps => _output.Pps;

    /// <summary>
    /// True from the start, and after any access unit was lost or dropped, until one with an IDR slice is complete:
    /// the receiver should ask the sender for a key frame (RTCP PLI).
    /// </summary>
    public bool NeedsKeyFrame { get; private set; } = true;

    /// <summary>Access units completed and returned.</summary>
    public long AccessUnitsCompleted { get; private set; }

    /// <summary>Access units dropped for any reason: loss, malformed or unsupported packets, too large.</summary>
    public long AccessUnitsDropped { get; private set; }

    /// <summary>Access units dropped because they grew past <see cref="MaxAccessUnitSize"/> (also in <see cref="AccessUnitsDropped"/>).</summary>
    public long AccessUnitsTooLarge { get; private set; }

    /// <summary>Packets missing by sequence number.</summary>
    public long PacketsLost { get; private set; }

    /// <summary>Packets dropped as duplicates or older than one already received.</summary>
    public long PacketsLate { get; private set; }

    /// <summary>Packets that are not valid RTP or not a valid RFC 6184 payload (see the class remarks).</summary>
    public long PacketsMalformed { get; private set; }

    /// <summary>Packets of interleaved mode (STAP-B, MTAP16, MTAP24, FU-B) or of undefined types 0, 30, 31.</summary>
    public long PacketsUnsupported { get; private set; }

    /// <summary>Packets ignored because their access unit was already dropped.</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>Parses a whole RTP packet and adds it to the access unit being assembled.</summary>
    /// <param name="rtpPacket">One RTP packet as received.</param>
    /// <returns>True when an access unit is complete: read it from <see cref="AccessUnit"/> and the properties.</returns>
    public bool Push(ReadOnlySpan<byte> rtpPacket)
    {
        if (!RtpPacketView.TryParse(rtpPacket, out RtpPacketView packet))
        {
            PacketsMalformed++;
            return PublishHeld();
        }

        return Push(packet);
    }

    /// <summary>Adds an already parsed RTP packet to the access unit being assembled.</summary>
    /// <param name="packet">The packet; its payload, sequence number, timestamp and marker bit are used.</param>
    /// <returns>True when an access unit is complete: read it from <see cref="AccessUnit"/> and the properties.</returns>
    public bool Push(RtpPacketView packet) => Push(packet.Payload, packet.SequenceNumber, packet.Timestamp, packet.Marker);

    /// <summary>Adds one RTP payload to the access unit being assembled.</summary>
    /// <param name="payload">The RTP payload (after the RTP header, padding removed).</param>
    /// <param name="sequenceNumber">The packet's RTP sequence number, for loss detection.</param>
    /// <param name="timestamp">The packet's RTP timestamp, 90 kHz.</param>
    /// <param name="marker">The packet's marker bit: the last packet of an access unit.</param>
    /// <returns>True when an access unit is complete: read it from <see cref="AccessUnit"/> and the properties.</returns>
    /// <remarks>
    /// When one packet ends two access units (a sender that omits the marker bit, then a one-packet access unit
    /// with it), the second is returned by the next call.
    /// </remarks>
    public bool Push(ReadOnlySpan<byte> payload, ushort sequenceNumber, uint timestamp, bool marker)
    {
        bool delivered = PublishHeld();
        if (_started)
        {
            int distance = RtpSequence.Distance(_lastSequence, sequenceNumber);
            if (distance <= 0)
            {
                PacketsLate++;
                return delivered;
            }

            if (distance > 1)
            {
                PacketsLost += distance - 1;
                DropAfterLoss(timestamp);
            }
        }

        _started = true;
        _lastSequence = sequenceNumber;
        if (_assembling && timestamp != _assembly.Timestamp)
        {
            // The previous access unit had no marker bit; it is whole unless a NAL unit was left half-fragmented.
            if (_fuActive)
            {
                PacketsMalformed++;
                Abandon(_assembly.Timestamp, endsHere: true);
            }
            else
            {
                // Nothing was published yet in this call: a held access unit leaves _assembling false.
                delivered |= Complete(delivered);
            }
        }

        if (_discarding)
        {
            if (timestamp == _discardTimestamp)
            {
                PacketsDiscarded++;
                _discarding = !marker;
                return delivered;
            }

            _discarding = false;
        }

        if (!TryAddPayload(payload, timestamp))
        {
            Abandon(timestamp, endsHere: marker);
            return delivered;
        }

        if (marker)
        {
            if (_fuActive)
            {
                PacketsMalformed++; // the marker bit on a fragment that is not the NAL unit's last
                Abandon(timestamp, endsHere: true);
                return delivered;
            }

            delivered |= Complete(delivered);
        }

        return delivered;
    }

    /// <summary>Forgets any partial access unit and the sequence state; the next packet starts afresh. Counters are kept.</summary>
    public void Reset()
    {
        _assembling = _held = _fuActive = _discarding = _started = false;
        _assembly.Clear(0);
        _output.Clear(0);
        NeedsKeyFrame = true;
    }

    private bool TryAddPayload(ReadOnlySpan<byte> payload, uint timestamp)
    {
        if (payload.IsEmpty || (payload[0] & 0x80) != 0)
        {
            PacketsMalformed++; // RFC 6184 §5.3: F = 1 means the sender knows the content is corrupt
            return false;
        }

        if (!_assembling)
        {
            _assembly.Clear(timestamp);
            _assembling = true;
        }

        switch ((H264NalUnitType)(payload[0] & 0x1F))
        {
            case >= H264NalUnitType.Slice and < H264NalUnitType.StapA:
                if (_fuActive)
                {
                    PacketsMalformed++; // a fragmented NAL unit was never finished
                    return false;
                }

                return NotTooLarge(_assembly.TryAppendNalUnit(payload));
            case H264NalUnitType.StapA:
                return TryAddStapA(payload[1..]);
            case H264NalUnitType.FuA:
                return TryAddFuA(payload);
            default:
                PacketsUnsupported++;
                return false;
        }
    }

    //  STAP-A (RFC 6184 §5.7.1): [STAP-A NAL HDR] then [16-bit NALU size][NALU] repeated; see H264Packetizer for
    //  the full diagram. Every size is checked before anything is appended, so a bad packet adds nothing.
    private bool TryAddStapA(ReadOnlySpan<byte> units)
    {
        bool valid = !_fuActive && !units.IsEmpty;
        for (ReadOnlySpan<byte> rest = units; valid && !rest.IsEmpty;)
        {
            int size = rest.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(rest) : 0;
            valid = size > 0 && size <= rest.Length - 2 && IsSendableNalHeader(rest[2]);
            rest = valid ? rest[(2 + size)..] : default;
        }

        if (!valid)
        {
            PacketsMalformed++;
            return false;
        }

        while (!units.IsEmpty)
        {
            int size = BinaryPrimitives.ReadUInt16BigEndian(units);
            if (!NotTooLarge(_assembly.TryAppendNalUnit(units.Slice(2, size))))
            {
                return false;
            }

            units = units[(2 + size)..];
        }

        return true;
    }

    //  FU-A (RFC 6184 §5.8): [FU indicator F|NRI|28][FU header S|E|R|Type][fragment]. The NAL header is rebuilt
    //  from the indicator's F and NRI and the FU header's type. S and E both set is forbidden; R is ignored.
    private bool TryAddFuA(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < FuHeaderLength)
        {
            PacketsMalformed++;
            return false;
        }

        byte header = payload[1];
        bool start = (header & 0x80) != 0;
        bool end = (header & 0x40) != 0;
        int type = header & 0x1F;
        bool valid = !(start && end) && type is > 0 and < 24 && (start ? !_fuActive : _fuActive && type == _fuType);
        if (!valid)
        {
            PacketsMalformed++;
            return false;
        }

        if (start && !NotTooLarge(_assembly.TryBeginNalUnit((byte)((payload[0] & 0xE0) | type))))
        {
            return false;
        }

        if (!NotTooLarge(_assembly.TryAppend(payload[FuHeaderLength..])))
        {
            return false;
        }

        _fuActive = !end;
        _fuType = type;
        if (end)
        {
            _assembly.EndNalUnit();
        }

        return true;
    }

    private static bool IsSendableNalHeader(byte header) => (header & 0x80) == 0 && (header & 0x1F) is > 0 and < 24;

    private bool NotTooLarge(bool appended)
    {
        if (!appended)
        {
            AccessUnitsTooLarge++;
        }

        return appended;
    }

    // Completes the assembled access unit: publishes it now, or holds it for the next call when this call
    // already published one. Returns true when it was published now.
    private bool Complete(bool alreadyDelivered)
    {
        _assembling = false;
        if (_assembly.Length == 0)
        {
            return false;
        }

        AccessUnitsCompleted++;
        if (_assembly.IsKeyFrame)
        {
            NeedsKeyFrame = false;
        }

        if (alreadyDelivered)
        {
            _held = true;
            return false;
        }

        (_output, _assembly) = (_assembly, _output);
        return true;
    }

    private bool PublishHeld()
    {
        if (!_held)
        {
            return false;
        }

        _held = false;
        (_output, _assembly) = (_assembly, _output);
        return true;
    }

    // The lost packets may have ended the access unit being assembled and begun the one this packet is part of.
    private void DropAfterLoss(uint timestamp)
    {
        bool counted = _discarding && _discardTimestamp == timestamp;
        if (_assembling)
        {
            counted = _assembly.Timestamp == timestamp;
            AccessUnitsDropped++;
        }

        if (!counted)
        {
            AccessUnitsDropped++;
        }

        _assembling = _fuActive = false;
        NeedsKeyFrame = true;
        _discarding = true;
        _discardTimestamp = timestamp;
    }

    private void Abandon(uint timestamp, bool endsHere)
    {
        AccessUnitsDropped++;
        _assembling = _fuActive = false;
        NeedsKeyFrame = true;
        _discarding = !endsHere;
        _discardTimestamp = timestamp;
    }
}
