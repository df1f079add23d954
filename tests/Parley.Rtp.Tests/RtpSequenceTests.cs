using FsCheck;
using FsCheck.Fluent;

namespace Parley.Rtp.Tests;

public class RtpSequenceTests
{
    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, -1)]
    [InlineData(65535, 0, 1)]
    [InlineData(0, 65535, -1)]
    [InlineData(65530, 5, 11)]
    [InlineData(5, 65530, -11)]
    [InlineData(0, 32767, 32767)]
    [InlineData(0, 32768, -32768)]
    [InlineData(100, 100, 0)]
    public void Sequence_distance_wraps_at_65536(int from, int to, int expected)
    {
        Assert.Equal(expected, RtpSequence.Distance((ushort)from, (ushort)to));
    }

    [Theory]
    [InlineData(1, 0, true)]
    [InlineData(0, 65535, true)]
    [InlineData(65535, 0, false)]
    [InlineData(7, 7, false)]
    [InlineData(32767, 0, true)]
    [InlineData(32768, 0, false)]
    public void Is_newer_follows_modular_order(int candidate, int reference, bool expected)
    {
        Assert.Equal(expected, RtpSequence.IsNewer((ushort)candidate, (ushort)reference));
    }

    [Theory]
    [InlineData(0u, 1u, 1)]
    [InlineData(0xFFFFFFFFu, 0u, 1)]
    [InlineData(0u, 0xFFFFFFFFu, -1)]
    [InlineData(0xFFFFFF00u, 0x100u, 0x200)]
    [InlineData(0u, 0x7FFFFFFFu, int.MaxValue)]
    [InlineData(0u, 0x80000000u, int.MinValue)]
    public void Timestamp_distance_wraps_at_2_to_the_32(uint from, uint to, int expected)
    {
        Assert.Equal(expected, RtpTimestamp.Distance(from, to));
        Assert.Equal(expected > 0, RtpTimestamp.IsNewer(to, from));
    }

    [Fact]
    public void Sequence_distance_inverts_addition_within_half_a_cycle()
    {
        Prop.ForAll(
            Arb.From(TestData.UInt16s),
            Arb.From(Gen.Choose(-32768, 32767)),
            (from, delta) =>
            {
                ushort to = unchecked((ushort)(from + delta));
                Assert.Equal(delta, RtpSequence.Distance(from, to));
                Assert.Equal(delta > 0, RtpSequence.IsNewer(to, from));
                if (delta is not 0 and not -32768)
                {
                    Assert.NotEqual(RtpSequence.IsNewer(to, from), RtpSequence.IsNewer(from, to));
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Timestamp_distance_inverts_addition()
    {
        Prop.ForAll(
            Arb.From(TestData.UInt32s),
            Arb.From(TestData.UInt32s.Select(v => unchecked((int)v))),
            (from, delta) =>
            {
                uint to = unchecked(from + (uint)delta);
                Assert.Equal(delta, RtpTimestamp.Distance(from, to));
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Unwrapper_counts_cycles_across_the_wrap()
    {
        var unwrapper = new SequenceUnwrapper();
        Assert.False(unwrapper.IsInitialized);
        Assert.Equal(65534, unwrapper.Unwrap(65534));
        Assert.Equal(65535, unwrapper.Unwrap(65535));
        Assert.Equal(65536, unwrapper.Unwrap(0));
        Assert.Equal(65537, unwrapper.Unwrap(1));
        Assert.Equal(65537, unwrapper.Highest);
    }

    [Fact]
    public void Unwrapper_puts_late_packets_from_before_the_wrap_in_the_old_cycle()
    {
        var unwrapper = new SequenceUnwrapper();
        unwrapper.Unwrap(65533);
        Assert.Equal(65536 + 2, unwrapper.Unwrap(2));
        Assert.Equal(65534, unwrapper.Unwrap(65534)); // reordered: arrives after 2
        Assert.Equal(65536 + 1, unwrapper.Unwrap(1));
        Assert.Equal(65536 + 3, unwrapper.Unwrap(3));
        Assert.Equal(65536 + 3, unwrapper.Highest);
    }

    [Fact]
    public void Unwrapper_goes_negative_for_packets_older_than_the_first_across_a_wrap()
    {
        var unwrapper = new SequenceUnwrapper();
        Assert.Equal(3, unwrapper.Unwrap(3));
        Assert.Equal(-2, unwrapper.Unwrap(65534));
        unwrapper.Reset();
        Assert.Equal(65534, unwrapper.Unwrap(65534));
    }

    [Fact]
    public void Unwrapper_recovers_the_true_extended_sequence_of_a_reordered_stream()
    {
        var steps = Gen.ListOf(Gen.Frequency((6, Gen.Choose(1, 3)), (2, Gen.Choose(-50, 0)), (1, Gen.Choose(4, 3000))));
        Prop.ForAll(
            Arb.From(TestData.UInt16s),
            Arb.From(steps),
            (start, deltas) =>
            {
                var unwrapper = new SequenceUnwrapper();
                long truth = start;
                Assert.Equal(truth, unwrapper.Unwrap(start));
                foreach (int delta in deltas)
                {
                    truth += delta;
                    Assert.Equal(truth, unwrapper.Unwrap(unchecked((ushort)truth)));
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Timestamp_unwrapper_counts_cycles_and_keeps_late_timestamps_in_the_old_cycle()
    {
        var unwrapper = new TimestampUnwrapper();
        Assert.False(unwrapper.IsInitialized);
        Assert.Equal(uint.MaxValue - 959L, unwrapper.Unwrap(uint.MaxValue - 959));
        Assert.Equal((1L << 32) + 1, unwrapper.Unwrap(1));
        Assert.Equal(uint.MaxValue - 959L, unwrapper.Unwrap(uint.MaxValue - 959)); // late, from before the wrap
        Assert.Equal((1L << 32) + 961, unwrapper.Unwrap(961));
        Assert.Equal((1L << 32) + 961, unwrapper.Highest);
        unwrapper.Reset();
        Assert.Equal(5, unwrapper.Unwrap(5));
    }

    [Fact]
    public void Timestamp_unwrapper_recovers_the_true_extended_timestamp_of_a_jittered_stream()
    {
        var steps = Gen.ListOf(Gen.Frequency((6, Gen.Choose(0, 3000)), (2, Gen.Choose(-90000, 0)), (1, Gen.Choose(3000, 1 << 30))));
        Prop.ForAll(
            Arb.From(Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i))),
            Arb.From(steps),
            (start, deltas) =>
            {
                var unwrapper = new TimestampUnwrapper();
                long truth = start;
                Assert.Equal(truth, unwrapper.Unwrap(start));
                foreach (int delta in deltas)
                {
                    truth += delta;
                    Assert.Equal(truth, unwrapper.Unwrap(unchecked((uint)truth)));
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }
}
