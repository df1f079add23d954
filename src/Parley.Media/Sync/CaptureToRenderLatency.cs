namespace Parley.Media.Sync;

/// <summary>
/// Capture-to-render ("glass-to-glass") latency of a track: the time from the sender capturing a frame to the
/// receiver rendering it, for streams that tell the capture time, either through sender reports (an RTP timestamp
/// is the sampling instant of its first sample, RFC 3550 §5.1, which <see cref="RtpClockMapping"/> puts on the
/// sender's wall clock) or a capture timestamp carried with the frame. Keeps the last, smallest, largest and mean
/// of the samples. Not thread safe.
/// </summary>
/// <remarks>
/// Sender and receiver wall clocks differ; the caller passes the sender's clock minus the receiver's clock
/// (zero when both are NTP-synchronized, or an estimate such as the "estimated capture clock offset" of WebRTC's
/// absolute capture time extension).
/// </remarks>
public sealed class CaptureToRenderLatency
{
    private double _sumTicks;

    /// <summary>Samples taken.</summary>
    public long Count { get; private set; }

    /// <summary>The latest sample; zero before the first.</summary>
    public TimeSpan Last { get; private set; }

    /// <summary>The smallest sample; zero before the first.</summary>
    public TimeSpan Minimum { get; private set; }

    /// <summary>The largest sample; zero before the first.</summary>
    public TimeSpan Maximum { get; private set; }

    /// <summary>The mean of the samples; zero before the first.</summary>
    public TimeSpan Mean => Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Round(_sumTicks / Count));

    /// <summary>The latency of a frame captured at <paramref name="captureWallClock"/> on the sender's clock.</summary>
    /// <param name="captureWallClock">Capture time, sender's wall clock (UTC).</param>
    /// <param name="renderWallClock">Render time, receiver's wall clock (UTC).</param>
    /// <param name="senderClockOffset">Sender's clock minus receiver's clock.</param>
    public static TimeSpan Measure(DateTime captureWallClock, DateTime renderWallClock, TimeSpan senderClockOffset) =>
        renderWallClock - (captureWallClock - senderClockOffset);

    /// <summary>Records the latency of a frame whose capture time is known, and returns it.</summary>
    public TimeSpan Add(DateTime captureWallClock, DateTime renderWallClock, TimeSpan senderClockOffset)
    {
        TimeSpan latency = Measure(captureWallClock, renderWallClock, senderClockOffset);
        Last = latency;
        Minimum = Count == 0 || latency < Minimum ? latency : Minimum;
        Maximum = Count == 0 || latency > Maximum ? latency : Maximum;
        _sumTicks += latency.Ticks;
        Count++;
        return latency;
    }

    /// <summary>Records the latency of the frame with <paramref name="rtpTimestamp"/>, its capture time taken from the sender reports.</summary>
    /// <returns>False, recording nothing, before the track's first sender report.</returns>
    public bool TryAdd(RtpClockMapping mapping, uint rtpTimestamp, DateTime renderWallClock, TimeSpan senderClockOffset, out TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (!mapping.TryGetWallClock(rtpTimestamp, out DateTime capture))
        {
            latency = TimeSpan.Zero;
            return false;
        }

        latency = Add(capture, renderWallClock, senderClockOffset);
        return true;
    }
}
