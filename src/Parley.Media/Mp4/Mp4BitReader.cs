namespace Parley.Media.Mp4;

/// <summary>
/// Reads bits MSB first and Exp-Golomb codes (ITU-T H.264 §9.1) from an RBSP (emulation prevention already
/// removed). Never throws: reads past the end return zeros and set <see cref="Failed"/>, which the caller checks once.
/// </summary>
internal ref struct Mp4BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _bit;

    public Mp4BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _bit = 0;
        Failed = false;
    }

    /// <summary>True once a read ran past the end or an Exp-Golomb code was longer than 32 bits.</summary>
    public bool Failed { get; private set; }

    public uint ReadBit()
    {
        if (_bit >= _data.Length * 8)
        {
            Failed = true;
            return 0;
        }

        uint bit = (uint)(_data[_bit >> 3] >> (7 - (_bit & 7))) & 1;
        _bit++;
        return bit;
    }

    public uint ReadBits(int count)
    {
        uint value = 0;
        for (int i = 0; i < count; i++)
        {
            value = (value << 1) | ReadBit();
        }

        return value;
    }

    /// <summary>ue(v): unsigned Exp-Golomb (H.264 §9.1).</summary>
    public uint ReadUnsignedExpGolomb()
    {
        int leadingZeros = 0;
        while (ReadBit() == 0)
        {
            if (Failed || ++leadingZeros > 31)
            {
                Failed = true;
                return 0;
            }
        }

        return (uint)((1UL << leadingZeros) - 1 + ReadBits(leadingZeros));
    }

    /// <summary>se(v): signed Exp-Golomb (H.264 §9.1.1): 1, -1, 2, -2, ... for code numbers 1, 2, 3, 4, ...</summary>
    public int ReadSignedExpGolomb()
    {
        uint code = ReadUnsignedExpGolomb();
        return (code & 1) != 0 ? (int)((code + 1) / 2) : -(int)(code / 2);
    }

    /// <summary>
    /// Copies a NAL unit's payload to <paramref name="rbsp"/> without its emulation prevention bytes (the 0x03 in
    /// <c>00 00 03</c>, H.264 §7.4.1); returns the RBSP length. <paramref name="rbsp"/> must be at least as long.
    /// </summary>
    public static int RemoveEmulationPrevention(ReadOnlySpan<byte> nal, Span<byte> rbsp)
    {
        int length = 0;
        int zeros = 0;
        foreach (byte b in nal)
        {
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }

            zeros = b == 0 ? zeros + 1 : 0;
            rbsp[length++] = b;
        }

        return length;
    }
}
