using FsCheck;
using FsCheck.Fluent;
using Parley.Rtsp.Server;

namespace Parley.Rtsp.Tests.Server;

public sealed class DigestNonceCountsTests
{
    private static DigestNonceCounts New(int capacity = 1024) => new(TimeProvider.System, TimeSpan.FromMinutes(10), capacity);

    [Fact]
    public void A_count_is_accepted_only_above_the_last_one_accepted_for_its_nonce()
    {
        var counts = New();
        Assert.True(counts.TryAdvance("a", 1));
        Assert.False(counts.TryAdvance("a", 1));   // the same header again: a replay
        Assert.True(counts.TryAdvance("a", 3));    // a client may skip counts (requests not checked)
        Assert.False(counts.TryAdvance("a", 2));
        Assert.True(counts.TryAdvance("b", 1));    // another nonce counts on its own
        Assert.Equal(2, counts.Replays);
    }

    [Fact]
    public void Any_sequence_is_accepted_exactly_where_it_rises_above_its_maximum_so_far()
    {
        var gen = Gen.ListOf(Gen.Choose(0, 50).Select(n => (uint)n));
        Prop.ForAll(Arb.From(gen), sequence =>
        {
            var counts = New();
            long max = -1;
            foreach (uint count in sequence)
            {
                bool expected = count > max;
                if (counts.TryAdvance("n", count) != expected)
                {
                    return false;
                }

                max = Math.Max(max, count);
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void It_remembers_at_most_its_capacity()
    {
        var counts = New(capacity: 8);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(counts.TryAdvance($"nonce-{i}", 1));
            Assert.InRange(counts.Count, 1, 8);
        }

        // The newest are kept: their replays are still caught.
        Assert.False(counts.TryAdvance("nonce-99", 1));
    }

    [Theory]
    [InlineData("00000001", true, 1u)]
    [InlineData("0000000a", true, 10u)]
    [InlineData("FFFFFFFF", true, uint.MaxValue)]
    [InlineData("1", false, 0u)]
    [InlineData("0000000g", false, 0u)]
    [InlineData(null, false, 0u)]
    public void Parses_the_eight_hex_digits_of_nc(string? text, bool ok, uint expected)
    {
        Assert.Equal(ok, DigestNonceCounts.TryParseCount(text, out uint count));
        Assert.Equal(expected, count);
    }
}
