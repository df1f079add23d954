namespace Parley.Media.Mp4;

/// <summary>The codecs the fragmented MP4 muxer writes, each with its sample entry.</summary>
public enum Mp4Codec
{
    /// <summary>H.264: <c>avc1</c> sample entry with <c>avcC</c> (ISO/IEC 14496-15 §5.4), timescale 90000 Hz.</summary>
    H264,

    /// <summary>Opus: <c>Opus</c> sample entry with <c>dOps</c> ("Encapsulation of Opus in ISO BMFF" §4.3), timescale 48000 Hz.</summary>
    Opus,

    /// <summary>AAC: <c>mp4a</c> sample entry with <c>esds</c> (ISO/IEC 14496-14 §5.6, 14496-1 §7.2.6), timescale = sample rate.</summary>
    Aac,
}
