namespace Parley.Media.Sync;

/// <summary>
/// Audio/video synchronization at the receiver (RFC 3550 §6.4.1): from the two tracks' sender-report mappings and
/// their current playout delays, works out how much later one track must render so that media captured at the
/// same sender wall-clock time reaches the user together. Until both tracks have a sender report there is no
/// correction, since their RTP timestamps share no clock before that.
/// </summary>
/// <remarks>
/// For a packet of each track, <c>render = arrival + playout delay</c> on the receiver's clock and
/// <c>capture</c> comes from <see cref="RtpClockMapping"/> on the sender's clock. The audio lag is
/// <c>(render_a - render_v) - (capture_a - capture_v)</c>: the offset between the two clocks cancels. A positive lag
/// means audio renders later than the video captured with it, so video is held back by the lag; a negative lag
/// holds audio back. Measurements carry the tracks' network jitter, so they are smoothed exponentially, and
/// corrections are capped (a lag of seconds means broken reports, not a pipeline to follow). Not thread safe.
/// </remarks>
public sealed class LipSync
{
    /// <summary>The default cap on a correction: 1 s.</summary>
    public static readonly TimeSpan DefaultMaxCorrection = TimeSpan.FromSeconds(1);

    private readonly RtpClockMapping _audio;
    private readonly RtpClockMapping _video;
    private readonly TimeSpan _maxCorrection;
    private readonly double _smoothing;
    private bool _hasLag;
    private double _lagTicks;

    /// <summary>Creates a synchronizer for one audio and one video track.</summary>
    /// <param name="audio">The audio track's sender-report mapping (updated by the caller as reports arrive).</param>
    /// <param name="video">The video track's sender-report mapping.</param>
    /// <param name="maxCorrection">The largest extra delay applied to either track; <see cref="DefaultMaxCorrection"/> when null.</param>
    /// <param name="smoothing">Weight of each new measurement in (0, 1]; 1 follows every measurement.</param>
    /// <exception cref="ArgumentNullException">A mapping is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative cap, or smoothing out of range.</exception>
    public LipSync(RtpClockMapping audio, RtpClockMapping video, TimeSpan? maxCorrection = null, double smoothing = 0.2)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(video);
        _maxCorrection = maxCorrection ?? DefaultMaxCorrection;
        ArgumentOutOfRangeException.ThrowIfLessThan(_maxCorrection, TimeSpan.Zero, nameof(maxCorrection));
        if (!(smoothing > 0 && smoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "Smoothing must be in (0, 1].");
        }

        _audio = audio;
        _video = video;
        _smoothing = smoothing;
    }

    /// <summary>The correction in force: <see cref="LipSyncCorrection.None"/> until both tracks have a sender report.</summary>
    public LipSyncCorrection Correction { get; private set; }

    /// <summary>The smoothed audio lag (see the class remarks); null until measured.</summary>
    public TimeSpan? AudioLag => _hasLag ? TimeSpan.FromTicks((long)Math.Round(_lagTicks)) : null;

    /// <summary>
    /// Measures how much later audio renders than the video captured at the same instant (negative: earlier), from
    /// one packet of each track. False while either mapping lacks a sender report.
    /// </summary>
    public static bool TryMeasureAudioLag(RtpClockMapping audio, in TrackTiming audioTiming, RtpClockMapping video, in TrackTiming videoTiming, out TimeSpan audioLag)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(video);
        if (!audio.TryGetWallClock(audioTiming.RtpTimestamp, out DateTime audioCapture)
            || !video.TryGetWallClock(videoTiming.RtpTimestamp, out DateTime videoCapture))
        {
            audioLag = TimeSpan.Zero;
            return false;
        }

        TimeSpan renderDifference = (audioTiming.Arrival + audioTiming.PlayoutDelay) - (videoTiming.Arrival + videoTiming.PlayoutDelay);
        audioLag = renderDifference - (audioCapture - videoCapture);
        return true;
    }

    /// <summary>Takes a new measurement from one recent packet of each track and returns the correction in force.</summary>
    public LipSyncCorrection Update(in TrackTiming audio, in TrackTiming video)
    {
        if (!TryMeasureAudioLag(_audio, audio, _video, video, out TimeSpan lag))
        {
            return Correction;
        }

        _lagTicks = _hasLag ? _lagTicks + (_smoothing * (lag.Ticks - _lagTicks)) : lag.Ticks;
        _hasLag = true;
        long ticks = (long)Math.Round(Math.Clamp(_lagTicks, -_maxCorrection.Ticks, _maxCorrection.Ticks));
        Correction = ticks >= 0
            ? new LipSyncCorrection(TimeSpan.Zero, TimeSpan.FromTicks(ticks))
            : new LipSyncCorrection(TimeSpan.FromTicks(-ticks), TimeSpan.Zero);
        return Correction;
    }
}
