using System.Buffers.Binary;

namespace Parley.WebRtc.Ice;

/// <summary>
/// RFC 4571 §2 framing, which ICE-TCP uses for STUN, DTLS and RTP alike (RFC 6544 §3): each packet is preceded by
/// its length as a 16-bit big-endian integer.
/// </summary>
/// <remarks>
/// <code>
///   0                   1                   2                   3
///   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///  ---------------------------------------------------------------
///  |             LENGTH            |  RTP or RTCP packet ...       |
///  ---------------------------------------------------------------
/// </code>
/// </remarks>
public static class Rfc4571Framing
{
    /// <summary>The length prefix, 2 bytes.</summary>
    public const int HeaderLength = 2;

    /// <summary>The largest packet a frame can carry: 65535 bytes.</summary>
    public const int MaxPacketLength = ushort.MaxValue;

    /// <summary>Writes the prefix and the packet into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">The packet is longer than 65535 bytes or the destination too small.</exception>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > MaxPacketLength || destination.Length < HeaderLength + packet.Length)
        {
            throw new ArgumentException($"Cannot frame a {packet.Length}-byte packet into {destination.Length} bytes.", nameof(packet));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)packet.Length);
        packet.CopyTo(destination[HeaderLength..]);
        return HeaderLength + packet.Length;
    }

    /// <summary>
    /// Reads one frame from <paramref name="stream"/> into <paramref name="buffer"/> (at least 65535 bytes for any
    /// frame). Allocates nothing beyond the stream's own work.
    /// </summary>
    /// <returns>The packet length (0 is a valid, empty frame), or -1 at a clean end of stream before a frame.</returns>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    /// <exception cref="InvalidDataException">The frame is longer than <paramref name="buffer"/>.</exception>
    public static async ValueTask<int> ReadAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (buffer.Length < HeaderLength)
        {
            throw new ArgumentException("The buffer must hold at least the 2-byte prefix.", nameof(buffer));
        }

        int read = await stream.ReadAtLeastAsync(buffer[..HeaderLength], HeaderLength, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return -1;
        }

        if (read < HeaderLength)
        {
            throw new EndOfStreamException("The TCP stream ended inside an RFC 4571 length prefix.");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer.Span);
        if (length > buffer.Length)
        {
            throw new InvalidDataException($"An RFC 4571 frame of {length} bytes does not fit the {buffer.Length}-byte buffer.");
        }

        await stream.ReadExactlyAsync(buffer[..length], cancellationToken);
        return length;
    }
}
