using Parley.Rtp;

namespace Parley.Media.Vp8;

/// <summary>
/// Rebuilds VP8 frames from RTP packets (RFC 7741 §4): a frame starts at a packet with S = 1 and PID = 0, its
/// packets share one timestamp, and the marker bit ends it (§4.1). The frame comes out as the VP8 bitstream a
/// decoder or a file takes (RFC 6386), with its key frame bit and, for key frames, its size (§4.3).
/// </summary>
/// <remarks>
/// <para>Packets must arrive in order (run a jitter buffer first); late and duplicate packets are dropped and
/// counted. A sequence gap drops the frame being assembled, and the packets that follow until the next frame
/// start. Since later frames may refer to a dropped one, <see cref="NeedsKeyFrame"/> then stays true until a key
/// frame is complete; send RTCP PLI (RFC 4585 §6.3.1) while it is, and do not decode the frames returned
/// meanwhile. It starts true. One exception: when the packets after the gap still belong to the frame being
/// assembled and that frame has N = 1 (nothing refers to it), only that frame is lost and no key frame is needed.</para>
/// <para>Wire input never throws. A malformed descriptor or frame header, a frame start missing its end, a
/// timestamp change inside a frame and frames larger than the limit drop their frame and are counted. Results are
/// valid until the next call; buffers are reused, so steady state allocates nothing. One instance per stream;
/// not thread-safe.</para>
/// </remarks>
public sealed class Vp8Depacketizer
{
    /// <summary>The default limit on one rebuilt frame, in bytes (4 MiB).</summary>
    public const int DefaultMaxFrameSize = 4 * 1024 * 1024;

    private byte[] _assembly;
    private byte[] _output;
    private int _assemblyLength;
    private int _outputLength;
    private uint _assemblyTimestamp;
    private bool _assemblyNonReference;
    private bool _assembling;
    private bool _discarding;
    private uint _discardTimestamp;
    private bool _started;
    private ushort _lastSequence;

    /// <summary>Creates a depacketizer.</summary>
    /// <param name="maxFrameSize">Largest frame to rebuild, in bytes; larger ones are dropped (a bound on the memory a sender can make us use).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxFrameSize below 1024.</exception>
    public Vp8Depacketizer(int maxFrameSize = DefaultMaxFrameSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 1024);
        MaxFrameSize = maxFrameSize;
        _assembly = new byte[Math.Min(64 * 1024, maxFrameSize)];
        _output = new byte[_assembly.Length];
    }

    /// <summary>The largest frame rebuilt, in bytes.</summary>
    public int MaxFrameSize { get; }

    /// <summary>The frame completed by the last <c>Push</c> that returned true. Valid until the next call on this instance.</summary>
    public ReadOnlySpan<byte> Frame => _output.AsSpan(0, _outputLength);

    /// <summary>The RTP timestamp (90 kHz) of <see cref="Frame"/>.</summary>
    public uint Timestamp { get; private set; }

    /// <summary>True when <see cref="Frame"/> is a key frame (P = 0): decoding can start there.</summary>
    public bool IsKeyFrame { get; private set; }

    /// <summary>True when <see cref="Frame"/> came with N = 1: no later frame refers to it.</summary>
    public bool IsNonReference { get; private set; }

    /// <summary>The header of <see cref="Frame"/>.</summary>
    public Vp8FrameHeader Header { get; private set; }

    /// <summary>Width in pixels from the last key frame; 0 before the first.</summary>
    public int Width { get; private set; }

    /// <summary>Height in pixels from the last key frame; 0 before the first.</summary>
    public int Height { get; private set; }

    /// <summary>
    /// True from the start, and after a frame others may refer to was lost or dropped, until a key frame is complete:
    /// the receiver should ask the sender for one (RTCP PLI) and not decode what comes meanwhile.
    /// </summary>
    public bool NeedsKeyFrame { get; private set; } = true;

    /// <summary>Frames completed and returned.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>Frames dropped for any reason whose packets were seen: loss, malformed packets, too large.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Frames dropped because they grew past <see cref="MaxFrameSize"/> (also in <see cref="FramesDropped"/>).</summary>
    public long FramesTooLarge { get; private set; }

    /// <summary>Packets missing by sequence number.</summary>
    public long PacketsLost { get; private set; }

    /// <summary>Packets dropped as duplicates or older than one already received.</summary>
    public long PacketsLate { get; private set; }

    /// <summary>Packets that are not valid RTP or whose descriptor or frame header is malformed.</summary>
    public long PacketsMalformed { get; private set; }

    /// <summary>Packets ignored because the start of their frame was lost or their frame was already dropped.</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>Parses a whole RTP packet and adds it to the frame being assembled.</summary>
    /// <param name="rtpPacket">One RTP packet as received.</param>
    /// <returns>True when a frame is complete: read it from <see cref="Frame"/> and the properties.</returns>
    public bool Push(ReadOnlySpan<byte> rtpPacket)
    {
        if (!RtpPacketView.TryParse(rtpPacket, out RtpPacketView packet))
        {
            PacketsMalformed++;
            return false;
        }

        return Push(packet);
    }

    /// <summary>Adds an already parsed RTP packet to the frame being assembled.</summary>
    /// <param name="packet">The packet; its payload, sequence number, timestamp and marker bit are used.</param>
    /// <returns>True when a frame is complete: read it from <see cref="Frame"/> and the properties.</returns>
    public bool Push(RtpPacketView packet) => Push(packet.Payload, packet.SequenceNumber, packet.Timestamp, packet.Marker);

    /// <summary>Adds one RTP payload to the frame being assembled.</summary>
    /// <param name="payload">The RTP payload (after the RTP header, padding removed).</param>
    /// <param name="sequenceNumber">The packet's RTP sequence number, for loss detection.</param>
    /// <param name="timestamp">The packet's RTP timestamp, 90 kHz.</param>
    /// <param name="marker">The packet's marker bit: the last packet of a frame.</param>
    /// <returns>True when a frame is complete: read it from <see cref="Frame"/> and the properties.</returns>
    public bool Push(ReadOnlySpan<byte> payload, ushort sequenceNumber, uint timestamp, bool marker)
    {
        if (_started)
        {
            int distance = RtpSequence.Distance(_lastSequence, sequenceNumber);
            if (distance <= 0)
            {
                PacketsLate++;
                return false;
            }

            if (distance > 1)
            {
                PacketsLost += distance - 1;
                DropAfterLoss(timestamp);
            }
        }

        _started = true;
        _lastSequence = sequenceNumber;
        if (!Vp8PayloadDescriptor.TryParse(payload, out var descriptor))
        {
            PacketsMalformed++;
            Abandon(timestamp, endsHere: marker);
            return false;
        }

        if (descriptor.IsFrameStart)
        {
            if (_assembling)
            {
                Abandon(_assemblyTimestamp, endsHere: true); // the previous frame never got its marker bit
            }

            _discarding = false;
            _assembling = true;
            _assemblyTimestamp = timestamp;
            _assemblyLength = 0;
            _assemblyNonReference = descriptor.NonReference;
        }
        else if (!_assembling)
        {
            if (!_discarding || timestamp != _discardTimestamp)
            {
                FramesDropped++; // the first packets of this frame are missing
                NeedsKeyFrame |= !descriptor.NonReference;
            }

            PacketsDiscarded++;
            _discarding = !marker;
            _discardTimestamp = timestamp;
            return false;
        }
        else if (timestamp != _assemblyTimestamp)
        {
            PacketsMalformed++;
            Abandon(timestamp, endsHere: marker);
            return false;
        }

        if (!TryAppend(payload[descriptor.Length..]))
        {
            FramesTooLarge++;
            Abandon(timestamp, endsHere: marker);
            return false;
        }

        return marker && Complete();
    }

    /// <summary>Forgets any partial frame and the sequence state; the next packet starts afresh. Counters are kept.</summary>
    public void Reset()
    {
        _assembling = _discarding = _started = false;
        _assemblyLength = _outputLength = 0;
        NeedsKeyFrame = true;
    }

    private bool TryAppend(ReadOnlySpan<byte> data)
    {
        int needed = _assemblyLength + data.Length;
        if (needed > MaxFrameSize)
        {
            return false;
        }

        if (needed > _assembly.Length)
        {
            Array.Resize(ref _assembly, Math.Min(MaxFrameSize, Math.Max(needed, _assembly.Length * 2)));
        }

        data.CopyTo(_assembly.AsSpan(_assemblyLength));
        _assemblyLength = needed;
        return true;
    }

    private bool Complete()
    {
        _assembling = false;
        if (!Vp8FrameHeader.TryParse(_assembly.AsSpan(0, _assemblyLength), out var header))
        {
            PacketsMalformed++;
            FramesDropped++;
            NeedsKeyFrame |= !_assemblyNonReference;
            return false;
        }

        (_output, _assembly) = (_assembly, _output);
        _outputLength = _assemblyLength;
        Timestamp = _assemblyTimestamp;
        IsNonReference = _assemblyNonReference;
        IsKeyFrame = header.IsKeyFrame;
        Header = header;
        if (header.IsKeyFrame)
        {
            Width = header.Width;
            Height = header.Height;
            NeedsKeyFrame = false;
        }

        FramesCompleted++;
        return true;
    }

    // The lost packets may have ended the frame being assembled and begun others; only when the packet after the
    // gap still belongs to a non-reference frame being assembled is that frame all that was lost.
    private void DropAfterLoss(uint timestamp)
    {
        bool onlyThisNonReferenceFrame = _assembling && _assemblyNonReference && timestamp == _assemblyTimestamp;
        if (_assembling)
        {
            FramesDropped++;
            _assembling = false;
            _discarding = true;
            _discardTimestamp = _assemblyTimestamp;
        }

        if (!onlyThisNonReferenceFrame)
        {
            NeedsKeyFrame = true;
        }
    }

    private void Abandon(uint timestamp, bool endsHere)
    {
        if (_assembling)
        {
            FramesDropped++;
            NeedsKeyFrame |= !_assemblyNonReference;
        }
        else
        {
            NeedsKeyFrame = true;
        }

        _assembling = false;
        _discarding = !endsHere;
        _discardTimestamp = timestamp;
    }
}
