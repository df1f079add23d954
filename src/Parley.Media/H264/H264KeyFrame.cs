using System.Buffers.Binary;

namespace Parley.Media.H264;

/// <summary>
/// Recognises, from one RTP payload of an H.264 stream (RFC 6184), whether a decoder can start there:
/// the packet carries the start of an SPS (NAL unit type 7) or of an IDR slice (type 5).
/// </summary>
/// <remarks>
/// A publisher's key frame usually begins with SPS and PPS (in a STAP-A, or as single NAL unit packets) and goes on
/// with the IDR slice, often fragmented as FU-A; the SPS packet is therefore the first safe starting point, and an
/// IDR slice packet is one too when parameter sets travel only in the SDP (sprop-parameter-sets, as ffmpeg sends).
/// <code>
///  +---------------+      NAL unit header (RFC 6184 §1.3)      FU header (§5.8)
///  |0|1|2|3|4|5|6|7|      F | NRI | Type                        S | E | R | Type
///  +-+-+-+-+-+-+-+-+
///  |F|NRI|  Type   |      Type 1-23 single NAL unit, 24 STAP-A, 25 STAP-B, 26 MTAP16, 27 MTAP24, 28 FU-A, 29 FU-B
///  +---------------+
/// </code>
/// </remarks>
public static class H264KeyFrame
{
    private const int NalTypeIdr = 5;
    private const int NalTypeSps = 7;
    private const int StapA = 24;
    private const int FuA = 28;

    /// <summary>True when <paramref name="payload"/> (an RTP payload, RFC 6184) starts an SPS or an IDR slice.</summary>
    /// <param name="payload">The RTP payload after the RTP header; malformed or truncated input returns false.</param>
    public static bool IsKeyFrameStart(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        int type = payload[0] & 0x1F;
        switch (type)
        {
            case NalTypeIdr:
            case NalTypeSps:
                return true;
            case StapA:
                return StapAContainsKeyUnit(payload[1..]);
            case FuA:
                if (payload.Length < 2)
                {
                    return false;
                }

                bool start = (payload[1] & 0x80) != 0;
                int fragmentType = payload[1] & 0x1F;
                return start && (fragmentType == NalTypeIdr || fragmentType == NalTypeSps);
            default:
                return false;
        }
    }

    // STAP-A (RFC 6184 §5.7.1): a sequence of [16-bit size][NAL unit] aggregation units.
    private static bool StapAContainsKeyUnit(ReadOnlySpan<byte> units)
    {
        while (units.Length >= 3)
        {
            int size = BinaryPrimitives.ReadUInt16BigEndian(units);
            if (size == 0 || size > units.Length - 2)
            {
                return false;
            }

            int type = units[2] & 0x1F;
            if (type == NalTypeIdr || type == NalTypeSps)
            {
                return true;
            }

            units = units[(2 + size)..];
        }

        return false;
    }
}
