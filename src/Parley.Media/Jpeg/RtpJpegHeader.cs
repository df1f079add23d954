using System.Buffers.Binary;

namespace Parley.Media.Jpeg;

/// <summary>
/// The RTP/JPEG payload headers of one packet (RFC 2435 §3.1): the main JPEG header, the restart marker header
/// for types 64-127, and the quantization table header in the first packet of a frame with Q ≥ 128.
/// </summary>
public readonly struct RtpJpegHeader
{
    /// <summary>Bytes of the main JPEG header (RFC 2435 §3.1).</summary>
    public const int MainHeaderLength = 8;

    /// <summary>Bytes of the restart marker header (RFC 2435 §3.1.7).</summary>
    public const int RestartHeaderLength = 4;

    /// <summary>Bytes of the quantization table header before its table data (RFC 2435 §3.1.8).</summary>
    public const int QuantizationHeaderLength = 4;

    /// <summary>The restart count value meaning "intervals are not independently decodable" (§3.1.7).</summary>
    public const int NoRestartCount = 0x3FFF;

    /// <summary>Type-specific field; 0 for progressively scanned frames (§3.1.1).</summary>
    public byte TypeSpecific { get; init; }

    /// <summary>Byte offset of this packet's data in the frame's entropy-coded data, 24 bits (§3.1.2).</summary>
    public int FragmentOffset { get; init; }

    /// <summary>The type (§3.1.3): 0 = 4:2:2, 1 = 4:2:0; plus 64 when restart markers are present.</summary>
    public byte Type { get; init; }

    /// <summary>The Q factor (§3.1.4): 1-99 scale Appendix A tables; 128-255 carry tables in band.</summary>
    public byte Q { get; init; }

    /// <summary>Width in 8-pixel units, 1-255 (§3.1.5).</summary>
    public byte Width { get; init; }

    /// <summary>Height in 8-pixel units, 1-255 (§3.1.6).</summary>
    public byte Height { get; init; }

    /// <summary>True for types 64-127, whose packets carry the restart marker header.</summary>
    public bool HasRestartHeader => Type is >= 64 and <= 127;

    /// <summary>MCUs per restart interval, from the restart marker header (§3.1.7); 0 without one.</summary>
    public ushort RestartInterval { get; init; }

    /// <summary>The F bit: the packet starts with the first byte of a restart interval.</summary>
    public bool RestartFirst { get; init; }

    /// <summary>The L bit: the packet ends with the last byte of a restart interval.</summary>
    public bool RestartLast { get; init; }

    /// <summary>The 14-bit restart count; <see cref="NoRestartCount"/> when intervals are not independent.</summary>
    public ushort RestartCount { get; init; }

    /// <summary>True when this packet carries the quantization table header (Q ≥ 128 and fragment offset 0).</summary>
    public bool HasQuantizationHeader => Q >= 128 && FragmentOffset == 0;

    /// <summary>The quantization header's Precision field: bit i set means table i has 16-bit entries (§3.1.8).</summary>
    public byte QuantizationPrecision { get; init; }

    /// <summary>Bytes of quantization table data that follow the quantization header; 0 means "use cached tables".</summary>
    public ushort QuantizationLength { get; init; }

    /// <summary>Total bytes of headers (and in-band table data) before the JPEG data of this packet.</summary>
    public int HeaderLength =>
        MainHeaderLength + (HasRestartHeader ? RestartHeaderLength : 0)
        + (HasQuantizationHeader ? QuantizationHeaderLength + QuantizationLength : 0);

    //  RFC 2435 §3.1: main JPEG header
    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  | Type-specific |              Fragment Offset                  |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |      Type     |       Q       |     Width     |     Height    |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //
    //  §3.1.7: restart marker header (types 64-127, every packet)
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |       Restart Interval        |F|L|       Restart Count       |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //
    //  §3.1.8: quantization table header (Q 128-255, fragment offset 0 only)
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |      MBZ      |   Precision   |             Length            |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                    Quantization Table Data                    |
    //  |                              ...                              |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// Parses the headers at the start of an RTP/JPEG payload. Never throws; false when the payload is shorter
    /// than its headers say, or when the quantization table data does not fit.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out RtpJpegHeader header)
    {
        header = default;
        if (payload.Length < MainHeaderLength)
        {
            return false;
        }

        uint first = BinaryPrimitives.ReadUInt32BigEndian(payload);
        var h = new RtpJpegHeader
        {
            TypeSpecific = (byte)(first >> 24),
            FragmentOffset = (int)(first & 0xFF_FFFF),
            Type = payload[4],
            Q = payload[5],
            Width = payload[6],
            Height = payload[7],
        };
        int pos = MainHeaderLength;
        if (h.HasRestartHeader)
        {
            if (payload.Length < pos + RestartHeaderLength)
            {
                return false;
            }

            ushort flags = BinaryPrimitives.ReadUInt16BigEndian(payload[(pos + 2)..]);
            h = h with
            {
                RestartInterval = BinaryPrimitives.ReadUInt16BigEndian(payload[pos..]),
                RestartFirst = (flags & 0x8000) != 0,
                RestartLast = (flags & 0x4000) != 0,
                RestartCount = (ushort)(flags & 0x3FFF),
            };
            pos += RestartHeaderLength;
        }

        if (h.HasQuantizationHeader)
        {
            if (payload.Length < pos + QuantizationHeaderLength)
            {
                return false;
            }

            h = h with
            {
                QuantizationPrecision = payload[pos + 1],
                QuantizationLength = BinaryPrimitives.ReadUInt16BigEndian(payload[(pos + 2)..]),
            };
            if (payload.Length < pos + QuantizationHeaderLength + h.QuantizationLength)
            {
                return false;
            }
        }

        header = h;
        return true;
    }

    /// <summary>
    /// Writes the main header, the restart header when <see cref="HasRestartHeader"/>, and the quantization header
    /// (not its table data) when <see cref="HasQuantizationHeader"/>.
    /// </summary>
    /// <returns>Bytes written: <see cref="HeaderLength"/> minus <see cref="QuantizationLength"/>.</returns>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public int WriteTo(Span<byte> destination)
    {
        int length = HeaderLength - (HasQuantizationHeader ? QuantizationLength : 0);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The RTP/JPEG headers need {length} bytes; got {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, ((uint)TypeSpecific << 24) | ((uint)FragmentOffset & 0xFF_FFFF));
        destination[4] = Type;
        destination[5] = Q;
        destination[6] = Width;
        destination[7] = Height;
        int pos = MainHeaderLength;
        if (HasRestartHeader)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], RestartInterval);
            int flags = (RestartFirst ? 0x8000 : 0) | (RestartLast ? 0x4000 : 0) | (RestartCount & 0x3FFF);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], (ushort)flags);
            pos += RestartHeaderLength;
        }

        if (HasQuantizationHeader)
        {
            destination[pos] = 0;
            destination[pos + 1] = QuantizationPrecision;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], QuantizationLength);
            pos += QuantizationHeaderLength;
        }

        return pos;
    }
}
