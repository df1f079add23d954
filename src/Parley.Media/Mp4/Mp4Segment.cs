using System.Buffers.Binary;

namespace Parley.Media.Mp4;

/// <summary>
/// Helpers for senders of media segments written by <see cref="Mp4Muxer"/>: where the header ends and the shared
/// payload begins, and a per-viewer copy of the header with that viewer's own mfhd sequence number.
/// </summary>
/// <remarks>
/// A segment is built once per stream and its buffer shared by every viewer. A viewer that wants its own sequence
/// numbers (starting at 1 when it joined) copies only the header (about 100 bytes: moof and the mdat box header)
/// with <see cref="TryWriteHeader"/>, then sends that copy and <c>segment[headerLength..]</c> as one WebSocket
/// message (two frames of one message), so the mdat payload is never copied per viewer. MSE in Chromium does not
/// check mfhd sequence numbers, and ISO/IEC 14496-12 §8.8.5 only asks that they increase, so a late joiner may as
/// well receive the shared numbers unchanged.
/// </remarks>
public static class Mp4Segment
{
    /// <summary>Byte offset of mfhd's 32-bit big-endian sequence_number from the start of every segment.</summary>
    public const int SequenceNumberOffset = Mp4FragmentWriter.SequenceNumberOffset;

    /// <summary>
    /// The length of a segment's header: the moof box plus the 8-byte mdat box header. Never throws.
    /// </summary>
    /// <returns>False when <paramref name="segment"/> does not start with a moof followed by an mdat header.</returns>
    public static bool TryGetHeaderLength(ReadOnlySpan<byte> segment, out int headerLength)
    {
        headerLength = 0;
        if (segment.Length < 8 || !segment.Slice(4, 4).SequenceEqual("moof"u8))
        {
            return false;
        }

        uint moofLength = BinaryPrimitives.ReadUInt32BigEndian(segment);
        if (moofLength < 24 || moofLength > (uint)(segment.Length - 8) || !segment.Slice((int)moofLength + 4, 4).SequenceEqual("mdat"u8))
        {
            return false;
        }

        headerLength = (int)moofLength + 8;
        return true;
    }

    /// <summary>
    /// Copies the header of <paramref name="segment"/> into <paramref name="destination"/> with mfhd's sequence
    /// number replaced; the segment itself is not modified. Never throws.
    /// </summary>
    /// <param name="segment">A media segment (moof + mdat), typically shared by all viewers.</param>
    /// <param name="sequenceNumber">This viewer's sequence number for the segment.</param>
    /// <param name="destination">Where the header goes; at least the header length.</param>
    /// <param name="headerLength">Bytes written; send <c>segment[headerLength..]</c> after them.</param>
    /// <returns>False when the segment is not a moof + mdat or the destination is too short.</returns>
    public static bool TryWriteHeader(ReadOnlySpan<byte> segment, uint sequenceNumber, Span<byte> destination, out int headerLength)
    {
        if (!TryGetHeaderLength(segment, out headerLength) || destination.Length < headerLength)
        {
            headerLength = 0;
            return false;
        }

        segment[..headerLength].CopyTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[SequenceNumberOffset..], sequenceNumber);
        return true;
    }
}
