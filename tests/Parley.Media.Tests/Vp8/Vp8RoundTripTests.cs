using FsCheck;
using FsCheck.Fluent;
using Parley.Media.Tests.Infrastructure;
using Parley.Media.Vp8;
using Parley.Rtp;

namespace Parley.Media.Tests.Vp8;

public class Vp8RoundTripTests
{
    private static readonly Gen<byte[]> Frame =
        from key in Gen.Elements(true, false, false, false)
        from length in Gen.OneOf(Gen.Choose(10, 60), Gen.Choose(60, 3000), Gen.Choose(3000, 20000))
        from seed in Gen.Choose(0, int.MaxValue)
        select Vp8TestFrames.Make(key, length, seed);

    private static readonly Gen<List<byte[]>> Frames = Gen.ListOf(Frame).Where(l => l.Count is > 0 and <= 8).Select(l => l.ToList());

    [Fact]
    public void Random_frames_round_trip_at_payload_budgets_from_20_to_1400()
    {
        Prop.ForAll(Arb.From(Gen.Choose(20, 1400)), Arb.From(Gen.Choose(0, ushort.MaxValue)), Arb.From(Frames), (budget, firstSequence, frames) =>
        {
            List<byte[]> copies = frames.Select(f => f.ToArray()).ToList();
            var packets = Vp8TestFrames.Packetize(new Vp8Packetizer(7, 96, (ushort)firstSequence, 0x7FFE) { MaxPayloadSize = budget }, frames);
            var output = Vp8TestFrames.Depacketize(new Vp8Depacketizer(), packets, out var depacketizer);

            // Frames before the first key frame come out but NeedsKeyFrame marks them; compare all of them.
            bool same = output.Count == frames.Count && output.Zip(frames).Select((p, i) =>
                p.First.Timestamp == (uint)(i * 3000) && p.First.Frame.AsSpan().SequenceEqual(p.Second) && p.First.Key == ((p.Second[0] & 1) == 0)).All(ok => ok);
            bool sized = packets.All(p => p.Length <= 12 + budget) && packets.Count(p => (p[1] & 0x80) != 0) == frames.Count;
            bool untouched = copies.Zip(frames).All(p => p.First.AsSpan().SequenceEqual(p.Second));
            return same && sized && untouched && depacketizer.NeedsKeyFrame == !frames.Any(f => (f[0] & 1) == 0)
                && depacketizer.FramesDropped + depacketizer.PacketsMalformed + depacketizer.PacketsLost == 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_lost_packet_drops_its_frame_and_holds_decoding_until_the_next_key_frame()
    {
        Prop.ForAll(Arb.From(Frames), Arb.From(Gen.Choose(0, int.MaxValue)), (frames, pick) =>
        {
            frames.Insert(0, Vp8TestFrames.Make(key: true, 2000, pick));
            var packets = Vp8TestFrames.Packetize(new Vp8Packetizer(7) { MaxPayloadSize = 500 }, frames);
            int lost = pick % packets.Count;
            if (lost == 0)
            {
                return true; // losing the first packet is just a later start
            }

            int lostFrame = Vp8TestFrames.FrameOf(packets, lost);
            packets.RemoveAt(lost);
            var output = Vp8TestFrames.Depacketize(new Vp8Depacketizer(), packets, out var depacketizer);
            int nextKey = frames.FindIndex(lostFrame + 1, f => (f[0] & 1) == 0);
            var decodable = output.Where(o => !o.NeedsKeyFrame).Select(o => (int)(o.Timestamp / 3000)).ToList();
            var expected = Enumerable.Range(0, frames.Count).Where(i => i < lostFrame || (nextKey >= 0 && i >= nextKey)).ToList();
            // Losing the very last packet leaves no later packet to reveal the gap.
            return decodable.SequenceEqual(expected) && !output.Any(o => o.Timestamp / 3000 == lostFrame)
                && depacketizer.PacketsLost == (lost < packets.Count ? 1 : 0);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Losing_part_of_a_non_reference_frame_needs_no_key_frame()
    {
        var packetizer = new Vp8Packetizer(7) { MaxPayloadSize = 200 };
        var sink = new ListPacketSink();
        packetizer.Packetize(Vp8TestFrames.Make(true, 1000, 1), 0, sink);
        int keyPackets = sink.Packets.Count;
        packetizer.Packetize(Vp8TestFrames.Make(false, 1000, 2), 3000, sink, nonReference: true);
        packetizer.Packetize(Vp8TestFrames.Make(false, 1000, 3), 6000, sink);
        sink.Packets.RemoveAt(keyPackets + 2); // the middle of the non-reference frame
        var output = Vp8TestFrames.Depacketize(new Vp8Depacketizer(), sink.Packets, out var d);
        Assert.Equal([(0u, false), (6000u, false)], output.Select(o => (o.Timestamp, o.NeedsKeyFrame)));
        Assert.Equal(1, d.FramesDropped);
    }

    [Fact]
    public void Late_duplicate_malformed_and_oversized_input_is_counted_not_thrown()
    {
        var packetizer = new Vp8Packetizer(7) { MaxPayloadSize = 300 };
        var sink = new ListPacketSink();
        packetizer.Packetize(Vp8TestFrames.Make(true, 900, 1), 0, sink);
        var d = new Vp8Depacketizer(maxFrameSize: 1024);
        Assert.False(d.Push(sink.Packets[0]));
        Assert.False(d.Push(sink.Packets[0]));
        Assert.Equal(1, d.PacketsLate);
        Assert.False(d.Push([0x80, 0x60]));
        Assert.Equal(1, d.PacketsMalformed);
        Assert.False(d.Push(new byte[] { 0x80, 0xE0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 7 })); // RTP with an empty payload
        Assert.Equal(2, d.PacketsMalformed);
        Assert.True(d.NeedsKeyFrame);

        var big = new ListPacketSink();
        new Vp8Packetizer(8) { MaxPayloadSize = 1000 }.Packetize(Vp8TestFrames.Make(true, 3000, 2), 0, big);
        var small = new Vp8Depacketizer(maxFrameSize: 1024);
        Assert.DoesNotContain(big.Packets, p => small.Push(p));
        Assert.Equal((1, 1), (small.FramesTooLarge, small.FramesDropped));
    }

    [Fact]
    public void Steady_state_allocates_nothing()
    {
        var packets = Vp8TestFrames.Packetize(new Vp8Packetizer(7) { MaxPayloadSize = 1000 },
            Enumerable.Range(0, 50).Select(i => Vp8TestFrames.Make(i % 10 == 0, 5000, i)).ToList());
        var d = new Vp8Depacketizer();
        Assert.Equal(0, Allocations.SteadyState(() =>
        {
            d.Reset();
            foreach (byte[] p in packets)
            {
                d.Push(p);
            }
        }));
        Assert.Equal(6 * 50, d.FramesCompleted);
    }
}

internal static class Vp8TestFrames
{
    /// <summary>A frame with a valid tag (and key frame header) and pseudo-random data.</summary>
    public static byte[] Make(bool key, int length, int seed)
    {
        byte[] frame = new byte[Math.Max(length, 10)];
        new Random(seed).NextBytes(frame);
        frame[0] = (byte)((frame[0] & 0xFE) | (key ? 0 : 1));
        if (key)
        {
            frame[3] = 0x9D;
            frame[4] = 0x01;
            frame[5] = 0x2A;
        }

        return frame;
    }

    public static List<byte[]> Packetize(Vp8Packetizer packetizer, List<byte[]> frames)
    {
        var sink = new ListPacketSink();
        for (int i = 0; i < frames.Count; i++)
        {
            packetizer.Packetize(frames[i], (uint)(i * 3000), sink);
        }

        return sink.Packets;
    }

    public static List<(uint Timestamp, byte[] Frame, bool Key, bool NeedsKeyFrame)> Depacketize(Vp8Depacketizer depacketizer, IEnumerable<byte[]> packets, out Vp8Depacketizer used)
    {
        var output = new List<(uint, byte[], bool, bool)>();
        foreach (byte[] p in packets)
        {
            if (depacketizer.Push(p))
            {
                output.Add((depacketizer.Timestamp, depacketizer.Frame.ToArray(), depacketizer.IsKeyFrame, depacketizer.NeedsKeyFrame));
            }
        }

        used = depacketizer;
        return output;
    }

    public static int FrameOf(List<byte[]> packets, int index) =>
        RtpPacketView.TryParse(packets[index], out var view) ? (int)(view.Timestamp / 3000) : -1;
}
