using System.Buffers.Binary;

namespace Parley.Rtp;

/// <summary>
/// A zero-copy, read-only view over one RTP packet held in the caller's buffer (RFC 3550 §5.1, header extensions
/// per RFC 3550 §5.3.1 and RFC 8285). Nothing is copied or allocated; the view is only valid while the buffer is.
/// </summary>
/// <remarks>
/// Created by <see cref="TryParse"/>, which validates every length before any field is read, so the accessors
/// never read out of bounds.
/// </remarks>
public readonly ref struct RtpPacketView
{
    /// <summary>The size in bytes of the fixed RTP header (RFC 3550 §5.1), before CSRCs and extension.</summary>
    public const int FixedHeaderLength = 12;

    /// <summary>The only RTP version this parser accepts (RFC 3550 §5.1: "V: 2 bits ... version two (2)").</summary>
    public const int SupportedVersion = 2;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _headerLength;
    private readonly int _paddingLength;

    private RtpPacketView(ReadOnlySpan<byte> buffer, int headerLength, int paddingLength)
    {
        _buffer = buffer;
        _headerLength = headerLength;
        _paddingLength = paddingLength;
    }

    //  RFC 3550 §5.1 fixed header, followed by the optional extension of §5.3.1:
    //
    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                           timestamp                           |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |           synchronization source (SSRC) identifier            |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |            contributing source (CSRC) identifiers             |
    //  |                             ....                              |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |      defined by profile       |           length              |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                        header extension                       |
    //  |                             ....                              |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                           payload  ...    | padding ... |count|
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// Validates <paramref name="buffer"/> as one RTP packet and returns a view over it (RFC 3550 §5.1).
    /// Never throws.
    /// </summary>
    /// <param name="buffer">The whole UDP payload (or interleaved frame body); the view covers all of it.</param>
    /// <param name="packet">The view when the result is true; default otherwise.</param>
    /// <returns>
    /// False when the version is not 2, the buffer is shorter than the fixed header plus the CSRC list plus the
    /// header extension its length field announces, or the P bit is set and the padding count (last byte) is 0
    /// or larger than the bytes after the header.
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out RtpPacketView packet)
    {
        packet = default;
        if (!TryGetHeaderLength(buffer, out int offset))
        {
            return false;
        }

        int padding = 0;
        if ((buffer[0] & 0x20) != 0)
        {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included, so it is at least 1.
            if (buffer.Length == offset)
            {
                return false;
            }

            padding = buffer[^1];
            if (padding == 0 || padding > buffer.Length - offset)
            {
                return false;
            }
        }

        packet = new RtpPacketView(buffer, offset, padding);
        return true;
    }

    /// <summary>
    /// Reads only the header's length: 12 bytes plus 4 per CSRC plus the whole header extension (RFC 3550 §5.1,
    /// §5.3.1). Unlike <see cref="TryParse"/> it does not look at the payload or the padding, so it also works on
    /// packets whose payload is encrypted and followed by an authentication tag (SRTP, RFC 3711 §3.1). Never throws.
    /// </summary>
    /// <param name="buffer">The packet, starting at the first header byte.</param>
    /// <param name="headerLength">The header length in bytes when the result is true; 0 otherwise.</param>
    /// <returns>False when the version is not 2 or the buffer ends inside the header.</returns>
    public static bool TryGetHeaderLength(ReadOnlySpan<byte> buffer, out int headerLength)
    {
        headerLength = 0;
        if (buffer.Length < FixedHeaderLength)
        {
            return false;
        }

        byte first = buffer[0];
        if ((first >> 6) != SupportedVersion)
        {
            return false;
        }

        int offset = FixedHeaderLength + (4 * (first & 0x0F));
        if (buffer.Length < offset)
        {
            return false;
        }

        if ((first & 0x10) != 0)
        {
            if (buffer.Length < offset + 4)
            {
                return false;
            }

            int extensionWords = BinaryPrimitives.ReadUInt16BigEndian(buffer[(offset + 2)..]);
            offset += 4 + (4 * extensionWords);
            if (buffer.Length < offset)
            {
                return false;
            }
        }

        headerLength = offset;
        return true;
    }

    /// <summary>The RTP version, always 2 for a parsed view (RFC 3550 §5.1 "V").</summary>
    public int Version => _buffer[0] >> 6;

    /// <summary>True when the P bit is set and the payload is followed by padding (RFC 3550 §5.1 "P").</summary>
    public bool HasPadding => (_buffer[0] & 0x20) != 0;

    /// <summary>True when the X bit is set and a header extension follows the CSRCs (RFC 3550 §5.3.1).</summary>
    public bool HasExtension => (_buffer[0] & 0x10) != 0;

    /// <summary>The number of CSRC identifiers, 0 to 15 (RFC 3550 §5.1 "CC").</summary>
    public int CsrcCount => _buffer[0] & 0x0F;

    /// <summary>The marker bit; for video it marks the last packet of a frame (RFC 3550 §5.1 "M").</summary>
    public bool Marker => (_buffer[1] & 0x80) != 0;

    /// <summary>The 7-bit payload type, 0 to 127 (RFC 3550 §5.1 "PT").</summary>
    public byte PayloadType => (byte)(_buffer[1] & 0x7F);

    /// <summary>The 16-bit sequence number; compare with <see cref="RtpSequence"/> (RFC 3550 §5.1).</summary>
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_buffer[2..]);

    /// <summary>The media timestamp in RTP clock units (the payload format's clock rate, Hz) (RFC 3550 §5.1).</summary>
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_buffer[4..]);

    /// <summary>The synchronization source identifier (RFC 3550 §5.1 "SSRC").</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_buffer[8..]);

    /// <summary>Returns the CSRC identifier at <paramref name="index"/> (RFC 3550 §5.1 "CSRC list").</summary>
    /// <param name="index">0 to <see cref="CsrcCount"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the CSRC list (a programmer error).</exception>
    public uint GetCsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_buffer[(FixedHeaderLength + (4 * index))..]);
    }

    private int ExtensionOffset => FixedHeaderLength + (4 * CsrcCount);

    /// <summary>
    /// The 16-bit "defined by profile" field of the header extension: 0xBEDE for RFC 8285 one-byte elements,
    /// 0x1000-0x100F for two-byte elements; 0 when <see cref="HasExtension"/> is false (RFC 3550 §5.3.1).
    /// </summary>
    public ushort ExtensionProfile =>
        HasExtension ? BinaryPrimitives.ReadUInt16BigEndian(_buffer[ExtensionOffset..]) : (ushort)0;

    /// <summary>
    /// The header extension body without its 4-byte profile/length header, a multiple of 4 bytes; empty when
    /// there is no extension (RFC 3550 §5.3.1). Read elements with <see cref="RtpHeaderExtensionReader"/>.
    /// </summary>
    public ReadOnlySpan<byte> ExtensionData =>
        HasExtension ? _buffer[(ExtensionOffset + 4).._headerLength] : [];

    /// <summary>The header length in bytes: 12 plus 4 per CSRC plus the whole extension (header and body).</summary>
    public int HeaderLength => _headerLength;

    /// <summary>The payload bytes, after the header and without padding (RFC 3550 §5.1).</summary>
    public ReadOnlySpan<byte> Payload => _buffer[_headerLength..(_buffer.Length - _paddingLength)];

    /// <summary>The number of padding bytes at the end, including the count byte; 0 without the P bit.</summary>
    public int PaddingLength => _paddingLength;

    /// <summary>The whole packet: header, payload and padding.</summary>
    public ReadOnlySpan<byte> Buffer => _buffer;
}
