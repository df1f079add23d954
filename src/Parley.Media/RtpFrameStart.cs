using System.Buffers.Binary;
using Parley.Media.H264;
using Parley.Media.Vp8;

namespace Parley.Media;

/// <summary>How a receiver that joins late (or lost packets) finds a place where decoding can start.</summary>
public enum FrameStartKind
{
    /// <summary>Every packet is a valid starting point (audio, and video formats we do not inspect).</summary>
    AnyPacket,

    /// <summary>H.264 (RFC 6184): start at an SPS or IDR slice, see <see cref="H264KeyFrame"/>.</summary>
    H264,

    /// <summary>JPEG (RFC 2435): every frame is a key frame; start at a packet with fragment offset 0.</summary>
    Jpeg,

    /// <summary>VP8 (RFC 7741): start at the first packet of a key frame (S = 1, PID = 0, P = 0).</summary>
    Vp8,
}

/// <summary>Chooses and applies the start-point rule for a track's codec.</summary>
public static class RtpFrameStart
{
    /// <summary>
    /// The rule for an encoding name as it appears in an SDP rtpmap (case-insensitive, e.g. "H264", "JPEG", "VP8").
    /// </summary>
    public static FrameStartKind ForEncoding(string mediaType, string? encodingName)
    {
        if (!string.Equals(mediaType, "video", StringComparison.OrdinalIgnoreCase) || encodingName is null)
        {
            return FrameStartKind.AnyPacket;
        }

        return encodingName.ToUpperInvariant() switch
        {
            "H264" => FrameStartKind.H264,
            "JPEG" => FrameStartKind.Jpeg,
            "VP8" => FrameStartKind.Vp8,
            _ => FrameStartKind.AnyPacket,
        };
    }

    /// <summary>True when a receiver may start decoding at the RTP packet whose payload is <paramref name="payload"/>.</summary>
    public static bool IsStart(FrameStartKind kind, ReadOnlySpan<byte> payload) => kind switch
    {
        FrameStartKind.H264 => H264KeyFrame.IsKeyFrameStart(payload),
        // RFC 2435 §3.1: type-specific (1 byte), then the 24-bit fragment offset.
        FrameStartKind.Jpeg => payload.Length >= 8 && (BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x00FF_FFFF) == 0,
        FrameStartKind.Vp8 => IsVp8KeyFrameStart(payload),
        _ => true,
    };

    private static bool IsVp8KeyFrameStart(ReadOnlySpan<byte> payload) =>
        Vp8PayloadDescriptor.TryParse(payload, out var descriptor) && descriptor.IsFrameStart
        && Vp8FrameHeader.IsKeyFrameStart(payload[descriptor.Length..]);
}
