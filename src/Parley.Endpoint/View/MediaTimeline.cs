using Parley.Rtp;

namespace Parley.Endpoint.View;

/// <summary>
/// Places the frames of one track on the recording's timeline: the first frame (after a start or a
/// reconnection) at its arrival time since the run began, every later one at its RTP timestamp distance from
/// that frame (RFC 3550 §5.1: timestamps are the sampling instants), so the sender's spacing and B-frame
/// presentation order survive while both tracks share the receiver's clock. Not thread safe.
/// </summary>
public sealed class MediaTimeline
{
    private readonly int _clockRate;
    private TimestampUnwrapper _unwrapper;
    private bool _anchored;
    private long _anchorTimestamp;
    private TimeSpan _anchorTime;

    /// <summary>Creates a timeline for a track.</summary>
    /// <param name="clockRate">The track's RTP clock rate in Hz.</param>
    public MediaTimeline(int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
    }

    /// <summary>The time of the frame with <paramref name="rtpTimestamp"/>; the first call anchors the timeline at <paramref name="arrival"/>.</summary>
    /// <param name="rtpTimestamp">The frame's RTP timestamp.</param>
    /// <param name="arrival">When it arrived, since the run began.</param>
    /// <returns>The presentation time, never negative.</returns>
    public TimeSpan ToMediaTime(uint rtpTimestamp, TimeSpan arrival)
    {
        long extended = _unwrapper.Unwrap(rtpTimestamp);
        if (!_anchored)
        {
            _anchored = true;
            _anchorTimestamp = extended;
            _anchorTime = arrival;
        }

        var time = _anchorTime + TimeSpan.FromTicks((extended - _anchorTimestamp) * TimeSpan.TicksPerSecond / _clockRate);
        return time < TimeSpan.Zero ? TimeSpan.Zero : time;
    }

    /// <summary>Forgets the anchor: the next frame (a new connection, whose RTP timestamps start anywhere) anchors again.</summary>
    public void Reset()
    {
        _unwrapper = default;
        _anchored = false;
    }
}
