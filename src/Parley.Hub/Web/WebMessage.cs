using System.Buffers.Binary;

namespace Parley.Hub.Web;

/// <summary>What a binary WebSocket message to a browser player carries (byte 0 of <see cref="WebMessage"/>).</summary>
public enum WebMessageKind : byte
{
    /// <summary>One complete JPEG/JFIF frame (RFC 2435 rebuilt), drawn to a canvas.</summary>
    Jpeg = 1,

    /// <summary>One Opus packet (RFC 6716) from one RTP packet, decoded by WebCodecs AudioDecoder.</summary>
    Opus = 2,

    /// <summary>An fMP4 init segment (ftyp + moov); the payload is a 16-bit MIME type length, the MIME type (UTF-8), then the segment.</summary>
    Mp4Init = 3,

    /// <summary>An fMP4 media segment (moof + mdat) for MSE: one video access unit or one audio packet.</summary>
    Mp4Media = 4,
}

/// <summary>
/// The header of every binary WebSocket message from the hub to a browser player, 32 bytes, big-endian,
/// followed by the payload (see <see cref="WebMessageKind"/>):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     kind      |     flags     |          track index          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    RTP timestamp (clock rate)                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |        capture time, Unix microseconds (sender's wall clock   |
/// |        from RTCP SR; the hub's arrival time before any SR)    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |        hub arrival time, Unix microseconds                    |
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |        media time, microseconds (fMP4: the segment's decode   |
/// |        time on the stream's timeline; 0 for JPEG and Opus)    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                          payload ...                          |
/// </code>
/// flags: bit 0 key frame (a viewer may start here), bit 1 audio.
/// </summary>
/// <remarks>
/// Text messages carry JSON control: <c>{"type":"hello","path":...,"mode":"jpeg"|"mse",...}</c> once at the start.
/// </remarks>
public static class WebMessage
{
    /// <summary>Header length in bytes.</summary>
    public const int HeaderLength = 32;

    /// <summary>Flag: a viewer can start decoding at this message.</summary>
    public const byte KeyFrameFlag = 0x01;

    /// <summary>Flag: the message carries audio.</summary>
    public const byte AudioFlag = 0x02;

    /// <summary>Writes the header into the first <see cref="HeaderLength"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The destination is shorter than the header.</exception>
    public static void WriteHeader(Span<byte> destination, WebMessageKind kind, byte flags, int trackIndex, uint rtpTimestamp,
        long captureUnixMicroseconds, long arrivalUnixMicroseconds, long mediaTimeMicroseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HeaderLength);
        destination[0] = (byte)kind;
        destination[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)trackIndex);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], rtpTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], captureUnixMicroseconds);
        BinaryPrimitives.WriteInt64BigEndian(destination[16..], arrivalUnixMicroseconds);
        BinaryPrimitives.WriteInt64BigEndian(destination[24..], mediaTimeMicroseconds);
    }

    /// <summary>Reads the kind and flags of a message; false when it is shorter than the header.</summary>
    public static bool TryReadKind(ReadOnlySpan<byte> message, out WebMessageKind kind, out byte flags)
    {
        if (message.Length < HeaderLength)
        {
            kind = default;
            flags = 0;
            return false;
        }

        kind = (WebMessageKind)message[0];
        flags = message[1];
        return true;
    }

    /// <summary>Reads the capture time (Unix microseconds) of a message; false when it is shorter than the header.</summary>
    public static bool TryReadCaptureTime(ReadOnlySpan<byte> message, out long captureUnixMicroseconds)
    {
        captureUnixMicroseconds = message.Length < HeaderLength ? 0 : BinaryPrimitives.ReadInt64BigEndian(message[8..]);
        return message.Length >= HeaderLength;
    }
}
