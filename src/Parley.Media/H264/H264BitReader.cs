namespace Parley.Media.H264;

/// <summary>
/// Reads the RBSP of a NAL unit bit by bit (ITU-T H.264 §7.2: u(n), ue(v), se(v)), removing emulation prevention
/// bytes (the 0x03 in <c>00 00 03</c>, §7.4.1) on the fly, so no unescaped copy is made.
/// </summary>
/// <remarks>
/// Reading past the end does not throw: it yields zero bits and sets <see cref="Overrun"/>, which the caller checks
/// once after a group of reads. Parameter sets are a few dozen bytes, so bit-at-a-time reading costs nothing.
/// </remarks>
internal ref struct H264BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private int _bit = 8;
    private int _zeros;
    private byte _current;

    /// <summary>Creates a reader over escaped NAL unit bytes (header byte excluded by the caller).</summary>
    public H264BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>True once a read went past the end of the data.</summary>
    public bool Overrun { get; private set; }

    /// <summary>Reads one bit.</summary>
    public uint ReadBit()
    {
        if (_bit == 8)
        {
            if (_zeros >= 2 && _position < _data.Length && _data[_position] == 3)
            {
                _position++;
                _zeros = 0;
            }

            if (_position >= _data.Length)
            {
                Overrun = true;
                return 0;
            }

            _current = _data[_position++];
            _zeros = _current == 0 ? _zeros + 1 : 0;
            _bit = 0;
        }

        return (uint)(_current >> (7 - _bit++)) & 1;
    }

    /// <summary>Reads <paramref name="count"/> bits (0-32), most significant first: u(n).</summary>
    public uint ReadBits(int count)
    {
        uint value = 0;
        for (int i = 0; i < count; i++)
        {
            value = (value << 1) | ReadBit();
        }

        return value;
    }

    /// <summary>Reads one flag: u(1) as bool.</summary>
    public bool ReadFlag() => ReadBit() != 0;

    /// <summary>
    /// Reads an unsigned exp-Golomb code: ue(v) (§9.1). More than 31 leading zeros cannot be a valid 32-bit value;
    /// it sets <see cref="Overrun"/> and returns 0.
    /// </summary>
    public uint ReadUnsignedExpGolomb()
    {
        int leadingZeros = 0;
        while (ReadBit() == 0)
        {
            if (Overrun || ++leadingZeros > 31)
            {
                Overrun = true;
                return 0;
            }
        }

        return leadingZeros == 0 ? 0 : (uint)((1UL << leadingZeros) - 1 + ReadBits(leadingZeros));
    }

    /// <summary>Reads a signed exp-Golomb code: se(v) (§9.1.1): 1, -1, 2, -2 ... for codes 1, 2, 3, 4 ...</summary>
    public int ReadSignedExpGolomb()
    {
        uint k = ReadUnsignedExpGolomb();
        return (k & 1) != 0 ? (int)((k + 1) / 2) : -(int)(k / 2);
    }
}
