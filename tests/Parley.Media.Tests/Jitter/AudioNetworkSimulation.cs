using Parley.Media.Jitter;

namespace Parley.Media.Tests.Jitter;

/// <summary>
/// Drives an <see cref="AdaptiveAudioJitterBuffer"/> with a 20 ms, 48 kHz frame stream whose arrival times come
/// from a network profile, and an audio output that pulls every 20 ms, all on an explicit clock.
/// </summary>
public sealed class AudioNetworkSimulation
{
    public const int FrameSamples = 960;
    public static readonly TimeSpan FramePeriod = TimeSpan.FromMilliseconds(20);

    /// <summary>Arrival time of each sent frame (index = frame number), or null when it is lost.</summary>
    public List<TimeSpan?> Arrivals { get; } = [];

    public List<(long Pull, AudioPlayoutKind Kind, uint Timestamp)> Log { get; } = [];

    /// <summary>Target delay sampled after each pull.</summary>
    public List<TimeSpan> Targets { get; } = [];

    public uint FirstTimestamp { get; init; } = 1000;

    private TimeSpan _ranUntil = TimeSpan.MinValue;

    /// <summary>Frame i is sent at i * 20 ms; the delay function returns its one-way delay, or null for a loss.</summary>
    public void Send(int frames, Func<int, TimeSpan?> delay)
    {
        int start = Arrivals.Count;
        for (int i = start; i < start + frames; i++)
        {
            TimeSpan? d = delay(i);
            Arrivals.Add(d is { } value ? (FramePeriod * i) + value : null);
        }
    }

    /// <summary>Runs every arrival and pull up to <paramref name="until"/> through the buffer.</summary>
    public void Run(AdaptiveAudioJitterBuffer buffer, TimeSpan until, TimeSpan firstPull)
    {
        var arrivals = Arrivals
            .Select((a, i) => (Index: i, Arrival: a))
            .Where(a => a.Arrival is not null && a.Arrival > _ranUntil)
            .OrderBy(a => a.Arrival)
            .ToList();
        byte[] payload = new byte[40];
        int next = 0;
        long pull = 0;
        for (TimeSpan now = firstPull; now <= until; now += FramePeriod, pull++)
        {
            while (next < arrivals.Count && arrivals[next].Arrival <= now)
            {
                var (index, arrival) = arrivals[next++];
                payload[0] = (byte)index;
                buffer.Insert(payload, unchecked(FirstTimestamp + (uint)(index * FrameSamples)), FrameSamples, arrival!.Value);
            }

            AudioPlayout playout = buffer.Pull(now);
            Log.Add((pull, playout.Kind, playout.Timestamp));
            Targets.Add(buffer.TargetDelay);
            _ranUntil = now;
        }
    }

    /// <summary>Concealment frames played before the last real frame (the underrun after the stream's end excluded).</summary>
    public int ConcealedWhilePlaying
    {
        get
        {
            int last = Log.FindLastIndex(l => l.Kind == AudioPlayoutKind.Frame);
            return Log.Take(last + 1).Count(l => l.Kind == AudioPlayoutKind.Conceal);
        }
    }

    /// <summary>The given quantile of the frames' delays relative to the fastest frame (what the target should cover).</summary>
    public TimeSpan RelativeDelayQuantile(int from, int to, double quantile)
    {
        var delays = Arrivals.Skip(from).Take(to - from)
            .Select((a, i) => a is { } value ? value - (FramePeriod * (from + i)) : (TimeSpan?)null)
            .Where(d => d is not null)
            .Select(d => d!.Value)
            .Order()
            .ToList();
        TimeSpan fastest = delays[0];
        return delays[(int)Math.Ceiling(quantile * delays.Count) - 1] - fastest;
    }
}
