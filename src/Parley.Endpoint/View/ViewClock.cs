namespace Parley.Endpoint.View;

/// <summary>
/// The receiver's clocks for one `parley view` run: a monotonic clock from the start of the run (arrival and
/// render times, jitter buffer pacing) and the wall clock (capture-to-render latency against stamped frames).
/// </summary>
public sealed class ViewClock
{
    private readonly long _start;

    /// <summary>Starts the monotonic clock now.</summary>
    /// <param name="time">The time source; <see cref="TimeProvider.System"/> when null. Tests inject a fake one.</param>
    public ViewClock(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        _start = Time.GetTimestamp();
    }

    /// <summary>The underlying time source.</summary>
    public TimeProvider Time { get; }

    /// <summary>Time since the run started.</summary>
    public TimeSpan Now => Time.GetElapsedTime(_start);

    /// <summary>The wall clock (UTC).</summary>
    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    /// <summary>Converts a <see cref="TimeProvider.GetTimestamp"/> value of <see cref="Time"/> to time since the start.</summary>
    public TimeSpan FromTimestamp(long timestamp) => Time.GetElapsedTime(_start, timestamp);
}
