using Parley.Rtp;

namespace Parley.Media.Jpeg;

/// <summary>
/// Reassembles RTP/JPEG packets (RFC 2435) into JFIF files a standard decoder reads: packets of one frame share
/// a timestamp, their fragment offsets must be contiguous from 0, and the marker bit ends the frame. A frame with
/// a gap (a lost packet, a missing first or last packet) is dropped whole and counted. The file is rebuilt with
/// the in-band tables (Q 128-255) or the Appendix A tables for Q 1-99, the standard Huffman tables, and DRI for
/// types 64-127.
/// </summary>
/// <remarks>
/// Packets must arrive in order (run a jitter buffer first); a duplicate of data already received is ignored.
/// Wire input never throws. The output buffer is reused: the span returned by Push is valid until the next call.
/// Steady state allocates nothing. One instance per stream; not thread-safe.
/// </remarks>
public sealed class JpegDepacketizer
{
    /// <summary>The default limit on one rebuilt JPEG, in bytes (8 MiB).</summary>
    public const int DefaultMaxFrameSize = 8 * 1024 * 1024;

    private readonly int _maxFrameSize;
    private readonly byte[]?[] _staticTables = new byte[]?[128];
    private byte[] _frame = new byte[64 * 1024];
    private int _length;
    private bool _active;
    private bool _discarding;
    private uint _timestamp;
    private int _expectedOffset;
    private byte _type;
    private byte _width;
    private byte _height;

    /// <summary>Creates a depacketizer.</summary>
    /// <param name="maxFrameSize">Largest JPEG to rebuild, in bytes; bigger frames are dropped (a bound on memory a sender can make us use).</param>
    /// <exception cref="ArgumentOutOfRangeException">maxFrameSize below 4096.</exception>
    public JpegDepacketizer(int maxFrameSize = DefaultMaxFrameSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 4096);
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>Frames rebuilt and returned.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>Frames dropped: a gap in fragment offsets, a missing first or last packet, too large, unsupported.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Packets that are not valid RTP or RTP/JPEG (short, inconsistent headers).</summary>
    public long PacketsMalformed { get; private set; }

    /// <summary>Packets ignored: the rest of a dropped frame, or duplicates.</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>The RTP timestamp (90 kHz) of the frame most recently returned.</summary>
    public uint LastFrameTimestamp { get; private set; }

    /// <summary>Width in pixels of the frame most recently returned (8 × the Width field).</summary>
    public int LastFrameWidth { get; private set; }

    /// <summary>Height in pixels of the frame most recently returned.</summary>
    public int LastFrameHeight { get; private set; }

    /// <summary>Parses a whole RTP packet and adds it to the frame being assembled.</summary>
    /// <param name="rtpPacket">One RTP packet as received.</param>
    /// <param name="jpeg">When the result is true, the complete JPEG; valid until the next call.</param>
    /// <returns>True when this packet completed a frame.</returns>
    public bool Push(ReadOnlySpan<byte> rtpPacket, out ReadOnlySpan<byte> jpeg)
    {
        if (!RtpPacketView.TryParse(rtpPacket, out RtpPacketView packet))
        {
            PacketsMalformed++;
            jpeg = default;
            return false;
        }

        return Push(packet.Payload, packet.Timestamp, packet.Marker, out jpeg);
    }

    /// <summary>Adds an already parsed RTP packet to the frame being assembled.</summary>
    /// <param name="packet">The packet; its payload, timestamp and marker bit are used.</param>
    /// <param name="jpeg">When the result is true, the complete JPEG; valid until the next call.</param>
    /// <returns>True when this packet completed a frame.</returns>
    public bool Push(RtpPacketView packet, out ReadOnlySpan<byte> jpeg) =>
        Push(packet.Payload, packet.Timestamp, packet.Marker, out jpeg);

    /// <summary>Adds one RTP/JPEG payload to the frame being assembled.</summary>
    /// <param name="payload">The RTP payload (after the RTP header, padding removed).</param>
    /// <param name="timestamp">The packet's RTP timestamp, 90 kHz.</param>
    /// <param name="marker">The packet's marker bit: the last packet of the frame.</param>
    /// <param name="jpeg">When the result is true, the complete JPEG; valid until the next call.</param>
    /// <returns>True when this packet completed a frame.</returns>
    public bool Push(ReadOnlySpan<byte> payload, uint timestamp, bool marker, out ReadOnlySpan<byte> jpeg)
    {
        jpeg = default;
        if (_active && timestamp != _timestamp)
        {
            DropCurrent(); // the previous frame lost its last packet
        }

        if (_discarding && timestamp != _timestamp)
        {
            _discarding = false;
        }

        if (!RtpJpegHeader.TryParse(payload, out RtpJpegHeader h) || h.Width == 0 || h.Height == 0)
        {
            PacketsMalformed++;
            if (_active)
            {
                DropCurrent();
                Discard(timestamp);
            }

            return false;
        }

        if (_discarding)
        {
            PacketsDiscarded++;
            return false;
        }

        ReadOnlySpan<byte> data = payload[h.HeaderLength..];
        if (h.FragmentOffset == 0)
        {
            if (_active)
            {
                PacketsDiscarded++; // a duplicate of this frame's first packet
                return false;
            }

            if (!StartFrame(payload, h, timestamp))
            {
                FramesDropped++;
                Discard(timestamp);
                return false;
            }
        }
        else if (!_active)
        {
            FramesDropped++; // the first packet is missing
            Discard(timestamp);
            return false;
        }
        else if (h.FragmentOffset < _expectedOffset)
        {
            PacketsDiscarded++;
            return false;
        }
        else if (h.FragmentOffset > _expectedOffset || h.Type != _type || h.Width != _width || h.Height != _height)
        {
            DropCurrent();
            Discard(timestamp);
            return false;
        }

        if (!Append(data))
        {
            DropCurrent();
            Discard(timestamp);
            return false;
        }

        _expectedOffset += data.Length;
        if (!marker)
        {
            return false;
        }

        // Close the scan with EOI unless the sender already included it.
        bool hasEoi = _expectedOffset >= 2 && _frame[_length - 2] == 0xFF && _frame[_length - 1] == 0xD9;
        if (!hasEoi && !Append([0xFF, 0xD9]))
        {
            DropCurrent();
            return false;
        }

        _active = false;
        FramesCompleted++;
        LastFrameTimestamp = timestamp;
        LastFrameWidth = _width * 8;
        LastFrameHeight = _height * 8;
        jpeg = _frame.AsSpan(0, _length);
        return true;
    }

    /// <summary>Drops any partial frame and forgets cached tables.</summary>
    public void Reset()
    {
        _active = false;
        _discarding = false;
        _length = 0;
        Array.Clear(_staticTables);
    }

    private bool StartFrame(ReadOnlySpan<byte> payload, in RtpJpegHeader h, uint timestamp)
    {
        if ((h.Type & ~64) > 1 || h.Type > 127 || h.Q is 0 or (>= 100 and < 128))
        {
            return false; // types 2-63, 66-255 and reserved Q values are not defined for us to decode
        }

        Span<byte> luma = stackalloc byte[128];
        Span<byte> chroma = stackalloc byte[128];
        int lumaLength = 64, chromaLength = 64;
        if (h.Q < 128)
        {
            JpegTables.MakeTables(h.Q, luma, chroma);
        }
        else if (h.QuantizationLength == 0)
        {
            // Q 128-254 may omit tables sent earlier (§3.1.8); 255 never does.
            byte[]? cached = h.Q < 255 ? _staticTables[h.Q - 128] : null;
            if (cached is null)
            {
                return false;
            }

            lumaLength = cached[0];
            chromaLength = cached[1];
            cached.AsSpan(2, lumaLength).CopyTo(luma);
            cached.AsSpan(2 + lumaLength, chromaLength).CopyTo(chroma);
        }
        else
        {
            int qOffset = RtpJpegHeader.MainHeaderLength + (h.HasRestartHeader ? RtpJpegHeader.RestartHeaderLength : 0) + RtpJpegHeader.QuantizationHeaderLength;
            ReadOnlySpan<byte> tables = payload.Slice(qOffset, h.QuantizationLength);
            lumaLength = (h.QuantizationPrecision & 1) != 0 ? 128 : 64;
            chromaLength = (h.QuantizationPrecision & 2) != 0 ? 128 : 64;
            if (tables.Length == lumaLength + chromaLength)
            {
                tables[..lumaLength].CopyTo(luma);
                tables[lumaLength..].CopyTo(chroma);
            }
            else if (tables.Length == lumaLength)
            {
                // One table for all components.
                chromaLength = lumaLength;
                tables.CopyTo(luma);
                tables.CopyTo(chroma);
            }
            else
            {
                return false;
            }

            if (h.Q < 255)
            {
                byte[] cache = _staticTables[h.Q - 128] ??= new byte[2 + 256];
                cache[0] = (byte)lumaLength;
                cache[1] = (byte)chromaLength;
                luma[..lumaLength].CopyTo(cache.AsSpan(2));
                chroma[..chromaLength].CopyTo(cache.AsSpan(2 + lumaLength));
            }
        }

        EnsureCapacity(JfifWriter.MaxHeaderLength);
        _length = JfifWriter.WriteHeaders(
            _frame, h.Type, h.Width * 8, h.Height * 8, luma[..lumaLength], chroma[..chromaLength],
            h.HasRestartHeader ? h.RestartInterval : 0);
        _active = true;
        _timestamp = timestamp;
        _expectedOffset = 0;
        _type = h.Type;
        _width = h.Width;
        _height = h.Height;
        return true;
    }

    private bool Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _maxFrameSize)
        {
            return false;
        }

        EnsureCapacity(_length + data.Length);
        data.CopyTo(_frame.AsSpan(_length));
        _length += data.Length;
        return true;
    }

    private void EnsureCapacity(int size)
    {
        if (_frame.Length < size)
        {
            Array.Resize(ref _frame, Math.Min(Math.Max(size, _frame.Length * 2), Math.Max(size, _maxFrameSize)));
        }
    }

    private void DropCurrent()
    {
        _active = false;
        FramesDropped++;
    }

    private void Discard(uint timestamp)
    {
        _discarding = true;
        _timestamp = timestamp;
    }
}
