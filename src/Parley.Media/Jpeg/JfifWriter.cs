using System.Buffers.Binary;

namespace Parley.Media.Jpeg;

/// <summary>
/// Writes the JFIF headers that turn RTP/JPEG data back into a decodable file (RFC 2435 Appendix B
/// <c>MakeHeaders</c>): SOI, APP0 "JFIF", DQT, DRI (types 64-127), SOF0, DHT with the standard tables, SOS.
/// The entropy-coded data and EOI follow.
/// </summary>
public static class JfifWriter
{
    /// <summary>The most bytes <see cref="WriteHeaders"/> writes (16-bit tables and DRI).</summary>
    public const int MaxHeaderLength = 2 + 18 + (4 + (2 * 129)) + 6 + 19 + 420 + 14;

    /// <summary>Writes the headers for one frame.</summary>
    /// <param name="destination">At least <see cref="MaxHeaderLength"/> bytes.</param>
    /// <param name="type">RFC 2435 type: 0 or 64 (4:2:2), 1 or 65 (4:2:0).</param>
    /// <param name="width">Width in pixels, 1..65535.</param>
    /// <param name="height">Height in pixels, 1..65535.</param>
    /// <param name="lumaTable">64 (8-bit) or 128 (16-bit, big-endian) entries, zigzag order: DQT table 0.</param>
    /// <param name="chromaTable">64 or 128 bytes: DQT table 1.</param>
    /// <param name="restartInterval">MCUs per restart interval; written as DRI when non-zero.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">An unsupported type, bad table length, or a small destination.</exception>
    public static int WriteHeaders(Span<byte> destination, int type, int width, int height, ReadOnlySpan<byte> lumaTable, ReadOnlySpan<byte> chromaTable, int restartInterval)
    {
        int baseType = type & ~64;
        if (type is < 0 or > 127 || baseType > 1)
        {
            throw new ArgumentException($"RTP/JPEG type {type} is not 0, 1, 64 or 65.", nameof(type));
        }

        if (lumaTable.Length is not (64 or 128) || chromaTable.Length is not (64 or 128))
        {
            throw new ArgumentException("Quantization tables are 64 (8-bit) or 128 (16-bit) bytes.", nameof(lumaTable));
        }

        if (destination.Length < MaxHeaderLength)
        {
            throw new ArgumentException($"Need {MaxHeaderLength} bytes for the headers.", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 65535);

        int p = 0;
        Put(destination, ref p, [0xFF, 0xD8]);

        // APP0 JFIF 1.01, no thumbnail: tells decoders the components are YCbCr.
        Put(destination, ref p, [0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);

        // DQT: table 0 (luma), table 1 (chroma).
        Put(destination, ref p, [0xFF, 0xDB]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[p..], (ushort)(2 + 1 + lumaTable.Length + 1 + chromaTable.Length));
        p += 2;
        destination[p++] = (byte)(lumaTable.Length == 128 ? 0x10 : 0x00);
        Put(destination, ref p, lumaTable);
        destination[p++] = (byte)(chromaTable.Length == 128 ? 0x11 : 0x01);
        Put(destination, ref p, chromaTable);

        if (restartInterval > 0)
        {
            Put(destination, ref p, [0xFF, 0xDD, 0x00, 0x04]);
            BinaryPrimitives.WriteUInt16BigEndian(destination[p..], (ushort)restartInterval);
            p += 2;
        }

        // SOF0: 8-bit, 3 components; Y sampled 2x1 (type 0) or 2x2 (type 1), Cb and Cr 1x1 with table 1.
        Put(destination, ref p, [0xFF, 0xC0, 0x00, 0x11, 0x08]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[p..], (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(p + 2)..], (ushort)width);
        p += 4;
        Put(destination, ref p, [0x03, 0x01, baseType == 0 ? (byte)0x21 : (byte)0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);

        // DHT: the four standard tables (T.81 K.3).
        int dhtLength = 2 + (4 * 17) + JpegTables.DcLumaValues.Length + JpegTables.DcChromaValues.Length
            + JpegTables.AcLumaValues.Length + JpegTables.AcChromaValues.Length;
        Put(destination, ref p, [0xFF, 0xC4]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[p..], (ushort)dhtLength);
        p += 2;
        PutHuffman(destination, ref p, 0x00, JpegTables.DcLumaBits, JpegTables.DcLumaValues);
        PutHuffman(destination, ref p, 0x10, JpegTables.AcLumaBits, JpegTables.AcLumaValues);
        PutHuffman(destination, ref p, 0x01, JpegTables.DcChromaBits, JpegTables.DcChromaValues);
        PutHuffman(destination, ref p, 0x11, JpegTables.AcChromaBits, JpegTables.AcChromaValues);

        // SOS: all three components interleaved, full spectral range.
        Put(destination, ref p, [0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00]);
        return p;
    }

    private static void PutHuffman(Span<byte> destination, ref int p, byte classAndId, ReadOnlySpan<byte> bits, ReadOnlySpan<byte> values)
    {
        destination[p++] = classAndId;
        Put(destination, ref p, bits);
        Put(destination, ref p, values);
    }

    private static void Put(Span<byte> destination, ref int p, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[p..]);
        p += bytes.Length;
    }
}
