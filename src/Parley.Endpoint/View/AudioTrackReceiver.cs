using Parley.Media.Opus;
using Parley.Rtp;

namespace Parley.Endpoint.View;

/// <summary>
/// Receives one Opus track (RFC 7587) behind the common receive path: each packet in sequence order goes into
/// the <see cref="AudioPlayer"/>'s jitter buffer and, as it is, to the recorder.
/// </summary>
public sealed class AudioTrackReceiver : TrackReceiver
{
    private readonly OpusDepacketizer _depacketizer = new();
    private readonly AudioPlayer _player;
    private readonly IAudioPacketSink? _recorder;

    /// <summary>Creates the receiver of an Opus track.</summary>
    /// <param name="track">The track; its codec must be Opus.</param>
    /// <param name="reorder">Run packets through a reorder buffer (UDP).</param>
    /// <param name="player">The jitter buffer and decoder the packets feed.</param>
    /// <param name="recorder">Where packets are recorded; null for none.</param>
    /// <param name="statistics">The run's counters for this track.</param>
    /// <param name="clock">The receiver's clock.</param>
    /// <param name="localSsrc">This receiver's SSRC in RTCP.</param>
    /// <exception cref="ArgumentException">The track is not Opus.</exception>
    public AudioTrackReceiver(ViewTrack track, bool reorder, AudioPlayer player, IAudioPacketSink? recorder, TrackStatistics statistics, ViewClock clock, uint localSsrc)
        : base(track, reorder, statistics, clock, localSsrc)
    {
        if (track.Codec != ViewCodec.Opus)
        {
            throw new ArgumentException($"{track.Codec} is not an audio codec `parley view` plays.", nameof(track));
        }

        _player = player ?? throw new ArgumentNullException(nameof(player));
        _recorder = recorder;
    }

    /// <inheritdoc/>
    protected override void OnOrderedPacket(in RtpPacketView packet, int lostBefore, TimeSpan arrival)
    {
        if (!_depacketizer.TryDepacketize(packet, out var frame))
        {
            return;
        }

        _player.Insert(frame.Payload, frame.Timestamp, frame.SampleCount, arrival);
        _recorder?.OnAudioPacket(
            frame.Payload,
            Timeline.ToMediaTime(frame.Timestamp, arrival),
            TimeSpan.FromTicks(frame.SampleCount * TimeSpan.TicksPerSecond / OpusPacketInfo.ClockRate),
            frame.Timestamp,
            arrival,
            Reporter.ClockMapping);
    }

    /// <inheritdoc/>
    protected override void ResetCodec()
    {
        _depacketizer.Reset();
        _player.Reset();
    }
}
