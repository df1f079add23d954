using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using Parley.Media.Jitter;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Jitter;

public class RtpReorderBufferTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(30);

    private static List<(int Index, int LostBefore)> Drain(RtpReorderBuffer buffer)
    {
        var released = new List<(int, int)>();
        while (buffer.TryRead(out ReorderedRtpPacket packet))
        {
            released.Add((RtpPackets.IndexOf(packet.Packet), packet.LostBefore));
        }

        return released;
    }

    [Fact]
    public void In_order_packets_are_released_at_once()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(buffer.Push(RtpPackets.Make(i)));
            Assert.Equal([(i, 0)], Drain(buffer));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(100, buffer.PacketsReleased);
        Assert.Equal(0, buffer.PacketsLost);
        Assert.Equal(Timeout.InfiniteTimeSpan, buffer.GetTimeUntilNextRelease());
    }

    [Fact]
    public void Reordered_packets_are_held_until_the_missing_one_arrives()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        var released = new List<(int, int)>();
        foreach (int i in new[] { 0, 2, 3, 1, 4, 7, 6, 5 })
        {
            buffer.Push(RtpPackets.Make(i));
            released.AddRange(Drain(buffer));
            clock.Advance(TimeSpan.FromMilliseconds(2));
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (i, 0)), released);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void A_missing_packet_is_waited_for_max_wait_after_the_first_packet_behind_it_then_reported_lost()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        buffer.Push(RtpPackets.Make(0));
        Assert.Single(Drain(buffer));
        buffer.Push(RtpPackets.Make(3)); // 1 and 2 missing; the wait starts now
        clock.Advance(TimeSpan.FromMilliseconds(10));
        buffer.Push(RtpPackets.Make(4));
        Assert.Empty(Drain(buffer));
        Assert.Equal(TimeSpan.FromMilliseconds(20), buffer.GetTimeUntilNextRelease());

        clock.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Empty(Drain(buffer));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, buffer.GetTimeUntilNextRelease());
        Assert.Equal([(3, 2), (4, 0)], Drain(buffer));
        Assert.Equal(2, buffer.PacketsLost);

        buffer.Push(RtpPackets.Make(2)); // arrives after it was given up
        Assert.Empty(Drain(buffer));
        Assert.Equal(1, buffer.PacketsLate);
    }

    [Fact]
    public void A_second_gap_waits_from_the_arrival_of_the_first_packet_behind_it()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        buffer.Push(RtpPackets.Make(0));
        Drain(buffer);
        buffer.Push(RtpPackets.Make(2)); // gap at 1 from t=0
        clock.Advance(TimeSpan.FromMilliseconds(20));
        buffer.Push(RtpPackets.Make(5)); // gap at 3..4 from t=20
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal([(2, 1)], Drain(buffer));
        Assert.Equal(TimeSpan.FromMilliseconds(20), buffer.GetTimeUntilNextRelease());
        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal([(5, 2)], Drain(buffer));
    }

    [Fact]
    public void A_full_buffer_gives_up_the_gap_without_waiting()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(TimeSpan.FromSeconds(10), capacity: 8, timeProvider: clock);
        buffer.Push(RtpPackets.Make(0));
        Drain(buffer);
        for (int i = 2; i <= 8; i++)
        {
            buffer.Push(RtpPackets.Make(i)); // 1..8 spans 8: not more than the capacity yet
        }

        Assert.Empty(Drain(buffer));
        buffer.Push(RtpPackets.Make(9));
        var released = Drain(buffer);
        Assert.Equal((2, 1), released[0]);
        Assert.Equal(Enumerable.Range(2, 8), released.Select(r => r.Index));
    }

    [Fact]
    public void Duplicates_of_held_and_released_packets_are_dropped_and_counted()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        buffer.Push(RtpPackets.Make(0));
        Drain(buffer);
        Assert.False(buffer.Push(RtpPackets.Make(0)));
        Assert.True(buffer.Push(RtpPackets.Make(2)));
        Assert.False(buffer.Push(RtpPackets.Make(2)));
        Assert.Equal(2, buffer.PacketsDuplicate);
        Assert.Equal(0, buffer.PacketsLate);
        Assert.False(buffer.Push([1, 2, 3]));
        Assert.Equal(1, buffer.PacketsMalformed);
    }

    [Fact]
    public void Sequence_numbers_wrap_without_a_gap()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        var released = new List<long>();
        foreach (int i in new[] { 0, 1, 2, 4, 3, 5, 7, 6, 8, 9 })
        {
            buffer.Push(RtpPackets.Make(i, firstSequenceNumber: 65530));
            while (buffer.TryRead(out ReorderedRtpPacket packet))
            {
                Assert.Equal(0, packet.LostBefore);
                released.Add(packet.ExtendedSequenceNumber);
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => 65530L + i), released);
    }

    [Fact]
    public void A_sequence_jump_is_believed_only_when_the_next_packet_follows_it()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, capacity: 16, timeProvider: clock);
        for (int i = 0; i < 5; i++)
        {
            buffer.Push(RtpPackets.Make(i));
        }

        Assert.Equal(5, Drain(buffer).Count);
        buffer.Push(RtpPackets.Make(7)); // held behind a gap, discarded by the restart below
        Assert.False(buffer.Push(RtpPackets.Make(20000))); // a stray packet
        Assert.True(buffer.Push(RtpPackets.Make(8)));
        Assert.Equal(1, buffer.PacketsOutOfRange);

        Assert.False(buffer.Push(RtpPackets.Make(30000))); // a restarted sender...
        Assert.True(buffer.Push(RtpPackets.Make(30001))); // ...confirmed by its next packet
        Assert.Equal([(30001, 0)], Drain(buffer));
        Assert.Equal(1, buffer.Restarts);
        Assert.Equal(2, buffer.PacketsDiscarded);
        buffer.Push(RtpPackets.Make(30002));
        Assert.Equal([(30002, 0)], Drain(buffer));
    }

    [Fact]
    public void Five_percent_random_loss_with_jitter_is_released_in_order_with_every_loss_reported()
    {
        var random = new Random(5);
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        const int Count = 5000;

        // Packets sent every 2 ms, lost with p = 0.05, delayed by 0..8 ms: reordering of up to 4 packets.
        var arrivals = Enumerable.Range(0, Count)
            .Where(i => i == 0 || random.NextDouble() >= 0.05)
            .Select(i => (Index: i, Arrival: (i * 2.0) + (random.NextDouble() * 8)))
            .OrderBy(a => a.Arrival)
            .ToList();
        var released = new List<(int Index, int LostBefore)>();
        double now = 0;
        foreach (var (index, arrival) in arrivals)
        {
            clock.Advance(TimeSpan.FromMilliseconds(arrival - now));
            now = arrival;
            buffer.Push(RtpPackets.Make(index, firstSequenceNumber: 60000));
            released.AddRange(Drain(buffer));
        }

        clock.Advance(Wait);
        released.AddRange(Drain(buffer));

        int[] received = arrivals.Select(a => a.Index).Order().ToArray();
        Assert.Equal(received, released.Select(r => r.Index));
        Assert.Equal(Count - received.Length, buffer.PacketsLost);
        Assert.Equal(Count - received.Length, released.Sum(r => r.LostBefore));
        Assert.Equal(0, buffer.PacketsLate);
    }

    [Fact]
    public void Any_permutation_within_the_reorder_window_comes_out_in_order_without_duplicates()
    {
        // Each packet is displaced by at most `window` places; time does not move, so nothing is given up.
        var input =
            from window in Gen.Choose(1, 32)
            from count in Gen.Choose(1, 400)
            from keys in Gen.ArrayOf(Gen.Choose(0, 1000 * window), count)
            from start in Gen.Choose(0, 65535)
            select (Window: window, Keys: keys, Start: (ushort)start);
        Prop.ForAll(Arb.From(input), x =>
        {
            int[] order = Enumerable.Range(0, x.Keys.Length)
                .OrderBy(i => (i * 1000L) + (x.Keys[i] % (1000L * x.Window)))
                .ToArray();
            using var buffer = new RtpReorderBuffer(Wait, capacity: 64, timeProvider: new FakeTimeProvider());
            var released = new List<int>();
            buffer.Push(RtpPackets.Make(0, x.Start));
            foreach (int i in order.Where(i => i != 0))
            {
                buffer.Push(RtpPackets.Make(i, x.Start));
                released.AddRange(Drain(buffer).Select(r => r.Index));
            }

            released.AddRange(Drain(buffer).Select(r => r.Index));
            return released.SequenceEqual(Enumerable.Range(0, x.Keys.Length)) && buffer.PacketsLost == 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Random_input_never_throws_and_output_is_strictly_increasing()
    {
        var step = Gen.OneOf(
            Gen.Choose(-70000, 70000).Select(d => (Kind: 0, Value: d)),
            Gen.Choose(-40, 40).Select(d => (Kind: 0, Value: d)),
            Gen.Choose(0, 100).Select(ms => (Kind: 1, Value: ms)),
            Gen.Choose(0, 20).Select(n => (Kind: 2, Value: n)));
        Prop.ForAll(Arb.From(Gen.ListOf(step)), Arb.From(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())), (steps, junk) =>
        {
            var clock = new FakeTimeProvider();
            using var buffer = new RtpReorderBuffer(Wait, capacity: 16, timeProvider: clock);
            long sequence = 0;
            long last = long.MinValue;
            long restarts = 0;
            foreach (var (kind, value) in steps)
            {
                switch (kind)
                {
                    case 0:
                        sequence += value;
                        buffer.Push(RtpPackets.Make(sequence));
                        break;
                    case 1:
                        clock.Advance(TimeSpan.FromMilliseconds(value));
                        break;
                    default:
                        buffer.Push(junk.AsSpan(0, Math.Min(value, junk.Length)));
                        break;
                }

                while (buffer.TryRead(out ReorderedRtpPacket packet))
                {
                    if (buffer.Restarts != restarts)
                    {
                        restarts = buffer.Restarts;
                        last = long.MinValue;
                    }

                    if (packet.ExtendedSequenceNumber <= last)
                    {
                        return false;
                    }

                    last = packet.ExtendedSequenceNumber;
                }

                _ = buffer.GetTimeUntilNextRelease();
            }

            return buffer.Count >= 0 && buffer.Count <= 32;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Push_and_read_allocate_nothing_in_steady_state()
    {
        var clock = new FakeTimeProvider();
        using var buffer = new RtpReorderBuffer(Wait, timeProvider: clock);
        byte[][] packets = Enumerable.Range(0, 64).Select(i => RtpPackets.Make(i)).ToArray();
        long round = 0;
        long bytes = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < packets.Length; i += 2)
            {
                // Swap each pair so every other packet waits behind a gap.
                buffer.Push(packets[i + 1]);
                buffer.Push(packets[i]);
                while (buffer.TryRead(out _))
                {
                }
            }

            round++;
            for (int i = 0; i < packets.Length; i++)
            {
                RewriteSequence(packets[i], (ushort)((round * 64) + i));
            }
        });
        Assert.Equal(0, bytes);
        Assert.Equal(0, buffer.PacketsLost);
    }

    private static void RewriteSequence(byte[] packet, ushort sequenceNumber) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequenceNumber);
}
