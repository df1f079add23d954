using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>
/// A zero-copy view over one RTCP packet (its common header and body) inside a compound packet
/// (RFC 3550 §6.4.1 header layout, §6.1 compound packets). Produced by <see cref="RtcpCompoundReader"/> or
/// <see cref="TryParse"/>; interpret the body with the typed views (<see cref="RtcpSenderReportView"/>, ...).
/// </summary>
public readonly ref struct RtcpPacketView
{
    /// <summary>The length of the common RTCP header in bytes.</summary>
    public const int HeaderLength = 4;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _paddingLength;

    private RtcpPacketView(ReadOnlySpan<byte> buffer, int paddingLength)
    {
        _buffer = buffer;
        _paddingLength = paddingLength;
    }

    //  RFC 3550 §6.4.1 common header; length is the packet size in 32-bit words minus one:
    //
    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|  RC/FMT |      PT       |             length            |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                  body ...                     | padding |count|
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// Parses the first RTCP packet at the start of <paramref name="buffer"/>; the view covers only the bytes its
    /// length field announces (RFC 3550 §6.4.1). Never throws.
    /// </summary>
    /// <returns>
    /// False when fewer than 4 bytes remain, the version is not 2, the length field runs past the buffer, or the
    /// P bit is set and the padding count is 0 or larger than the body.
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out RtcpPacketView packet)
    {
        packet = default;
        if (buffer.Length < HeaderLength || (buffer[0] >> 6) != 2)
        {
            return false;
        }

        int length = (BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]) + 1) * 4;
        if (length > buffer.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = buffer[..length];
        int padding = 0;
        if ((bytes[0] & 0x20) != 0)
        {
            padding = bytes[^1];
            if (padding == 0 || padding > length - HeaderLength)
            {
                return false;
            }
        }

        packet = new RtcpPacketView(bytes, padding);
        return true;
    }

    /// <summary>
    /// RFC 5761 §4 RTP/RTCP demultiplexing on one port: true when the second byte is 192-223 (RTCP packet types
    /// 192-223, which as RTP would be the marker bit plus payload types 64-95). Needs at least 2 bytes and
    /// version 2.
    /// </summary>
    public static bool LooksLikeRtcp(ReadOnlySpan<byte> buffer) =>
        buffer.Length >= 2 && (buffer[0] >> 6) == 2 && buffer[1] is >= 192 and <= 223;

    /// <summary>The packet type (PT), e.g. <see cref="RtcpPacketType.SenderReport"/>.</summary>
    public byte PacketType => _buffer[1];

    /// <summary>The 5-bit field after P: report count (SR/RR), source count (SDES/BYE), subtype (APP) or FMT (feedback).</summary>
    public int Count => _buffer[0] & 0x1F;

    /// <summary>True when the P bit is set (RFC 3550 §6.4.1).</summary>
    public bool HasPadding => (_buffer[0] & 0x20) != 0;

    /// <summary>The bytes of this packet, header and padding included.</summary>
    public ReadOnlySpan<byte> Buffer => _buffer;

    /// <summary>The bytes after the 4-byte header, without padding.</summary>
    public ReadOnlySpan<byte> Body => _buffer[HeaderLength..(_buffer.Length - _paddingLength)];

    /// <summary>The size of this packet in bytes, (length field + 1) * 4.</summary>
    public int Length => _buffer.Length;

    /// <summary>The number of padding bytes including the count byte; 0 without the P bit.</summary>
    public int PaddingLength => _paddingLength;
}
