using System.Buffers.Binary;

namespace Parley.Media.Vp8;

/// <summary>
/// The start of a VP8 frame (RFC 6386 §9.1, repeated as the payload header of RFC 7741 §4.3): the 3-byte frame tag
/// with the key frame bit, and on key frames the start code and the frame size in pixels.
/// </summary>
/// <remarks>Wire input never throws: <see cref="TryParse"/> returns false for a short frame or a key frame without
/// the start code <c>9D 01 2A</c>.</remarks>
public readonly record struct Vp8FrameHeader
{
    /// <summary>Bytes of the frame tag.</summary>
    public const int TagLength = 3;

    /// <summary>Bytes of a key frame's header: the tag, the 3-byte start code, and two 16-bit sizes.</summary>
    public const int KeyFrameHeaderLength = 10;

    /// <summary>True when P = 0: the frame decodes on its own (an intra frame, RFC 6386 §9.1).</summary>
    public bool IsKeyFrame { get; init; }

    /// <summary>The VER field (0-3 defined): reconstruction and loop filter profile.</summary>
    public int Version { get; init; }

    /// <summary>The H (show_frame) bit: false for a frame decoded only to be referred to.</summary>
    public bool ShowFrame { get; init; }

    /// <summary>Size of the first partition in bytes (19 bits).</summary>
    public int FirstPartitionSize { get; init; }

    /// <summary>Width in pixels (14 bits); 0 on inter frames.</summary>
    public int Width { get; init; }

    /// <summary>Height in pixels (14 bits); 0 on inter frames.</summary>
    public int Height { get; init; }

    /// <summary>The 2-bit horizontal upscaling code; 0 on inter frames.</summary>
    public int HorizontalScale { get; init; }

    /// <summary>The 2-bit vertical upscaling code; 0 on inter frames.</summary>
    public int VerticalScale { get; init; }

    //  RFC 7741 §4.3, the first three octets of a frame (a little-endian 24-bit frame tag, RFC 6386 §9.1):
    //   0 1 2 3 4 5 6 7
    //  +-+-+-+-+-+-+-+-+
    //  |Size0|H| VER |P|
    //  +-+-+-+-+-+-+-+-+
    //  |     Size1     |
    //  +-+-+-+-+-+-+-+-+
    //  |     Size2     |
    //  +-+-+-+-+-+-+-+-+
    //  | Octets 4..N of|
    //  | VP8 payload   |
    //  :               :
    //  +-+-+-+-+-+-+-+-+
    //  Size = Size0 + 8 * Size1 + 2048 * Size2 (the first partition). On a key frame (P = 0) octets 4-6 are the
    //  start code 9D 01 2A, then 16 bits little-endian each: 2-bit scale and 14-bit width, 2-bit scale and
    //  14-bit height (RFC 6386 §9.1).

    /// <summary>Parses the header at the start of a whole VP8 frame (or of the first packet's VP8 data).</summary>
    /// <param name="frame">The frame, from its first byte.</param>
    /// <param name="header">The parsed header when the result is true.</param>
    /// <returns>False when the frame is too short or a key frame lacks its start code.</returns>
    public static bool TryParse(ReadOnlySpan<byte> frame, out Vp8FrameHeader header)
    {
        header = default;
        if (frame.Length < TagLength)
        {
            return false;
        }

        int tag = frame[0] | (BinaryPrimitives.ReadUInt16LittleEndian(frame[1..]) << 8);
        bool key = (tag & 1) == 0;
        if (key && (frame.Length < KeyFrameHeaderLength || frame[3] != 0x9D || frame[4] != 0x01 || frame[5] != 0x2A))
        {
            return false;
        }

        int width = key ? BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) : 0;
        int height = key ? BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) : 0;
        header = new Vp8FrameHeader
        {
            IsKeyFrame = key,
            Version = (tag >> 1) & 0x7,
            ShowFrame = ((tag >> 4) & 1) != 0,
            FirstPartitionSize = tag >> 5,
            Width = width & 0x3FFF,
            Height = height & 0x3FFF,
            HorizontalScale = width >> 14,
            VerticalScale = height >> 14,
        };
        return true;
    }

    /// <summary>True when a packet's VP8 data (after the descriptor) begins a key frame: P = 0 in its first byte.</summary>
    /// <param name="vp8Data">The VP8 data of a packet that starts a frame.</param>
    public static bool IsKeyFrameStart(ReadOnlySpan<byte> vp8Data) => !vp8Data.IsEmpty && (vp8Data[0] & 1) == 0;
}
