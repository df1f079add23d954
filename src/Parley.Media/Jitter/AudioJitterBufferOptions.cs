namespace Parley.Media.Jitter;

/// <summary>
/// Settings of an <see cref="AdaptiveAudioJitterBuffer"/>. The defaults suit Opus (RFC 7587: 48 kHz RTP clock,
/// 20 ms packets) on a network with some jitter.
/// </summary>
public sealed record AudioJitterBufferOptions
{
    /// <summary>The RTP clock rate in Hz (48000 for Opus, RFC 7587 §4.1).</summary>
    public int ClockRate { get; init; } = 48000;

    /// <summary>The length of one concealment frame in RTP clock units: what the consumer plays per pull (960 = 20 ms at 48 kHz).</summary>
    public int ConcealmentSamples { get; init; } = 960;

    /// <summary>The target playout delay before enough packets were seen to measure the network.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>The smallest target playout delay.</summary>
    public TimeSpan MinimumDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The largest target playout delay.</summary>
    public TimeSpan MaximumDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The share of packets the target playout delay should cover, e.g. 0.97 for the 97th percentile.</summary>
    public double Quantile { get; init; } = 0.97;

    /// <summary>
    /// The delay histogram's forget factor per packet (see <see cref="DelayHistogram"/>); 0.998 remembers about
    /// 500 packets, 10 s of 20 ms packets, so the target shrinks over some seconds once the network calms.
    /// </summary>
    public double ForgetFactor { get; init; } = 0.998;

    /// <summary>Packets measured before the histogram alone sets the target; until then it is at least <see cref="InitialDelay"/>.</summary>
    public int WarmUpPackets { get; init; } = 50;

    /// <summary>How far back the fastest packet is looked for when measuring relative arrival delay.</summary>
    public TimeSpan DelayWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The width of one delay histogram bucket; the target is rounded up to it.</summary>
    public TimeSpan HistogramBucket { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Frames the buffer holds at most; must cover <see cref="MaximumDelay"/> of the shortest frames.</summary>
    public int Capacity { get; init; } = 100;
}
