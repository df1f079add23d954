using FsCheck;
using FsCheck.Fluent;
using Parley.Media.Jitter;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Media.Tests.Jitter;

public class AdaptiveAudioJitterBufferTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void A_steady_stream_starts_after_the_initial_delay_and_plays_every_frame()
    {
        using var buffer = new AdaptiveAudioJitterBuffer();
        var sim = new AudioNetworkSimulation();
        sim.Send(500, _ => 30 * Ms);
        sim.Run(buffer, TimeSpan.FromSeconds(10.2), firstPull: 30 * Ms);

        // The first frame arrives at 30 ms; playout waits for the 40 ms initial target.
        Assert.Equal(AudioPlayoutKind.Buffering, sim.Log[0].Kind);
        Assert.Equal(AudioPlayoutKind.Buffering, sim.Log[1].Kind);
        Assert.Equal(AudioPlayoutKind.Frame, sim.Log[2].Kind);
        var frames = sim.Log.Where(l => l.Kind == AudioPlayoutKind.Frame).Select(l => l.Timestamp).ToList();
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => 1000u + (uint)(i * 960)), frames);
        Assert.Equal(500, frames.Count);
        Assert.Equal(0, sim.ConcealedWhilePlaying);
        Assert.Equal(0, buffer.FramesDroppedLate);
        Assert.Equal(20 * Ms, buffer.TargetDelay); // no jitter: the minimum
        Assert.Equal(40 * Ms, buffer.PlayoutDelay); // within one and a half frames of it, so left alone
    }

    [Fact]
    public void Rtp_timestamps_wrap_without_a_glitch()
    {
        using var buffer = new AdaptiveAudioJitterBuffer();
        var sim = new AudioNetworkSimulation { FirstTimestamp = uint.MaxValue - (960 * 10) };
        sim.Send(100, _ => 10 * Ms);
        sim.Run(buffer, TimeSpan.FromSeconds(2.2), firstPull: 10 * Ms);
        var frames = sim.Log.Where(l => l.Kind == AudioPlayoutKind.Frame).Select(l => l.Timestamp).ToList();
        Assert.Equal(100, frames.Count);
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => unchecked(sim.FirstTimestamp + (uint)(i * 960))), frames);
        Assert.Equal(0, sim.ConcealedWhilePlaying);
        Assert.Equal(0, buffer.FramesAccelerated);
    }

    [Fact]
    public void Lost_frames_are_concealed_once_each_and_the_rest_play_in_order()
    {
        var random = new Random(7);
        using var buffer = new AdaptiveAudioJitterBuffer();
        var sim = new AudioNetworkSimulation();
        sim.Send(1500, i => i is > 0 and < 1499 && random.NextDouble() < 0.05 ? null : (20 + (random.NextDouble() * 10)) * Ms);
        sim.Run(buffer, TimeSpan.FromSeconds(30.3), firstPull: 0 * Ms);
        int lost = sim.Arrivals.Take(sim.Arrivals.Count - 1).Count(a => a is null);
        var frames = sim.Log.Where(l => l.Kind == AudioPlayoutKind.Frame).Select(l => l.Timestamp).ToList();
        Assert.True(frames.SequenceEqual(frames.Order()), "frames play in timestamp order");
        Assert.Equal(frames.Count, frames.Distinct().Count());
        Assert.NotNull(sim.Arrivals[^1]);
        // Every frame that arrived is played, unless it came too late or was dropped to shrink the delay.
        Assert.Equal(1500 - lost - buffer.FramesDroppedLate - buffer.FramesAccelerated, buffer.FramesPlayed);

        // A loss costs one concealment frame, or none when it fell into an underrun that playout skipped over.
        long lossConcealment = sim.ConcealedWhilePlaying - buffer.FramesExpanded;
        output.WriteLine($"lost {lost}, played {buffer.FramesPlayed}, concealed {buffer.FramesConcealed} (expanded {buffer.FramesExpanded}), late {buffer.FramesDroppedLate}, accelerated {buffer.FramesAccelerated}, target {buffer.TargetDelay.TotalMilliseconds} ms");
        Assert.InRange(lossConcealment, lost * 0.8, lost + buffer.FramesDroppedLate + 3);
        Assert.True(buffer.FramesDroppedLate <= 1500 * 0.03, $"{buffer.FramesDroppedLate} late frames");
    }

    [Fact]
    public void Bursty_jitter_raises_the_target_to_cover_the_97th_percentile_and_calm_lowers_it_again()
    {
        // 20 s of jitter 0..20 ms with a 150 ms stall every second (frames sent in a stall arrive together at its
        // end), then 40 s of the same jitter without stalls.
        var random = new Random(11);
        using var buffer = new AdaptiveAudioJitterBuffer();
        var sim = new AudioNetworkSimulation();
        sim.Send(1000, i =>
        {
            double intoSecond = (i * 20) % 1000;
            double stall = intoSecond < 150 ? 150 - intoSecond : 0;
            return (30 + stall + (random.NextDouble() * 20)) * Ms;
        });
        sim.Send(2000, _ => (30 + (random.NextDouble() * 20)) * Ms);
        sim.Run(buffer, TimeSpan.FromSeconds(20), firstPull: 0 * Ms);
        TimeSpan burstyP97 = sim.RelativeDelayQuantile(0, 1000, 0.97);
        TimeSpan burstyTarget = buffer.TargetDelay;
        long lateInBursts = buffer.FramesDroppedLate;
        long concealedInBursts = buffer.FramesConcealed;
        var lateLastTen = sim.Log.Skip(500).Count(l => l.Kind == AudioPlayoutKind.Conceal);

        sim.Run(buffer, TimeSpan.FromSeconds(60), firstPull: TimeSpan.FromSeconds(20.02));
        TimeSpan calmP97 = sim.RelativeDelayQuantile(1000, 3000, 0.97);
        int calmIndex = sim.Targets.Skip(1000).ToList().FindIndex(t => t <= 30 * Ms);

        output.WriteLine($"bursty: p97 of relative delay {burstyP97.TotalMilliseconds:F1} ms, target {burstyTarget.TotalMilliseconds} ms, late {lateInBursts}, concealed {concealedInBursts} of 1000, concealed in the last 10 s {lateLastTen}");
        output.WriteLine($"target over the bursty phase (every 2 s): {string.Join(", ", sim.Targets.Take(1000).Where((_, i) => i % 100 == 99).Select(t => t.TotalMilliseconds))}");
        output.WriteLine($"calm: p97 {calmP97.TotalMilliseconds:F1} ms, target back to <= 30 ms after {calmIndex * 20} ms, final target {buffer.TargetDelay.TotalMilliseconds} ms, playout delay {buffer.PlayoutDelay.TotalMilliseconds} ms");
        output.WriteLine($"target over the calm phase (every 4 s): {string.Join(", ", sim.Targets.Skip(1000).Where((_, i) => i % 200 == 199).Select(t => t.TotalMilliseconds))}");
        output.WriteLine($"totals: played {buffer.FramesPlayed}, concealed {buffer.FramesConcealed}, expanded {buffer.FramesExpanded}, accelerated {buffer.FramesAccelerated}, late {buffer.FramesDroppedLate}");

        Assert.InRange(burstyTarget, burstyP97 - (10 * Ms), burstyP97 + (25 * Ms));
        Assert.True(lateLastTen <= 500 * 0.05, $"{lateLastTen} concealments in the last 10 s of bursts");
        Assert.True(calmIndex > 0, "the target shrinks only after a while");
        Assert.InRange(buffer.TargetDelay, 20 * Ms, calmP97 + (10 * Ms));
        Assert.InRange(buffer.PlayoutDelay, buffer.TargetDelay, buffer.TargetDelay + (30 * Ms));
    }

    [Fact]
    public void An_underrun_resumes_at_the_next_frame_instead_of_concealing_the_whole_gap()
    {
        using var buffer = new AdaptiveAudioJitterBuffer();
        var sim = new AudioNetworkSimulation();

        // Frames 100..149 are never sent (Opus DTX: a 1 s silence), so the timestamps jump.
        sim.Send(250, i => i is >= 100 and < 150 ? null : 20 * Ms);
        sim.Run(buffer, TimeSpan.FromSeconds(5.3), firstPull: 0 * Ms);
        var frames = sim.Log.Where(l => l.Kind == AudioPlayoutKind.Frame).Select(l => l.Timestamp).ToList();
        Assert.Equal(200, frames.Count);
        Assert.Equal(0, buffer.FramesDroppedLate);
        Assert.InRange(sim.ConcealedWhilePlaying, 49, 52); // the silence, not more
    }

    [Fact]
    public void Duplicates_malformed_frames_and_overflow_are_counted()
    {
        using var buffer = new AdaptiveAudioJitterBuffer(new AudioJitterBufferOptions { Capacity = 4 });
        byte[] payload = [1, 2, 3];
        Assert.True(buffer.Insert(payload, 0, 960, 2 * Ms));
        Assert.False(buffer.Insert(payload, 0, 960, 3 * Ms));
        Assert.Equal(1, buffer.FramesDuplicate);
        Assert.False(buffer.Insert([], 960, 960, 3 * Ms));
        Assert.False(buffer.Insert(payload, 960, 0, 3 * Ms));
        Assert.False(buffer.Insert(payload, 960, 48001, 3 * Ms));
        Assert.Equal(3, buffer.FramesMalformed);
        for (uint i = 1; i <= 4; i++)
        {
            Assert.True(buffer.Insert(payload, i * 960, 960, ((i * 20) + 2) * Ms));
        }

        Assert.Equal(1, buffer.FramesDroppedOverflow); // frame 0 made room for frame 4
        Assert.Equal(4, buffer.Count);
        Assert.Equal(80 * Ms, buffer.BufferLevel);
        AudioPlayout first = buffer.Pull(82 * Ms); // frame 1 arrived 60 ms ago, more than the initial target
        Assert.Equal(AudioPlayoutKind.Frame, first.Kind);
        Assert.Equal(960u, first.Timestamp);
        Assert.Equal(960, first.SampleCount);
        Assert.True(first.Payload.SequenceEqual(payload));
    }

    [Fact]
    public void Random_input_never_throws_and_keeps_its_bounds()
    {
        var step = Gen.OneOf(
            from ts in Gen.Choose(int.MinValue, int.MaxValue)
            from samples in Gen.Choose(-10, 6000)
            from length in Gen.Choose(0, 10)
            select (Insert: true, Timestamp: unchecked((uint)ts), Samples: samples, Value: length),
            from dt in Gen.Choose(0, 60)
            select (Insert: false, Timestamp: 0u, Samples: 0, Value: dt),
            from ts in Gen.Choose(0, 40)
            select (Insert: true, Timestamp: (uint)(ts * 960), Samples: 960, Value: 5));
        Prop.ForAll(Arb.From(Gen.ListOf(step)), steps =>
        {
            using var buffer = new AdaptiveAudioJitterBuffer(new AudioJitterBufferOptions { Capacity = 8 });
            TimeSpan now = TimeSpan.Zero;
            byte[] payload = new byte[10];
            foreach (var s in steps)
            {
                if (s.Insert)
                {
                    buffer.Insert(payload.AsSpan(0, s.Value), s.Timestamp, s.Samples, now);
                }
                else
                {
                    now += s.Value * Ms;
                    AudioPlayout playout = buffer.Pull(now);
                    if (playout.Kind == AudioPlayoutKind.Frame && playout.Payload.IsEmpty)
                    {
                        return false;
                    }
                }

                if (buffer.Count > 8 || buffer.BufferLevel < TimeSpan.Zero || buffer.TargetDelay < 20 * Ms || buffer.TargetDelay > 500 * Ms)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Insert_and_pull_allocate_nothing_in_steady_state()
    {
        using var buffer = new AdaptiveAudioJitterBuffer();
        byte[] payload = new byte[80];
        uint timestamp = 0;
        TimeSpan now = TimeSpan.Zero;
        long bytes = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                buffer.Insert(payload, timestamp, 960, now + (5 * Ms));
                timestamp += 960;
                now += 20 * Ms;
                buffer.Pull(now);
            }
        });
        Assert.Equal(0, bytes);
        Assert.True(buffer.FramesPlayed > 500);
    }
}
