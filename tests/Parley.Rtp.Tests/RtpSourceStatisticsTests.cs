using FsCheck;
using FsCheck.Fluent;

namespace Parley.Rtp.Tests;

public class RtpSourceStatisticsTests
{
    private const long TicksPerSecond = 10_000_000;

    /// <summary>Feeds sequence numbers first..first+count-1 except <paramref name="lost"/>, 20 ms / 160 units apart.</summary>
    private static void Feed(RtpSourceStatistics stats, int first, int count, HashSet<int> lost, int payload = 160)
    {
        for (int i = 0; i < count; i++)
        {
            int sequence = first + i;
            if (lost.Contains(sequence))
            {
                continue;
            }

            stats.Update(unchecked((ushort)sequence), (uint)(sequence * 160), sequence * (TicksPerSecond / 50), TicksPerSecond, payload);
        }
    }

    [Fact]
    public void A_new_source_is_on_probation_until_two_packets_arrive_in_sequence()
    {
        var stats = new RtpSourceStatistics(8000);
        stats.Update(1000, 0, 0, TicksPerSecond, 160);
        Assert.False(stats.IsValid);
        Assert.Equal(0, stats.PacketsReceived);
        stats.Update(1005, 0, 0, TicksPerSecond, 160); // not in sequence: probation restarts at 1005
        Assert.False(stats.IsValid);
        stats.Update(1006, 0, 0, TicksPerSecond, 160);
        Assert.True(stats.IsValid);
        Assert.Equal(1, stats.PacketsReceived);
        Assert.Equal(1006u, stats.BaseSequence);
        Assert.Equal(2, stats.PacketsDiscarded);
    }

    [Fact]
    public void Min_sequential_of_one_counts_the_first_packet()
    {
        var stats = new RtpSourceStatistics(90000, minSequential: 1);
        stats.Update(7, 0, 0, TicksPerSecond, 1000);
        Assert.True(stats.IsValid);
        Assert.Equal(1, stats.PacketsReceived);
        Assert.Equal(1000, stats.BytesReceived);
        Assert.Equal(7u, stats.ExtendedHighestSequence);
    }

    [Fact]
    public void Known_loss_gives_the_rfc_3550_a3_numbers_per_interval()
    {
        var stats = new RtpSourceStatistics(8000);

        // Interval 1: 1000..1099 sent; 1000 only starts probation, so base_seq is 1001 and 99 are expected.
        Feed(stats, 1000, 100, new HashSet<int> { 1010, 1011, 1012, 1050, 1051, 1052, 1053, 1060, 1070, 1080 });
        Assert.Equal(89, stats.PacketsReceived);
        Assert.Equal(89 * 160, stats.BytesReceived);
        Assert.Equal(99, stats.Expected);
        Assert.Equal(10, stats.CumulativeLost);
        var first = stats.CreateReportBlock(0xABCD, 0x11112222, 0x8000);
        Assert.Equal((byte)(10 * 256 / 99), first.FractionLost); // 25
        Assert.Equal(10, first.CumulativeLost);
        Assert.Equal(1099u, first.ExtendedHighestSequence);
        Assert.Equal(0xABCDu, first.Ssrc);
        Assert.Equal(0x11112222u, first.LastSenderReport);
        Assert.Equal(0x8000u, first.DelaySinceLastSenderReport);

        // Interval 2: 1100..1299, 5 lost: fraction 5*256/200 = 6, cumulative 15.
        Feed(stats, 1100, 200, new HashSet<int> { 1100, 1150, 1151, 1200, 1299 - 1 });
        var second = stats.CreateReportBlock(0xABCD, 0, 0);
        Assert.Equal((byte)(5 * 256 / 200), second.FractionLost);
        Assert.Equal(15, second.CumulativeLost);
        Assert.Equal(1299u, second.ExtendedHighestSequence);

        // Interval 3: nothing arrived, nothing expected: fraction 0, totals unchanged.
        var third = stats.CreateReportBlock(0xABCD, 0, 0);
        Assert.Equal(0, third.FractionLost);
        Assert.Equal(15, third.CumulativeLost);
    }

    [Fact]
    public void Duplicates_make_cumulative_loss_negative_and_fraction_zero()
    {
        var stats = new RtpSourceStatistics(8000);
        Feed(stats, 0, 10, new HashSet<int>());
        stats.Update(5, 800, 0, TicksPerSecond, 160);
        stats.Update(6, 960, 0, TicksPerSecond, 160);
        Assert.Equal(-2, stats.CumulativeLost);
        var block = stats.CreateReportBlock(1, 0, 0);
        Assert.Equal(-2, block.CumulativeLost);
        Assert.Equal(0, block.FractionLost);
    }

    [Fact]
    public void Sequence_wrap_adds_a_cycle_and_reordering_across_it_is_not_loss()
    {
        var stats = new RtpSourceStatistics(90000);
        ushort[] order = [65530, 65531, 65532, 65533, 65535, 65534, 1, 0, 2, 3];
        foreach (ushort sequence in order)
        {
            stats.Update(sequence, 0, 0, TicksPerSecond, 100);
        }

        Assert.Equal(65536u + 3, stats.ExtendedHighestSequence);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(9, stats.PacketsReceived);
        Assert.Equal(0, stats.CreateReportBlock(1, 0, 0).FractionLost);
    }

    [Fact]
    public void A_large_jump_is_ignored_once_and_taken_as_a_restart_when_confirmed()
    {
        var stats = new RtpSourceStatistics(90000);
        Feed(stats, 100, 50, new HashSet<int>());
        stats.Update(40_000, 0, 0, TicksPerSecond, 10);
        Assert.Equal(149u, stats.ExtendedHighestSequence);
        Assert.Equal(2, stats.PacketsDiscarded); // 100 (probation) and the jump
        stats.Update(40_001, 0, 0, TicksPerSecond, 10);
        Assert.Equal(40_001u, stats.BaseSequence);
        Assert.Equal(40_001u, stats.ExtendedHighestSequence);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(1, stats.Expected);
    }

    [Fact]
    public void Constant_transit_variation_converges_to_the_rfc_3550_a8_jitter()
    {
        // 8 kHz audio, 20 ms (160 units) per packet; odd packets arrive 5 ms late, so |D| = 5 ms = 40 units.
        var stats = new RtpSourceStatistics(8000);
        const int packets = 200;
        for (int i = 0; i < packets; i++)
        {
            long arrival = (i * TicksPerSecond / 50) + (i % 2 == 1 ? TicksPerSecond / 200 : 0);
            stats.Update((ushort)(5000 + i), (uint)(123_456 + (i * 160)), arrival, TicksPerSecond, 160);
        }

        // The first packet is on probation; the second sets the transit; each later one updates J += (|D| - J) / 16.
        double expected = 0;
        for (int i = 2; i < packets; i++)
        {
            expected += (40 - expected) / 16;
        }

        Assert.Equal(expected, stats.JitterTimestampUnitsExact, 9);
        Assert.Equal((uint)expected, stats.JitterTimestampUnits);
        Assert.Equal(39u, stats.JitterTimestampUnits); // approaches 40 from below, like the RFC's integer form
        Assert.Equal(0.005, stats.JitterSeconds, 4);
        Assert.Equal(39u, stats.CreateReportBlock(1, 0, 0).Jitter);
    }

    [Fact]
    public void Perfectly_paced_packets_have_zero_jitter_even_across_a_timestamp_wrap()
    {
        var stats = new RtpSourceStatistics(90000);
        uint timestamp = uint.MaxValue - (3000 * 10);
        long arrival = long.MaxValue / 2; // a huge tick count must not overflow the arithmetic
        for (int i = 0; i < 100; i++)
        {
            stats.Update((ushort)(65500 + i), timestamp, arrival, TicksPerSecond, 1200);
            timestamp += 3000;                  // 30 frames/s on the 90 kHz clock
            arrival += TicksPerSecond / 30;
        }

        Assert.True(stats.JitterSeconds < 1e-6, $"jitter {stats.JitterSeconds}");
    }

    [Fact]
    public void Report_numbers_match_a_direct_count_for_any_loss_pattern()
    {
        Prop.ForAll(
            Arb.From(TestData.UInt16s),
            Arb.From(Gen.ListOf(Gen.Elements(true, true, true, false)).Where(l => l.Count >= 3)),
            (start, delivered) =>
            {
                var stats = new RtpSourceStatistics(8000);

                // The first two packets always arrive so the source is validated at start + 1.
                var pattern = new List<bool> { true, true };
                pattern.AddRange(delivered);
                pattern.Add(true); // the last one arrives so extended_max is known
                int received = 0;
                for (int i = 0; i < pattern.Count; i++)
                {
                    if (pattern[i])
                    {
                        stats.Update(unchecked((ushort)(start + i)), (uint)(i * 160), i * 200_000L, TicksPerSecond, 1);
                        received++;
                    }
                }

                int expected = pattern.Count - 1;   // from base_seq = start + 1
                int lost = expected - (received - 1);
                var block = stats.CreateReportBlock(9, 0, 0);
                Assert.Equal(lost, block.CumulativeLost);
                Assert.Equal((byte)((lost << 8) / expected), block.FractionLost);
                Assert.Equal((uint)(start + pattern.Count - 1), block.ExtendedHighestSequence);
                Assert.Equal(received - 1, stats.PacketsReceived);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Update_allocates_nothing()
    {
        var stats = new RtpSourceStatistics(90000);
        stats.Update(0, 0, 0, TicksPerSecond, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 10_000; i++)
        {
            stats.Update(unchecked((ushort)i), (uint)(i * 3000), i * 333_333L, TicksPerSecond, 1200);
        }

        _ = stats.CreateReportBlock(1, 2, 3);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_rejects_non_positive_clock_rates()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpSourceStatistics(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpSourceStatistics(8000, 0));
    }
}
