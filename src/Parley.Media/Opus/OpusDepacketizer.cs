using Parley.Rtp;

namespace Parley.Media.Opus;

/// <summary>One Opus packet taken out of RTP by <see cref="OpusDepacketizer"/>.</summary>
public readonly ref struct OpusFrame
{
    /// <summary>Creates a frame.</summary>
    public OpusFrame(ReadOnlySpan<byte> payload, uint timestamp, ushort sequenceNumber, bool marker, int lostBefore, int sampleCount)
    {
        Payload = payload;
        Timestamp = timestamp;
        SequenceNumber = sequenceNumber;
        Marker = marker;
        LostBefore = lostBefore;
        SampleCount = sampleCount;
    }

    /// <summary>The Opus packet, a view over the RTP packet's bytes.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The RTP timestamp, 48 kHz units.</summary>
    public uint Timestamp { get; }

    /// <summary>The RTP sequence number.</summary>
    public ushort SequenceNumber { get; }

    /// <summary>The marker bit: the first packet of a talkspurt after DTX (RFC 7587 §4.1).</summary>
    public bool Marker { get; }

    /// <summary>
    /// Packets missing between the previous packet and this one, by sequence number: decode them with FEC
    /// from this packet (the last one) and concealment (the others) before decoding this one.
    /// </summary>
    public int LostBefore { get; }

    /// <summary>Samples per channel at 48 kHz this packet decodes to (from its TOC).</summary>
    public int SampleCount { get; }
}

/// <summary>
/// Takes Opus packets out of RTP (RFC 7587 §4.2): one Opus packet per RTP payload, and counts sequence gaps so a
/// decoder can run FEC and packet-loss concealment for what is missing. Expects packets in order (after a
/// jitter buffer); older and duplicate packets are dropped and counted. Never throws on wire input; allocates
/// nothing. One instance per stream; not thread-safe.
/// </summary>
public sealed class OpusDepacketizer
{
    private bool _started;
    private ushort _lastSequence;

    /// <summary>Packets accepted.</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>Packets missing by sequence number (sum of <see cref="OpusFrame.LostBefore"/>).</summary>
    public long PacketsLost { get; private set; }

    /// <summary>Packets dropped as duplicates or as older than one already returned.</summary>
    public long PacketsLate { get; private set; }

    /// <summary>Packets dropped as malformed: not RTP, empty payload or an invalid Opus TOC.</summary>
    public long PacketsMalformed { get; private set; }

    /// <summary>Parses a whole RTP packet and returns its Opus payload.</summary>
    /// <returns>False for malformed, late or duplicate packets (counted).</returns>
    public bool TryDepacketize(ReadOnlySpan<byte> rtpPacket, out OpusFrame frame)
    {
        if (!RtpPacketView.TryParse(rtpPacket, out RtpPacketView packet))
        {
            frame = default;
            PacketsMalformed++;
            return false;
        }

        return TryDepacketize(packet, out frame);
    }

    /// <summary>Returns the Opus payload of an already parsed RTP packet.</summary>
    /// <returns>False for malformed, late or duplicate packets (counted).</returns>
    public bool TryDepacketize(RtpPacketView packet, out OpusFrame frame)
    {
        frame = default;
        ReadOnlySpan<byte> payload = packet.Payload;
        if (!OpusPacketInfo.TryGetSampleCount(payload, out int samples))
        {
            PacketsMalformed++;
            return false;
        }

        int lost = 0;
        if (_started)
        {
            int distance = RtpSequence.Distance(_lastSequence, packet.SequenceNumber);
            if (distance <= 0)
            {
                PacketsLate++;
                return false;
            }

            lost = distance - 1;
        }

        _started = true;
        _lastSequence = packet.SequenceNumber;
        PacketsReceived++;
        PacketsLost += lost;
        frame = new OpusFrame(payload, packet.Timestamp, packet.SequenceNumber, packet.Marker, lost, samples);
        return true;
    }

    /// <summary>Forgets the sequence history, for example after the sender changed SSRC.</summary>
    public void Reset() => _started = false;
}
