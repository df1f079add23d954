using Parley.Media.Sync;

namespace Parley.Endpoint.View;

/// <summary>One complete, decodable encoded video frame as a track receiver hands it on. A view, valid during the call.</summary>
public readonly ref struct ReceivedVideoFrame
{
    /// <summary>Creates a frame view.</summary>
    public ReceivedVideoFrame(ReadOnlySpan<byte> data, ViewCodec codec, uint rtpTimestamp, TimeSpan mediaTime, TimeSpan arrival, bool isKeyFrame, RtpClockMapping? clockMapping = null)
    {
        ClockMapping = clockMapping;
        Data = data;
        Codec = codec;
        RtpTimestamp = rtpTimestamp;
        MediaTime = mediaTime;
        Arrival = arrival;
        IsKeyFrame = isKeyFrame;
    }

    /// <summary>An H.264 access unit (Annex B, SPS and PPS in front of every key frame) or a whole JPEG file.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The codec of <see cref="Data"/>.</summary>
    public ViewCodec Codec { get; }

    /// <summary>Its RTP timestamp (90 kHz).</summary>
    public uint RtpTimestamp { get; }

    /// <summary>Its presentation time on the run's timeline (<see cref="MediaTimeline"/>), for recording.</summary>
    public TimeSpan MediaTime { get; }

    /// <summary>When its last packet arrived, since the run began (<see cref="ViewClock.Now"/>).</summary>
    public TimeSpan Arrival { get; }

    /// <summary>True when it decodes on its own (H.264 IDR; every JPEG).</summary>
    public bool IsKeyFrame { get; }

    /// <summary>The sender's RTP-to-capture-clock mapping for this track (RTCP sender reports), or null when unknown.</summary>
    public RtpClockMapping? ClockMapping { get; }
}

/// <summary>Takes the encoded video frames of a track (a recorder, a decoder and renderer).</summary>
public interface IVideoFrameSink
{
    /// <summary>One frame, in decoding order. Called on the receive path: copy what you keep, return quickly.</summary>
    void OnVideoFrame(in ReceivedVideoFrame frame);
}

/// <summary>Takes the encoded audio packets of a track as they arrive (a recorder).</summary>
public interface IAudioPacketSink
{
    /// <summary>One Opus packet (RFC 6716) or G.711 payload (RFC 3551 §4.5.14) in sequence order. Called on the receive path: copy what you keep.</summary>
    /// <param name="packet">The packet; valid during the call.</param>
    /// <param name="mediaTime">Its presentation time on the run's timeline, anchored on arrival (<see cref="MediaTimeline"/>).</param>
    /// <param name="duration">Audio it holds.</param>
    /// <param name="rtpTimestamp">Its RTP timestamp (the track's clock: 48 kHz for Opus, 8 kHz for G.711).</param>
    /// <param name="arrival">When it arrived, since the run began.</param>
    /// <param name="clockMapping">The sender's RTP-to-capture-clock mapping for the track (RTCP sender reports).</param>
    void OnAudioPacket(ReadOnlySpan<byte> packet, TimeSpan mediaTime, TimeSpan duration, uint rtpTimestamp, TimeSpan arrival, RtpClockMapping clockMapping);
}
