using Parley.Media.Sync;

namespace Parley.Endpoint.View;

/// <summary>
/// The recording's shared timeline: places every track's frames by the sender's capture clock, which the RTCP
/// sender reports give (RFC 3550 §6.4.1: NTP time and RTP timestamp of the same instant), so audio and video keep
/// the A/V offset they were captured with. Anchoring each track at its own first arrival instead would bake the
/// difference in their transit times (a 20 ms audio block captured before it is sent, video encode time, the
/// tracks' queues) into the file as lip-sync error.
/// </summary>
/// <remarks>
/// The first frame placed by a sender report fixes one offset from the sender's wall clock to the run's clock
/// (its arrival); every later frame of every track is its capture wall clock plus that offset. A track waits up
/// to <see cref="SenderReportWait"/> for its first report (its frames are not recorded meanwhile); a sender that
/// sends none by then is recorded by arrival (<see cref="MediaTimeline"/>) from then on. Thread safe: the video
/// and audio receive paths call it concurrently.
/// </remarks>
public sealed class RecordingClock
{
    /// <summary>
    /// How long a track's frames wait for its first sender report: a little over the 1 s report interval of
    /// `parley send` and the hub's demo, so they are always placed by the sender's clock.
    /// </summary>
    public static readonly TimeSpan SenderReportWait = TimeSpan.FromMilliseconds(1200);

    private readonly Lock _gate = new();
    private readonly TrackMode[] _modes = new TrackMode[2];
    private readonly TimeSpan?[] _waitStarted = new TimeSpan?[2];
    private long? _offsetTicks;

    private enum TrackMode
    {
        Waiting,
        SenderClock,
        Arrival,
    }

    /// <summary>Places one frame of a track on the recording's timeline.</summary>
    /// <param name="track">0 for video, 1 for audio.</param>
    /// <param name="rtpTimestamp">The frame's RTP timestamp.</param>
    /// <param name="mapping">The track's current RTP-to-sender-clock mapping.</param>
    /// <param name="arrival">When the frame arrived, since the run began.</param>
    /// <param name="arrivalTime">The frame's time anchored on arrival (<see cref="MediaTimeline"/>), used when the sender sends no reports.</param>
    /// <param name="mediaTime">The presentation time, never negative.</param>
    /// <returns>False when the frame is not recorded: its track still waits for a sender report.</returns>
    /// <exception cref="ArgumentOutOfRangeException">track is not 0 or 1.</exception>
    public bool TryPlace(int track, uint rtpTimestamp, RtpClockMapping mapping, TimeSpan arrival, TimeSpan arrivalTime, out TimeSpan mediaTime)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)track, 1u, nameof(track));
        ArgumentNullException.ThrowIfNull(mapping);
        lock (_gate)
        {
            if (_modes[track] != TrackMode.Arrival && mapping.TryGetWallClock(rtpTimestamp, out DateTime wallClock))
            {
                _modes[track] = TrackMode.SenderClock;
                _waitStarted[track] = null;
                _offsetTicks ??= arrival.Ticks - wallClock.Ticks;
                mediaTime = TimeSpan.FromTicks(Math.Max(0, wallClock.Ticks + _offsetTicks.Value));
                return true;
            }

            if (_modes[track] != TrackMode.Arrival)
            {
                // No report yet (the run's start, or a new sender after a reconnection): wait a little for one.
                _waitStarted[track] ??= arrival;
                if (arrival - _waitStarted[track]!.Value < SenderReportWait)
                {
                    mediaTime = default;
                    return false;
                }

                _modes[track] = TrackMode.Arrival;
            }

            mediaTime = arrivalTime;
            return true;
        }
    }
}
