using Parley.Media.Opus;
using Parley.Rtp;

namespace Parley.Endpoint.View;

/// <summary>
/// Receives one Opus (RFC 7587) or G.711 (PCMU/PCMA, RFC 3551 §4.5.14) track behind the common receive path: each
/// packet in sequence order goes into the <see cref="AudioPlayer"/>'s jitter buffer and, as it is, to the recorder.
/// A G.711 payload is its samples, one byte each (RFC 3551 §4.5.14), so its length is its duration at 8000 Hz.
/// </summary>
public sealed class AudioTrackReceiver : TrackReceiver
{
    private readonly OpusDepacketizer _depacketizer = new();
    private readonly AudioPlayer _player;
    private readonly IAudioPacketSink? _recorder;

    /// <summary>Creates the receiver of an audio track.</summary>
    /// <param name="track">The track; its codec must be Opus, PCMU or PCMA.</param>
    /// <param name="reorder">Run packets through a reorder buffer (UDP).</param>
    /// <param name="player">The jitter buffer and decoder the packets feed.</param>
    /// <param name="recorder">Where packets are recorded; null for none.</param>
    /// <param name="statistics">The run's counters for this track.</param>
    /// <param name="clock">The receiver's clock.</param>
    /// <param name="localSsrc">This receiver's SSRC in RTCP.</param>
    /// <exception cref="ArgumentException">The track is not Opus, PCMU or PCMA.</exception>
    public AudioTrackReceiver(ViewTrack track, bool reorder, AudioPlayer player, IAudioPacketSink? recorder, TrackStatistics statistics, ViewClock clock, uint localSsrc)
        : base(track, reorder, statistics, clock, localSsrc)
    {
        if (track.Codec is not (ViewCodec.Opus or ViewCodec.Pcmu or ViewCodec.Pcma))
        {
            throw new ArgumentException($"{track.Codec} is not an audio codec `parley view` plays.", nameof(track));
        }

        _player = player ?? throw new ArgumentNullException(nameof(player));
        _recorder = recorder;
    }

    /// <inheritdoc/>
    protected override void OnOrderedPacket(in RtpPacketView packet, int lostBefore, TimeSpan arrival)
    {
        if (Track.Codec == ViewCodec.Opus)
        {
            if (_depacketizer.TryDepacketize(packet, out var frame))
            {
                Play(frame.Payload, frame.Timestamp, frame.SampleCount, arrival);
            }

            return;
        }

        // G.711: an empty payload (possible after padding) holds no audio; the jitter buffer counts it as malformed.
        Play(packet.Payload, packet.Timestamp, packet.Payload.Length, arrival);
    }

    private void Play(ReadOnlySpan<byte> payload, uint timestamp, int sampleCount, TimeSpan arrival)
    {
        _player.Insert(payload, timestamp, sampleCount, arrival);
        if (payload.IsEmpty || sampleCount <= 0)
        {
            return;
        }

        _recorder?.OnAudioPacket(
            payload,
            Timeline.ToMediaTime(timestamp, arrival),
            TimeSpan.FromTicks(sampleCount * TimeSpan.TicksPerSecond / Track.ClockRate),
            timestamp,
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
