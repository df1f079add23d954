namespace Parley.Media.Jpeg;

/// <summary>
/// The tables RTP/JPEG leaves out of the wire (RFC 2435 Appendix A and B): the example quantization tables
/// scaled by the Q factor, and the standard Huffman tables of ITU-T T.81 Annex K.3, which every RTP/JPEG frame
/// must be coded with because the receiver re-creates them.
/// </summary>
public static class JpegTables
{
    /// <summary>Bytes of one 8-bit quantization table.</summary>
    public const int QuantizationTableSize = 64;

    /// <summary>RFC 2435 Appendix A <c>jpeg_luma_quantizer</c>, in zigzag order.</summary>
    public static ReadOnlySpan<byte> LumaQuantizer =>
    [
        16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40,
        26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58, 51, 61, 60, 57, 51,
        56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87,
        95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
    ];

    /// <summary>RFC 2435 Appendix A <c>jpeg_chroma_quantizer</c>, in zigzag order.</summary>
    public static ReadOnlySpan<byte> ChromaQuantizer =>
    [
        17, 18, 18, 24, 21, 24, 47, 26, 26, 47, 99, 66, 56, 66, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    /// <summary>T.81 Table K.3: DC luminance code lengths (BITS), 16 counts.</summary>
    public static ReadOnlySpan<byte> DcLumaBits => [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>T.81 Table K.3: DC luminance symbols (HUFFVAL).</summary>
    public static ReadOnlySpan<byte> DcLumaValues => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    /// <summary>T.81 Table K.4: DC chrominance code lengths.</summary>
    public static ReadOnlySpan<byte> DcChromaBits => [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];

    /// <summary>T.81 Table K.4: DC chrominance symbols.</summary>
    public static ReadOnlySpan<byte> DcChromaValues => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    /// <summary>T.81 Table K.5: AC luminance code lengths.</summary>
    public static ReadOnlySpan<byte> AcLumaBits => [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];

    /// <summary>T.81 Table K.5: AC luminance symbols (162).</summary>
    public static ReadOnlySpan<byte> AcLumaValues =>
    [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
        0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
        0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa,
    ];

    /// <summary>T.81 Table K.6: AC chrominance code lengths.</summary>
    public static ReadOnlySpan<byte> AcChromaBits => [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];

    /// <summary>T.81 Table K.6: AC chrominance symbols (162).</summary>
    public static ReadOnlySpan<byte> AcChromaValues =>
    [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
        0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
        0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
        0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
        0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
        0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
        0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
        0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
        0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa,
    ];

    /// <summary>
    /// Writes the luma and chroma quantization tables for Q factor 1..99 (RFC 2435 Appendix A
    /// <c>MakeTables</c>, the libjpeg quality scaling), in zigzag order, 8-bit entries clamped to 1..255.
    /// </summary>
    /// <param name="q">The Q factor, 1..99; values outside are clamped.</param>
    /// <param name="luma">Receives 64 bytes.</param>
    /// <param name="chroma">Receives 64 bytes.</param>
    /// <exception cref="ArgumentException">A destination is shorter than 64 bytes.</exception>
    public static void MakeTables(int q, Span<byte> luma, Span<byte> chroma)
    {
        if (luma.Length < QuantizationTableSize || chroma.Length < QuantizationTableSize)
        {
            throw new ArgumentException("Each table needs 64 bytes.", luma.Length < QuantizationTableSize ? nameof(luma) : nameof(chroma));
        }

        int factor = Math.Clamp(q, 1, 99);
        int scale = q < 50 ? 5000 / factor : 200 - (factor * 2);
        for (int i = 0; i < QuantizationTableSize; i++)
        {
            luma[i] = (byte)Math.Clamp(((LumaQuantizer[i] * scale) + 50) / 100, 1, 255);
            chroma[i] = (byte)Math.Clamp(((ChromaQuantizer[i] * scale) + 50) / 100, 1, 255);
        }
    }

    /// <summary>
    /// True when a DHT table (class <paramref name="tableClass"/>: 0 = DC, 1 = AC; id 0 = luma, 1 = chroma) is
    /// exactly the standard table RTP/JPEG receivers assume (RFC 2435 §3.1, Appendix B).
    /// </summary>
    public static bool IsStandardHuffmanTable(int tableClass, int tableId, ReadOnlySpan<byte> bits, ReadOnlySpan<byte> values)
    {
        int key = (tableClass << 4) | tableId;
        ReadOnlySpan<byte> b = key switch
        {
            0x00 => DcLumaBits,
            0x01 => DcChromaBits,
            0x10 => AcLumaBits,
            0x11 => AcChromaBits,
            _ => default,
        };
        ReadOnlySpan<byte> v = key switch
        {
            0x00 => DcLumaValues,
            0x01 => DcChromaValues,
            0x10 => AcLumaValues,
            0x11 => AcChromaValues,
            _ => default,
        };
        return !b.IsEmpty && bits.SequenceEqual(b) && values.SequenceEqual(v);
    }
}
