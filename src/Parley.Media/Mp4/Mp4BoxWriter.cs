using System.Buffers.Binary;

namespace Parley.Media.Mp4;

/// <summary>
/// Writes ISO BMFF boxes (ISO/IEC 14496-12 §4.2) big-endian into a caller's span, back-patching each box's 32-bit
/// size when it ends, so no box has to be measured before it is written.
/// </summary>
/// <remarks>
/// <code>
///  0               4               8               12
///  +---------------+---------------+-------+-------+---------------
///  |   size (32)   |   type (4cc)  |version| flags (24)  | payload ...   (FullBox: version and flags)
///  +---------------+---------------+-------+-------+---------------
/// </code>
/// Writes past the end of the span throw <see cref="ArgumentOutOfRangeException"/>: callers size the span first
/// (the fragment path measures exactly; the init segment path uses a generous bound).
/// </remarks>
internal ref struct Mp4BoxWriter
{
    private readonly Span<byte> _buffer;

    public Mp4BoxWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public int Position { get; private set; }

    /// <summary>Starts a box; returns its start for <see cref="End"/>.</summary>
    public int Begin(ReadOnlySpan<byte> type)
    {
        int start = Position;
        WriteUInt32(0);
        Write(type);
        return start;
    }

    /// <summary>Starts a FullBox (box with version and 24-bit flags); returns its start for <see cref="End"/>.</summary>
    public int BeginFull(ReadOnlySpan<byte> type, byte version, uint flags)
    {
        int start = Begin(type);
        WriteUInt32(((uint)version << 24) | (flags & 0xFFFFFF));
        return start;
    }

    /// <summary>Ends the box begun at <paramref name="start"/> by writing its size.</summary>
    public readonly void End(int start) =>
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.Slice(start, 4), (uint)(Position - start));

    public void WriteByte(byte value) => _buffer[Position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(Position, 2), value);
        Position += 2;
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.Slice(Position, 2), value);
        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.Slice(Position, 4), value);
        Position += 4;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.Slice(Position, 4), value);
        Position += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.Slice(Position, 8), value);
        Position += 8;
    }

    public void WriteZeros(int count)
    {
        _buffer.Slice(Position, count).Clear();
        Position += count;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }

    /// <summary>The unity transformation matrix of mvhd and tkhd (ISO/IEC 14496-12 §8.2.2), 16.16 and 2.30 fixed point.</summary>
    public void WriteUnityMatrix()
    {
        ReadOnlySpan<uint> matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
        foreach (uint value in matrix)
        {
            WriteUInt32(value);
        }
    }
}
