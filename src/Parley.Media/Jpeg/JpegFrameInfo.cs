using System.Buffers.Binary;

namespace Parley.Media.Jpeg;

/// <summary>Why <see cref="JpegFrameInfo.TryParse"/> (and so <see cref="JpegPacketizer"/>) refused a JPEG.</summary>
public enum JpegFrameError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>The data does not start with SOI (FF D8).</summary>
    NotJpeg,

    /// <summary>A segment runs past the end of the data, or the scan has no EOI.</summary>
    Truncated,

    /// <summary>A segment is malformed: bad length, bad marker, inconsistent fields.</summary>
    Malformed,

    /// <summary>Progressive JPEG (SOF2/SOF6/SOF10/SOF14): RFC 2435 carries baseline sequential only.</summary>
    Progressive,

    /// <summary>Lossless, hierarchical, arithmetic-coded or extended (SOF1) JPEG: not baseline.</summary>
    NotBaseline,

    /// <summary>A sample precision other than 8 bits (for example 12-bit).</summary>
    UnsupportedPrecision,

    /// <summary>Not exactly three components (greyscale and CMYK have no RTP/JPEG type).</summary>
    UnsupportedComponents,

    /// <summary>Sampling other than 4:2:0 (type 1) or 4:2:2 (type 0), e.g. 4:4:4.</summary>
    UnsupportedSubsampling,

    /// <summary>Huffman tables other than the standard ones, which RTP/JPEG cannot carry (RFC 2435 §3.1).</summary>
    NonStandardHuffmanTables,

    /// <summary>A component refers to a quantization table the file does not define, or chroma tables differ.</summary>
    MissingQuantizationTable,

    /// <summary>Width or height above 2040 pixels (8-bit fields in 8-pixel units), zero, or scan data above 16 MiB.</summary>
    TooLarge,

    /// <summary>More than one scan, or a scan that does not cover all components in order.</summary>
    UnsupportedScan,

    /// <summary>The quantization tables are not RFC 2435 Appendix A's for the requested Q factor 1..99.</summary>
    QuantizationTableMismatch,

    /// <summary>The payload budget cannot hold the headers plus at least one byte of data.</summary>
    PayloadBudgetTooSmall,
}

/// <summary>
/// The facts about one baseline JPEG that RTP/JPEG needs (RFC 2435 §3.1): type, geometry in 8-pixel units,
/// restart interval, where the two quantization tables and the entropy-coded scan lie in the file.
/// Offsets index the span that was parsed; the struct holds no reference to it.
/// </summary>
public readonly struct JpegFrameInfo
{
    /// <summary>RFC 2435 type: 0 for 4:2:2, 1 for 4:2:0 (before adding 64 for restart markers).</summary>
    public byte Type { get; init; }

    /// <summary>Image width in pixels (SOF0 X).</summary>
    public int Width { get; init; }

    /// <summary>Image height in pixels (SOF0 Y).</summary>
    public int Height { get; init; }

    /// <summary>MCUs per restart interval (DRI), 0 when the file has no restart markers.</summary>
    public int RestartInterval { get; init; }

    /// <summary>Offset of the luma quantization table's 64 (8-bit) or 128 (16-bit) entries, zigzag order.</summary>
    public int LumaTableOffset { get; init; }

    /// <summary>True when the luma table has 16-bit entries (DQT Pq = 1).</summary>
    public bool LumaTable16Bit { get; init; }

    /// <summary>Offset of the chroma quantization table's entries.</summary>
    public int ChromaTableOffset { get; init; }

    /// <summary>True when the chroma table has 16-bit entries.</summary>
    public bool ChromaTable16Bit { get; init; }

    /// <summary>Offset of the first byte of entropy-coded data after the SOS header.</summary>
    public int ScanOffset { get; init; }

    /// <summary>Bytes of entropy-coded data, up to but not including EOI.</summary>
    public int ScanLength { get; init; }

    /// <summary>Bytes of quantization table data RTP/JPEG carries: both tables, 64 or 128 bytes each.</summary>
    public int QuantizationDataLength => (LumaTable16Bit ? 128 : 64) + (ChromaTable16Bit ? 128 : 64);

    //  ITU-T T.81 Annex B: a baseline interchange-format file.
    //
    //  +-----+ +------------------------------------------+ +-----+ +--------------------------+ +-----+
    //  | SOI | | tables/misc: DQT DHT DRI APPn COM ...   | | SOF0| | tables/misc | SOS | scan... | | EOI |
    //  +-----+ +------------------------------------------+ +-----+ +--------------------------+ +-----+
    //   FFD8     FFxx Lh Ll <Lh:Ll - 2 bytes of parameters>   FFC0                  FFDA            FFD9
    //
    //  SOF0:  P(8) Y(16) X(16) Nf(8) { Ci(8) Hi(4) Vi(4) Tqi(8) } x Nf
    //  DQT:   { Pq(4) Tq(4) Q0..Q63 (8 or 16 bits each, zigzag) } ...
    //  DHT:   { Tc(4) Th(4) L1..L16(8) V(sum L bytes) } ...
    //  DRI:   Ri(16)
    //  SOS:   Ns(8) { Csj(8) Tdj(4) Taj(4) } x Ns  Ss(8) Se(8) Ah(4) Al(4)
    //  Entropy-coded data never contains FF except as FF00 (stuffing) or FFD0..FFD7 (restart markers).

    /// <summary>
    /// Parses a JPEG file and checks that RTP/JPEG can carry it (RFC 2435 §3.1, §4.1): baseline, 8-bit,
    /// three components sampled 4:2:0 or 4:2:2, standard Huffman tables (or none, as in Motion JPEG), one
    /// interleaved scan, at most 2040 × 2040. Never throws.
    /// </summary>
    /// <param name="jpeg">The whole file, SOI to EOI.</param>
    /// <param name="info">The frame's facts when the result is true.</param>
    /// <param name="error">Why the result is false; <see cref="JpegFrameError.None"/> otherwise.</param>
    public static bool TryParse(ReadOnlySpan<byte> jpeg, out JpegFrameInfo info, out JpegFrameError error)
    {
        info = default;
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            error = JpegFrameError.NotJpeg;
            return false;
        }

        Span<int> tableOffset = stackalloc int[4];
        Span<bool> table16 = stackalloc bool[4];
        tableOffset.Fill(-1);
        Span<byte> componentIds = stackalloc byte[3];
        Span<byte> componentTables = stackalloc byte[3];
        int width = 0, height = 0, restart = 0, type = -1;
        int pos = 2;
        while (true)
        {
            // Markers may be preceded by any number of FF fill bytes (T.81 B.1.1.2).
            if (pos >= jpeg.Length)
            {
                error = JpegFrameError.Truncated;
                return false;
            }

            if (jpeg[pos] != 0xFF)
            {
                error = JpegFrameError.Malformed;
                return false;
            }

            while (pos < jpeg.Length && jpeg[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= jpeg.Length)
            {
                error = JpegFrameError.Truncated;
                return false;
            }

            byte marker = jpeg[pos++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // TEM and stray RSTn carry no length.
            }

            if (marker is 0xD8 or 0xD9 or 0x00)
            {
                error = JpegFrameError.Malformed; // SOI again, EOI before any scan, or a stuffed zero outside a scan.
                return false;
            }

            if (pos + 2 > jpeg.Length)
            {
                error = JpegFrameError.Truncated;
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[pos..]);
            if (length < 2)
            {
                error = JpegFrameError.Malformed;
                return false;
            }

            if (pos + length > jpeg.Length)
            {
                error = JpegFrameError.Truncated;
                return false;
            }

            ReadOnlySpan<byte> segment = jpeg.Slice(pos + 2, length - 2);
            int segmentOffset = pos + 2;
            pos += length;
            switch (marker)
            {
                case 0xC0:
                    if (!ParseSof(segment, componentIds, componentTables, out width, out height, out type, out error))
                    {
                        return false;
                    }

                    break;
                case 0xC2 or 0xC6 or 0xCA or 0xCE:
                    error = JpegFrameError.Progressive;
                    return false;
                case 0xC1 or 0xC3 or 0xC5 or 0xC7 or 0xC9 or 0xCB or 0xCD or 0xCF or 0xDE or 0xDF:
                    error = JpegFrameError.NotBaseline;
                    return false;
                case 0xC4:
                    if (!CheckDht(segment, out error))
                    {
                        return false;
                    }

                    break;
                case 0xDB:
                    if (!ParseDqt(segment, segmentOffset, tableOffset, table16))
                    {
                        error = JpegFrameError.Malformed;
                        return false;
                    }

                    break;
                case 0xDD:
                    if (segment.Length != 2)
                    {
                        error = JpegFrameError.Malformed;
                        return false;
                    }

                    restart = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case 0xDA:
                    return FinishAtScan(jpeg, segment, pos, width, height, type, restart, componentIds, componentTables, tableOffset, table16, out info, out error);
                default:
                    break; // APPn, COM, DNL before a frame, DAC (rejected via SOF9+ anyway): skipped.
            }
        }
    }

    private static bool ParseSof(ReadOnlySpan<byte> s, Span<byte> ids, Span<byte> tables, out int width, out int height, out int type, out JpegFrameError error)
    {
        width = height = 0;
        type = -1;
        if (s.Length < 6)
        {
            error = JpegFrameError.Malformed;
            return false;
        }

        if (s[0] != 8)
        {
            error = JpegFrameError.UnsupportedPrecision;
            return false;
        }

        height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
        width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
        int nf = s[5];
        if (s.Length != 6 + (3 * nf))
        {
            error = JpegFrameError.Malformed;
            return false;
        }

        if (nf != 3)
        {
            error = JpegFrameError.UnsupportedComponents;
            return false;
        }

        if (width == 0 || height == 0 || width > 2040 || height > 2040)
        {
            error = JpegFrameError.TooLarge; // height 0 would need DNL, which RTP/JPEG cannot express either.
            return false;
        }

        for (int i = 0; i < 3; i++)
        {
            ids[i] = s[6 + (3 * i)];
            tables[i] = s[8 + (3 * i)];
        }

        byte y = s[7], cb = s[10], cr = s[13];
        if (cb != 0x11 || cr != 0x11)
        {
            error = JpegFrameError.UnsupportedSubsampling;
            return false;
        }

        type = y switch { 0x21 => 0, 0x22 => 1, _ => -1 };
        if (type < 0)
        {
            error = JpegFrameError.UnsupportedSubsampling;
            return false;
        }

        error = JpegFrameError.None;
        return true;
    }

    private static bool CheckDht(ReadOnlySpan<byte> s, out JpegFrameError error)
    {
        while (!s.IsEmpty)
        {
            if (s.Length < 17)
            {
                error = JpegFrameError.Malformed;
                return false;
            }

            int tc = s[0] >> 4, th = s[0] & 0x0F;
            ReadOnlySpan<byte> bits = s.Slice(1, 16);
            int count = 0;
            foreach (byte b in bits)
            {
                count += b;
            }

            if (s.Length < 17 + count)
            {
                error = JpegFrameError.Malformed;
                return false;
            }

            if (!JpegTables.IsStandardHuffmanTable(tc, th, bits, s.Slice(17, count)))
            {
                error = JpegFrameError.NonStandardHuffmanTables;
                return false;
            }

            s = s[(17 + count)..];
        }

        error = JpegFrameError.None;
        return true;
    }

    private static bool ParseDqt(ReadOnlySpan<byte> s, int offset, Span<int> tableOffset, Span<bool> table16)
    {
        int pos = 0;
        while (pos < s.Length)
        {
            int pq = s[pos] >> 4, tq = s[pos] & 0x0F;
            int size = pq == 0 ? 64 : 128;
            if (pq > 1 || tq > 3 || pos + 1 + size > s.Length)
            {
                return false;
            }

            tableOffset[tq] = offset + pos + 1;
            table16[tq] = pq == 1;
            pos += 1 + size;
        }

        return true;
    }

    private static bool FinishAtScan(
        ReadOnlySpan<byte> jpeg, ReadOnlySpan<byte> sos, int scanStart, int width, int height, int type, int restart,
        ReadOnlySpan<byte> ids, ReadOnlySpan<byte> tables, ReadOnlySpan<int> tableOffset, ReadOnlySpan<bool> table16,
        out JpegFrameInfo info, out JpegFrameError error)
    {
        info = default;
        if (type < 0)
        {
            error = JpegFrameError.Malformed; // SOS before SOF0.
            return false;
        }

        if (sos.Length < 1 || sos.Length != 4 + (2 * sos[0]))
        {
            error = JpegFrameError.Malformed;
            return false;
        }

        if (sos[0] != 3)
        {
            error = JpegFrameError.UnsupportedScan;
            return false;
        }

        for (int i = 0; i < 3; i++)
        {
            byte expectedTables = i == 0 ? (byte)0x00 : (byte)0x11;
            if (sos[1 + (2 * i)] != ids[i])
            {
                error = JpegFrameError.UnsupportedScan;
                return false;
            }

            if (sos[2 + (2 * i)] != expectedTables)
            {
                error = JpegFrameError.NonStandardHuffmanTables; // RTP/JPEG fixes luma to tables 0, chroma to 1.
                return false;
            }
        }

        if (sos[7] != 0 || sos[8] != 63 || sos[9] != 0)
        {
            error = JpegFrameError.NotBaseline;
            return false;
        }

        if (tables[0] > 3 || tables[1] > 3 || tables[1] != tables[2] || tableOffset[tables[0]] < 0 || tableOffset[tables[1]] < 0)
        {
            error = JpegFrameError.MissingQuantizationTable;
            return false;
        }

        // Walk the entropy-coded data to its end: FF00 and RSTn belong to it; the first other marker ends it.
        int pos = scanStart;
        int end = -1;
        while (pos < jpeg.Length)
        {
            int ff = jpeg[pos..].IndexOf((byte)0xFF);
            if (ff < 0)
            {
                break;
            }

            pos += ff;
            int next = pos + 1;
            while (next < jpeg.Length && jpeg[next] == 0xFF)
            {
                next++; // fill bytes before a marker
            }

            if (next >= jpeg.Length)
            {
                break;
            }

            byte m = jpeg[next];
            if (m == 0x00 || m is >= 0xD0 and <= 0xD7)
            {
                pos = next + 1;
                continue;
            }

            if (m != 0xD9)
            {
                error = JpegFrameError.UnsupportedScan; // DNL, a second SOS, tables between scans.
                return false;
            }

            end = pos;
            break;
        }

        if (end < 0)
        {
            error = JpegFrameError.Truncated;
            return false;
        }

        int scanLength = end - scanStart;
        if (scanLength == 0 || scanLength > 0xFF_FFFF)
        {
            error = scanLength == 0 ? JpegFrameError.Truncated : JpegFrameError.TooLarge;
            return false;
        }

        info = new JpegFrameInfo
        {
            Type = (byte)type,
            Width = width,
            Height = height,
            RestartInterval = restart,
            LumaTableOffset = tableOffset[tables[0]],
            LumaTable16Bit = table16[tables[0]],
            ChromaTableOffset = tableOffset[tables[1]],
            ChromaTable16Bit = table16[tables[1]],
            ScanOffset = scanStart,
            ScanLength = scanLength,
        };
        error = JpegFrameError.None;
        return true;
    }
}
