using System.Buffers.Binary;

namespace Parley.Rtp;

/// <summary>
/// Serializes RTP packets into a caller's span (RFC 3550 §5.1, §5.3.1). Allocates nothing.
/// </summary>
public static class RtpPacketWriter
{
    /// <summary>
    /// The header length in bytes that <see cref="Write"/> produces for <paramref name="header"/>: 12, plus 4 per
    /// CSRC, plus 4 and the extension body rounded up to 4 bytes when <see cref="RtpHeader.HasExtension"/>.
    /// </summary>
    public static int GetHeaderLength(in RtpHeader header)
    {
        int length = RtpPacketView.FixedHeaderLength + (4 * header.Csrcs.Length);
        if (header.HasExtension)
        {
            length += 4 + ((header.ExtensionData.Length + 3) & ~3);
        }

        return length;
    }

    /// <summary>The whole packet length in bytes: header, payload and <see cref="RtpHeader.PaddingLength"/>.</summary>
    public static int GetPacketLength(in RtpHeader header, int payloadLength) =>
        GetHeaderLength(header) + payloadLength + header.PaddingLength;

    /// <summary>
    /// Writes the header, <paramref name="payload"/> and any padding into <paramref name="destination"/>
    /// (RFC 3550 §5.1). Padding bytes are zero except the last, which holds the padding count.
    /// </summary>
    /// <returns>Bytes written, <see cref="GetPacketLength"/>.</returns>
    /// <exception cref="ArgumentException">The destination is too small, the payload type exceeds 127, there
    /// are more than 15 CSRCs, or the extension body exceeds 65535 words.</exception>
    public static int Write(Span<byte> destination, in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.PayloadType > 127)
        {
            throw new ArgumentException($"Payload type must be 0-127; got {header.PayloadType}.", nameof(header));
        }

        ReadOnlySpan<uint> csrcs = header.Csrcs.Span;
        if (csrcs.Length > 15)
        {
            throw new ArgumentException($"At most 15 CSRCs fit the 4-bit CC field; got {csrcs.Length}.", nameof(header));
        }

        int extensionWords = (header.ExtensionData.Length + 3) / 4;
        if (header.HasExtension && extensionWords > ushort.MaxValue)
        {
            throw new ArgumentException("The header extension exceeds 65535 32-bit words.", nameof(header));
        }

        int headerLength = GetHeaderLength(header);
        int total = headerLength + payload.Length + header.PaddingLength;
        if (destination.Length < total)
        {
            throw new ArgumentException($"Destination is {destination.Length} bytes; the packet needs {total}.", nameof(destination));
        }

        destination[0] = (byte)(0x80
            | (header.PaddingLength > 0 ? 0x20 : 0)
            | (header.HasExtension ? 0x10 : 0)
            | csrcs.Length);
        destination[1] = (byte)((header.Marker ? 0x80 : 0) | header.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], header.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], header.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], header.Ssrc);

        int offset = RtpPacketView.FixedHeaderLength;
        foreach (uint csrc in csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc);
            offset += 4;
        }

        if (header.HasExtension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], header.ExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)extensionWords);
            offset += 4;
            ReadOnlySpan<byte> extension = header.ExtensionData.Span;
            extension.CopyTo(destination[offset..]);
            destination.Slice(offset + extension.Length, (extensionWords * 4) - extension.Length).Clear();
            offset += extensionWords * 4;
        }

        payload.CopyTo(destination[offset..]);
        offset += payload.Length;

        if (header.PaddingLength > 0)
        {
            destination.Slice(offset, header.PaddingLength - 1).Clear();
            offset += header.PaddingLength;
            destination[offset - 1] = header.PaddingLength;
        }

        return offset;
    }
}
