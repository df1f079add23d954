namespace Parley.Media.Sync;

/// <summary>
/// The extra playout delay to add to one track so that audio and video captured at the same sender wall-clock time
/// render together. At most one of the two is non-zero.
/// </summary>
/// <param name="ExtraAudioDelay">Delay to add to audio playout (video renders later than audio would).</param>
/// <param name="ExtraVideoDelay">Delay to add to video rendering (audio renders later than video would).</param>
public readonly record struct LipSyncCorrection(TimeSpan ExtraAudioDelay, TimeSpan ExtraVideoDelay)
{
    /// <summary>No correction: used until both tracks have a sender report.</summary>
    public static LipSyncCorrection None => default;
}

/// <summary>
/// One track's timing at the receiver, for <see cref="LipSync"/>: a recent packet (its RTP timestamp and arrival
/// on the receiver's monotonic clock) and the delay between a packet's arrival and its rendering (jitter buffer
/// target plus decoding and output latency).
/// </summary>
/// <param name="RtpTimestamp">The RTP timestamp of a recently received packet, e.g. the latest.</param>
/// <param name="Arrival">When that packet arrived, on the receiver's monotonic clock (the same for both tracks).</param>
/// <param name="PlayoutDelay">How long after arrival the track renders what a packet carries.</param>
public readonly record struct TrackTiming(uint RtpTimestamp, TimeSpan Arrival, TimeSpan PlayoutDelay);
