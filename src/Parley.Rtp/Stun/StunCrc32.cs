namespace Parley.Rtp.Stun;

/// <summary>
/// CRC-32 as ISO/IEC 13239 and ITU-T V.42 define it (reflected polynomial 0xEDB88320, init and final XOR
/// 0xFFFFFFFF), which the FINGERPRINT attribute uses (RFC 8489 §14.7). The BCL has none without a package.
/// </summary>
internal static class StunCrc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFF;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
