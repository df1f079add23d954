using System.Buffers.Binary;

namespace Parley.Media.Vp8;

/// <summary>
/// The VP8 payload descriptor that starts every RTP payload of RFC 7741 (§4.2): where a frame and its partitions
/// begin, whether the frame is referenced, and the optional picture ID, TL0PICIDX, temporal layer and key index.
/// </summary>
/// <remarks>
/// A view of parsed values, not of the caller's bytes. Wire input never throws: <see cref="TryParse"/> returns
/// false for a payload too short for the extensions it announces, or one with no VP8 data after the descriptor.
/// </remarks>
public readonly record struct Vp8PayloadDescriptor
{
    /// <summary>No picture ID in the descriptor (<see cref="PictureId"/>).</summary>
    public const int NoPictureId = -1;

    /// <summary>The largest descriptor, in bytes: X, I/L/T/K, a 15-bit picture ID, TL0PICIDX and TID/Y/KEYIDX.</summary>
    public const int MaxLength = 6;

    /// <summary>True when the S bit is set: the first packet of a VP8 partition.</summary>
    public bool StartOfPartition { get; init; }

    /// <summary>The partition index PID (0-7) of the data that follows; 0 is the first partition of the frame.</summary>
    public int PartitionIndex { get; init; }

    /// <summary>True when the N bit is set: no other frame refers to this one, so losing it costs no key frame.</summary>
    public bool NonReference { get; init; }

    /// <summary>The picture ID (7 or 15 bits, see <see cref="PictureIdBits"/>), or <see cref="NoPictureId"/>.</summary>
    public int PictureId { get; init; }

    /// <summary>Width of <see cref="PictureId"/> on the wire: 7, 15, or 0 when absent.</summary>
    public int PictureIdBits { get; init; }

    /// <summary>TL0PICIDX (L bit), or -1 when absent.</summary>
    public int Tl0PictureIndex { get; init; }

    /// <summary>The temporal layer index TID (T bit), or -1 when absent.</summary>
    public int TemporalLayer { get; init; }

    /// <summary>The layer sync bit Y; false when the T bit is absent.</summary>
    public bool LayerSync { get; init; }

    /// <summary>The temporal key frame index KEYIDX (K bit), or -1 when absent.</summary>
    public int KeyIndex { get; init; }

    /// <summary>Descriptor length in bytes (1-6): the VP8 payload starts at this offset.</summary>
    public int Length { get; init; }

    /// <summary>True when this packet starts a frame: S = 1 and PID = 0 (RFC 7741 §4.2).</summary>
    public bool IsFrameStart => StartOfPartition && PartitionIndex == 0;

    //  RFC 7741 §4.2, VP8 payload descriptor (the optional bytes are present when X, then I/L/T/K, are set):
    //         0 1 2 3 4 5 6 7                      0 1 2 3 4 5 6 7
    //        +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
    //        |X|R|N|S|R| PID | (REQUIRED)        |X|R|N|S|R| PID | (REQUIRED)
    //        +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
    //   X:   |I|L|T|K| RSV   | (OPTIONAL)   X:   |I|L|T|K| RSV   | (OPTIONAL)
    //        +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
    //   I:   |M| PictureID   | (OPTIONAL)   I:   |M| PictureID   | (OPTIONAL)
    //        +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
    //   L:   |   TL0PICIDX   | (OPTIONAL)        |   PictureID   |
    //        +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
    //   T/K: |TID|Y| KEYIDX  | (OPTIONAL)   L:   |   TL0PICIDX   | (OPTIONAL)
    //        +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
    //                                       T/K: |TID|Y| KEYIDX  | (OPTIONAL)
    //                                            +-+-+-+-+-+-+-+-+
    //  M = 1 makes the picture ID 15 bits (right). One TID/Y/KEYIDX byte is present when T or K (or both) is set.
    //  R bits are ignored on receipt (§4.2).

    /// <summary>Parses the descriptor at the start of a VP8 RTP payload.</summary>
    /// <param name="payload">The RTP payload (after the RTP header, padding removed).</param>
    /// <param name="descriptor">The parsed descriptor when the result is true.</param>
    /// <returns>False when the payload ends inside the descriptor or carries no VP8 data after it.</returns>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte first = payload[0];
        int at = 1, pictureId = NoPictureId, pictureIdBits = 0, tl0 = -1, tid = -1, keyIndex = -1;
        bool sync = false;
        if ((first & 0x80) != 0)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            byte extensions = payload[at++];
            if ((extensions & 0x80) != 0)
            {
                if (payload.Length <= at)
                {
                    return false;
                }

                if ((payload[at] & 0x80) != 0)
                {
                    if (payload.Length < at + 2)
                    {
                        return false;
                    }

                    pictureId = BinaryPrimitives.ReadUInt16BigEndian(payload[at..]) & 0x7FFF;
                    pictureIdBits = 15;
                    at += 2;
                }
                else
                {
                    pictureId = payload[at++] & 0x7F;
                    pictureIdBits = 7;
                }
            }

            if ((extensions & 0x40) != 0)
            {
                if (payload.Length <= at)
                {
                    return false;
                }

                tl0 = payload[at++];
            }

            if ((extensions & 0x30) != 0)
            {
                if (payload.Length <= at)
                {
                    return false;
                }

                byte layer = payload[at++];
                if ((extensions & 0x20) != 0)
                {
                    tid = layer >> 6;
                    sync = (layer & 0x20) != 0;
                }

                if ((extensions & 0x10) != 0)
                {
                    keyIndex = layer & 0x1F;
                }
            }
        }

        if (payload.Length <= at)
        {
            return false; // §4.2: a payload carries at least one byte of VP8 data
        }

        descriptor = new Vp8PayloadDescriptor
        {
            NonReference = (first & 0x20) != 0,
            StartOfPartition = (first & 0x10) != 0,
            PartitionIndex = first & 0x07,
            PictureId = pictureId,
            PictureIdBits = pictureIdBits,
            Tl0PictureIndex = tl0,
            TemporalLayer = tid,
            LayerSync = sync,
            KeyIndex = keyIndex,
            Length = at,
        };
        return true;
    }

    /// <summary>
    /// Writes a descriptor: S and PID 0 on a frame's first packet, and a 15-bit picture ID when one is given.
    /// </summary>
    /// <param name="destination">At least <see cref="MaxLength"/> bytes.</param>
    /// <param name="frameStart">Sets S with PID 0 (the first packet of the frame).</param>
    /// <param name="nonReference">Sets N.</param>
    /// <param name="pictureId">0-32767 written with M = 1, or <see cref="NoPictureId"/> for none.</param>
    /// <returns>Bytes written: 1, or 4 with a picture ID.</returns>
    /// <exception cref="ArgumentOutOfRangeException">pictureId outside -1..32767.</exception>
    public static int Write(Span<byte> destination, bool frameStart, bool nonReference, int pictureId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pictureId, NoPictureId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pictureId, 0x7FFF);
        byte first = (byte)((frameStart ? 0x10 : 0) | (nonReference ? 0x20 : 0));
        if (pictureId == NoPictureId)
        {
            destination[0] = first;
            return 1;
        }

        destination[0] = (byte)(first | 0x80);
        destination[1] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(0x8000 | pictureId));
        return 4;
    }
}
