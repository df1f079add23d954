namespace Parley.Media.Opus;

/// <summary>Reads an Opus packet's table-of-contents byte (RFC 6716 §3.1) without decoding it.</summary>
public static class OpusPacketInfo
{
    /// <summary>The RTP clock rate of Opus, always 48000 Hz whatever the coded bandwidth (RFC 7587 §4.1).</summary>
    public const int ClockRate = 48000;

    //  RFC 6716 §3.1: the TOC byte
    //   0 1 2 3 4 5 6 7
    //  +-+-+-+-+-+-+-+-+
    //  | config  |s| c |
    //  +-+-+-+-+-+-+-+-+
    //  config 0-11 SILK (10/20/40/60 ms), 12-15 Hybrid (10/20 ms), 16-31 CELT (2.5/5/10/20 ms)
    //  c: 0 = one frame, 1 = two equal frames, 2 = two frames of different size,
    //     3 = arbitrary count, given in the low six bits of the next byte:
    //   0 1 2 3 4 5 6 7
    //  +-+-+-+-+-+-+-+-+
    //  |v|p|     M     |
    //  +-+-+-+-+-+-+-+-+

    /// <summary>
    /// The audio duration of an Opus packet in samples per channel at 48 kHz (frames × frame duration), which
    /// is how far the RTP timestamp advances for it (RFC 7587 §4.2). Never throws.
    /// </summary>
    /// <returns>False for an empty packet, a code-3 packet without its count byte, a zero frame count, or more than 120 ms.</returns>
    public static bool TryGetSampleCount(ReadOnlySpan<byte> packet, out int samples)
    {
        samples = 0;
        if (packet.IsEmpty)
        {
            return false;
        }

        int config = packet[0] >> 3;
        int frameSamples = config switch
        {
            < 12 => (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 },
            < 16 => (config & 1) == 0 ? 480 : 960,
            _ => 120 << (config & 3),
        };
        int frames;
        switch (packet[0] & 3)
        {
            case 0:
                frames = 1;
                break;
            case 1:
            case 2:
                frames = 2;
                break;
            default:
                if (packet.Length < 2)
                {
                    return false;
                }

                frames = packet[1] & 0x3F;
                break;
        }

        int total = frames * frameSamples;
        if (frames == 0 || total > 5760)
        {
            return false;
        }

        samples = total;
        return true;
    }
}
