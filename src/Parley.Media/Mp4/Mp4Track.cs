using System.Globalization;
using Parley.Media.H264;

namespace Parley.Media.Mp4;

/// <summary>
/// One track of a fragmented MP4 stream: its codec configuration as the init segment describes it.
/// </summary>
/// <remarks>
/// An H.264 track may start without parameter sets (<see cref="H264(uint, uint)"/>, as a WebRTC or RTSP publisher
/// without sprop-parameter-sets does); the <see cref="Mp4Muxer"/> that owns it takes SPS and PPS from the first access
/// unit that carries them, and again whenever they change, and then says a new init segment is due.
/// </remarks>
public sealed class Mp4Track
{
    /// <summary>The timescale of H.264 tracks: the RTP clock rate of video (RFC 6184 §8.2.1), so RTP timestamps map 1:1.</summary>
    public const uint VideoTimescale = 90000;

    /// <summary>The timescale of Opus tracks: Opus always runs at 48 kHz (RFC 7587 §4.1).</summary>
    public const uint OpusTimescale = 48000;

    /// <summary>The samples per channel in one AAC-LC frame, the duration of each AAC sample in the track timescale.</summary>
    public const int AacFrameSamples = 1024;

    private Mp4Track(uint trackId, Mp4Codec codec, uint timescale, uint nominalSampleDuration)
    {
        if (trackId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(trackId), "Track IDs start at 1 (ISO/IEC 14496-12 §8.3.2).");
        }

        TrackId = trackId;
        Codec = codec;
        Timescale = timescale;
        NominalSampleDuration = nominalSampleDuration;
    }

    /// <summary>The track_ID in tkhd, trex and tfhd; unique within a muxer, at least 1.</summary>
    public uint TrackId { get; }

    /// <summary>The codec and so the sample entry.</summary>
    public Mp4Codec Codec { get; }

    /// <summary>Ticks per second of decode times and durations in this track (mdhd timescale).</summary>
    public uint Timescale { get; }

    /// <summary>
    /// The duration (track timescale) written for a video sample when no earlier sample tells the real frame
    /// interval; for audio unused (durations come from the packets).
    /// </summary>
    public uint NominalSampleDuration { get; }

    /// <summary>True for H.264 (a video track).</summary>
    public bool IsVideo => Codec == Mp4Codec.H264;

    /// <summary>True once the init segment can describe this track (H.264: SPS and PPS known; audio: always).</summary>
    public bool IsConfigured => !IsVideo || !Sps.IsEmpty;

    /// <summary>Cropped picture width in pixels from the SPS; 0 before it is known or for audio.</summary>
    public int Width { get; private set; }

    /// <summary>Cropped picture height in pixels from the SPS; 0 before it is known or for audio.</summary>
    public int Height { get; private set; }

    /// <summary>The current SPS NAL unit (header byte first, emulation prevention kept); empty until known.</summary>
    public ReadOnlyMemory<byte> Sps { get; private set; }

    /// <summary>The current PPS NAL unit; empty until known.</summary>
    public ReadOnlyMemory<byte> Pps { get; private set; }

    /// <summary>Audio channels (1-8 for Opus with mapping family 0: 1 or 2); 0 for video.</summary>
    public int ChannelCount { get; private init; }

    /// <summary>Audio sample rate in Hz as written in the sample entry (Opus: 48000); 0 for video.</summary>
    public int SampleRate { get; private init; }

    /// <summary>Opus pre-skip in 48 kHz samples (dOps PreSkip; the encoder's lookahead, 312 for libopus).</summary>
    public ushort PreSkip { get; private init; }

    /// <summary>Opus InputSampleRate in Hz (dOps): informational, the rate the source had before encoding.</summary>
    public uint InputSampleRate { get; private init; }

    /// <summary>Opus OutputGain in Q7.8 dB (dOps); 0 for none.</summary>
    public short OutputGain { get; private init; }

    /// <summary>AAC AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), for example the SDP <c>config=</c> of RFC 3640.</summary>
    public ReadOnlyMemory<byte> AudioSpecificConfig { get; private init; }

    /// <summary>
    /// The codecs parameter for this track (RFC 6381 §3.3) as MSE's <c>addSourceBuffer</c> expects:
    /// <c>avc1.PPCCLL</c> (profile, constraint flags, level in hex), <c>opus</c>, <c>mp4a.40.N</c> (N: audio object type).
    /// Empty for an H.264 track before its SPS is known.
    /// </summary>
    public string CodecString => Codec switch
    {
        Mp4Codec.H264 when Sps.Length >= 4 => string.Create(CultureInfo.InvariantCulture, $"avc1.{Sps.Span[1]:x2}{Sps.Span[2]:x2}{Sps.Span[3]:x2}"),
        Mp4Codec.H264 => string.Empty,
        Mp4Codec.Opus => "opus",
        _ => string.Create(CultureInfo.InvariantCulture, $"mp4a.40.{(AudioSpecificConfig.IsEmpty ? 2 : AudioSpecificConfig.Span[0] >> 3)}"),
    };

    /// <summary>An H.264 track whose SPS and PPS will come in-band with the first key frame.</summary>
    /// <param name="trackId">track_ID, at least 1.</param>
    /// <param name="nominalFrameDuration">Duration of the first frame in 90 kHz ticks (3000 = 30 frames/s).</param>
    /// <exception cref="ArgumentOutOfRangeException">Track ID 0 or a zero duration.</exception>
    public static Mp4Track H264(uint trackId, uint nominalFrameDuration = 3000)
    {
        ArgumentOutOfRangeException.ThrowIfZero(nominalFrameDuration);
        return new Mp4Track(trackId, Mp4Codec.H264, VideoTimescale, nominalFrameDuration);
    }

    /// <summary>An H.264 track configured from known parameter sets (SDP sprop-parameter-sets, RFC 6184 §8.1).</summary>
    /// <param name="trackId">track_ID, at least 1.</param>
    /// <param name="sps">SPS NAL unit, header byte first, no start code.</param>
    /// <param name="pps">PPS NAL unit, header byte first, no start code.</param>
    /// <param name="track">The track, or null when the SPS does not parse or the PPS is not a PPS.</param>
    /// <param name="nominalFrameDuration">Duration of the first frame in 90 kHz ticks (3000 = 30 frames/s).</param>
    /// <returns>False (never throws) for malformed parameter sets.</returns>
    public static bool TryCreateH264(uint trackId, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps, out Mp4Track? track, uint nominalFrameDuration = 3000)
    {
        track = H264(trackId, nominalFrameDuration);
        if (!track.TrySetParameterSets(sps, pps))
        {
            track = null;
            return false;
        }

        return true;
    }

    /// <summary>An Opus track (RFC 7845 channel mapping family 0: mono or stereo).</summary>
    /// <param name="trackId">track_ID, at least 1.</param>
    /// <param name="channelCount">1 or 2.</param>
    /// <param name="preSkip">Samples at 48 kHz to drop at the start (encoder lookahead; libopus 312).</param>
    /// <param name="inputSampleRate">The source's sample rate in Hz, informational.</param>
    /// <param name="outputGain">Gain in Q7.8 dB to apply on output.</param>
    /// <exception cref="ArgumentOutOfRangeException">Track ID 0 or a channel count other than 1 or 2.</exception>
    public static Mp4Track Opus(uint trackId, int channelCount, ushort preSkip = 312, uint inputSampleRate = 48000, short outputGain = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channelCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channelCount, 2);
        return new Mp4Track(trackId, Mp4Codec.Opus, OpusTimescale, 960)
        {
            ChannelCount = channelCount,
            SampleRate = (int)OpusTimescale,
            PreSkip = preSkip,
            InputSampleRate = inputSampleRate,
            OutputGain = outputGain,
        };
    }

    /// <summary>An AAC track; every sample is one raw AAC frame (no ADTS header) of 1024 samples.</summary>
    /// <param name="trackId">track_ID, at least 1.</param>
    /// <param name="sampleRate">Sample rate in Hz (1-65535, the sample entry's 16.16 field), also the timescale.</param>
    /// <param name="channelCount">Channels, 1-8.</param>
    /// <param name="audioSpecificConfig">AudioSpecificConfig bytes (2-64), for example from SDP <c>config=</c> (RFC 3640 §4.1).</param>
    /// <exception cref="ArgumentOutOfRangeException">Out-of-range values.</exception>
    public static Mp4Track Aac(uint trackId, int sampleRate, int channelCount, ReadOnlySpan<byte> audioSpecificConfig)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(channelCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channelCount, 8);
        if (audioSpecificConfig.Length is < 2 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(audioSpecificConfig), "An AudioSpecificConfig is 2 to 64 bytes.");
        }

        return new Mp4Track(trackId, Mp4Codec.Aac, (uint)sampleRate, AacFrameSamples)
        {
            ChannelCount = channelCount,
            SampleRate = sampleRate,
            AudioSpecificConfig = audioSpecificConfig.ToArray(),
        };
    }

    /// <summary>What avcC needs from <see cref="Sps"/>.</summary>
    internal H264SequenceParameterSet SpsInfo { get; private set; }

    /// <summary>True when <paramref name="sps"/> and <paramref name="pps"/> equal the current parameter sets.</summary>
    internal bool HasParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps) =>
        sps.SequenceEqual(Sps.Span) && pps.SequenceEqual(Pps.Span);

    /// <summary>Replaces the parameter sets (allocates: only on a change); false when the SPS does not parse.</summary>
    internal bool TrySetParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (!H264SequenceParameterSet.TryParse(sps, out var info) || pps.IsEmpty || pps.Length > 4096 || (pps[0] & 0x1F) != 8)
        {
            return false;
        }

        Sps = sps.ToArray();
        Pps = pps.ToArray();
        SpsInfo = info;
        Width = info.Width;
        Height = info.Height;
        return true;
    }
}
