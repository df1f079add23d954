using FsCheck;
using FsCheck.Fluent;
using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Media.Tests.H264;

public class H264RoundTripTests
{
    // One NAL unit: header (F = 0, any NRI, a type an encoder emits) and pseudo-random body bytes.
    private static readonly Gen<byte[]> NalUnit =
        from type in Gen.Elements(1, 1, 1, 5, 6, 7, 8, 9)
        from nri in Gen.Choose(0, 3)
        from length in Gen.OneOf(Gen.Choose(1, 40), Gen.Choose(1, 600), Gen.Choose(600, 5000))
        from seed in Gen.Choose(0, int.MaxValue)
        select MakeNal((byte)((nri << 5) | type), length, seed);

    private static readonly Gen<List<byte[]>> AccessUnit = Gen.ListOf(NalUnit).Where(l => l.Count is > 0 and <= 10).Select(l => l.ToList());

    private static byte[] MakeNal(byte header, int length, int seed)
    {
        byte[] nal = new byte[length];
        new Random(seed).NextBytes(nal);
        nal[0] = header;
        return nal;
    }

    [Fact]
    public void Random_access_units_round_trip_at_payload_budgets_from_100_to_1400()
    {
        Prop.ForAll(
            Arb.From(Gen.Choose(100, 1400)),
            Arb.From(Gen.Choose(0, ushort.MaxValue)),
            Arb.From(Gen.ListOf(AccessUnit).Where(l => l.Count is > 0 and <= 6)),
            (budget, firstSequence, accessUnits) =>
            {
                var packetizer = new H264Packetizer(42, 96, (ushort)firstSequence) { MaxPayloadSize = budget, InsertParameterSets = false };
                List<byte[]> inputCopy = accessUnits.SelectMany(au => au).Select(n => n.ToArray()).ToList();
                List<byte[]> packets = H264TestStreams.Packetize(packetizer, accessUnits, uint.MaxValue - 4000);
                List<byte[]> packetsCopy = packets.Select(p => p.ToArray()).ToList();
                var depacketizer = new H264Depacketizer();
                var output = H264TestStreams.Depacketize(depacketizer, packets);

                // Delimiters are dropped; an access unit of only delimiters sends nothing.
                var expected = accessUnits
                    .Select((au, i) => (Timestamp: unchecked(uint.MaxValue - 4000 + (uint)(i * 3000)), Units: au.Where(n => (n[0] & 0x1F) != 9).ToList()))
                    .Where(e => e.Units.Count > 0)
                    .ToList();
                bool same = output.Count == expected.Count && output.Zip(expected).All(p =>
                    p.First.Timestamp == p.Second.Timestamp
                    && p.First.AccessUnit.AsSpan().SequenceEqual(H264TestStreams.ToAnnexB(p.Second.Units))
                    && p.First.KeyFrame == p.Second.Units.Any(n => (n[0] & 0x1F) == 5));

                bool wellFormed = packets.All(p => p.Length <= 12 + budget)
                    && packets.Select((p, i) => RtpPacketView.TryParse(p, out var v) && v.SequenceNumber == (ushort)(firstSequence + i)).All(ok => ok)
                    && packets.Count(p => (p[1] & 0x80) != 0) == expected.Count
                    && (packets.Count == 0 || (packets[^1][1] & 0x80) != 0);
                bool untouched = inputCopy.Zip(accessUnits.SelectMany(au => au)).All(p => p.First.AsSpan().SequenceEqual(p.Second))
                    && packetsCopy.Zip(packets).All(p => p.First.AsSpan().SequenceEqual(p.Second));
                bool clean = depacketizer.PacketsMalformed == 0 && depacketizer.AccessUnitsDropped == 0 && packetizer.PacketsWritten == packets.Count;
                return same && wellFormed && untouched && clean;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_real_stream_round_trips_as_annex_b_at_every_budget_from_100_to_1400()
    {
        List<List<byte[]>> aus = H264TestStreams.AccessUnits(H264TestStreams.Presenter720p(30));
        byte[][] annexB = aus.Select(H264TestStreams.ToAnnexB).ToArray();
        for (int budget = 100; budget <= 1400; budget += 100)
        {
            var packetizer = new H264Packetizer(1) { MaxPayloadSize = budget };
            var sink = new ListPacketSink();
            for (int i = 0; i < annexB.Length; i++)
            {
                packetizer.PacketizeAnnexB(annexB[i], (uint)(i * 3000), sink);
            }

            var depacketizer = new H264Depacketizer();
            var output = H264TestStreams.Depacketize(depacketizer, sink.Packets);
            Assert.Equal(annexB.Length, output.Count);
            for (int i = 0; i < annexB.Length; i++)
            {
                Assert.True(annexB[i].AsSpan().SequenceEqual(output[i].AccessUnit), $"budget {budget}, access unit {i}");
            }

            Assert.True(output[0].KeyFrame);
            Assert.False(depacketizer.NeedsKeyFrame);
        }
    }

    [Fact]
    public void Losing_any_one_packet_drops_its_access_unit_and_needs_a_key_frame_until_the_next_idr()
    {
        // A key frame every 8 frames, a small budget so most frames span several packets.
        List<List<byte[]>> aus = H264TestStreams.AccessUnits(H264TestStreams.TalkingHead("320:240", "-g", "8", "-bf", "0", "-frames:v", "30"));
        var packetizer = new H264Packetizer(1) { MaxPayloadSize = 400 };
        List<byte[]> packets = H264TestStreams.Packetize(packetizer, aus);
        int[] auOfPacket = AccessUnitIndexes(packets);
        bool[] isIdr = aus.Select(au => au.Any(n => (n[0] & 0x1F) == 5)).ToArray();
        Assert.True(packets.Count > 3 * aus.Count, $"{packets.Count} packets for {aus.Count} access units");
        Assert.True(isIdr.Count(x => x) >= 3, "the stream needs key frames after the losses to clear NeedsKeyFrame");

        // Packet 0 is excluded: a receiver cannot see a loss before the first packet it ever gets.
        for (int lost = 1; lost < packets.Count; lost++)
        {
            int k = auOfPacket[lost];
            bool lastOfAu = lost == packets.Count - 1 || auOfPacket[lost + 1] != k;
            var dropped = new HashSet<int> { k };
            if (lastOfAu && k + 1 < aus.Count)
            {
                dropped.Add(k + 1); // the gap may as well have taken the next access unit's first packet
            }

            var depacketizer = new H264Depacketizer();
            var delivered = new List<int>();
            for (int i = 0; i < packets.Count; i++)
            {
                if (i == lost || !depacketizer.Push(packets[i]))
                {
                    continue;
                }

                int index = (int)(depacketizer.Timestamp / 3000);
                delivered.Add(index);
                Assert.True(H264TestStreams.ToAnnexB(aus[index]).AsSpan().SequenceEqual(depacketizer.AccessUnit));
                // Before the loss: until the first IDR. After it: until an IDR after the damaged access unit.
                bool needsKeyFrame = index > k ? !AnyIdr(isIdr, k + 1, index, delivered) : !AnyIdr(isIdr, 0, index, delivered);
                Assert.Equal(needsKeyFrame, depacketizer.NeedsKeyFrame);
            }

            Assert.Equal(Enumerable.Range(0, aus.Count).Where(i => !dropped.Contains(i)).ToList(), delivered);
            // Losing the stream's very last packet is invisible: no later packet shows the gap.
            bool visible = lost < packets.Count - 1;
            Assert.Equal(visible ? 1 : 0, depacketizer.PacketsLost);
            Assert.Equal(0, depacketizer.PacketsMalformed);
            Assert.Equal(visible ? dropped.Count : 0, depacketizer.AccessUnitsDropped);
        }
    }

    [Fact]
    public void Random_losses_never_deliver_an_access_unit_that_lost_a_packet()
    {
        List<List<byte[]>> aus = H264TestStreams.AccessUnits(H264TestStreams.TalkingHead("320:240", "-g", "8", "-bf", "0", "-frames:v", "30"));
        List<byte[]> packets = H264TestStreams.Packetize(new H264Packetizer(1) { MaxPayloadSize = 300 }, aus);
        int[] auOfPacket = AccessUnitIndexes(packets);
        Prop.ForAll(
            Arb.From(Gen.ListOf(Gen.Choose(1, packets.Count - 1))),
            lostList =>
            {
                var lost = lostList.ToHashSet();
                var hit = lost.Select(i => auOfPacket[i]).ToHashSet();

                // A loss is seen when a later packet arrives; the last damaged access unit seen so decides NeedsKeyFrame.
                int lastReceived = Enumerable.Range(0, packets.Count).Last(i => !lost.Contains(i));
                int[] seen = lost.Where(i => i < lastReceived).Select(i => auOfPacket[i]).ToArray();
                var depacketizer = new H264Depacketizer();
                var output = H264TestStreams.Depacketize(depacketizer, packets.Where((_, i) => !lost.Contains(i)));
                return output.All(o =>
                {
                    int index = (int)(o.Timestamp / 3000);
                    return !hit.Contains(index) && o.AccessUnit.AsSpan().SequenceEqual(H264TestStreams.ToAnnexB(aus[index]));
                }) && (seen.Length == 0 || depacketizer.NeedsKeyFrame || output.Any(o => o.KeyFrame && o.Timestamp / 3000 > seen.Max()));
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Random_and_truncated_packets_never_throw_and_are_never_mutated()
    {
        List<List<byte[]>> aus = H264TestStreams.AccessUnits(H264TestStreams.Presenter720p(10));
        List<byte[]> packets = H264TestStreams.Packetize(new H264Packetizer(1) { MaxPayloadSize = 500 }, aus);
        var depacketizer = new H264Depacketizer(maxAccessUnitSize: 64 * 1024);
        Prop.ForAll(
            Arb.From(Gen.Choose(0, packets.Count - 1)),
            Arb.From(Gen.Choose(0, 2000)),
            Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))),
            (index, cut, noise) =>
            {
                byte[] truncated = packets[index][..Math.Min(cut, packets[index].Length)];
                byte[] garbled = [.. packets[index][..12], .. noise];
                byte[] before = [.. truncated, .. garbled, .. noise];
                depacketizer.Push(truncated);
                depacketizer.Push(garbled);
                depacketizer.Push(noise);
                _ = depacketizer.AccessUnit.Length + depacketizer.Sps.Length + depacketizer.Pps.Length;
                return before.AsSpan().SequenceEqual([.. truncated, .. garbled, .. noise]);
            }).QuickCheckThrowOnFailure();
    }

    private static bool AnyIdr(bool[] isIdr, int from, int to, List<int> delivered) =>
        delivered.Any(i => i >= from && i <= to && isIdr[i]);

    private static int[] AccessUnitIndexes(List<byte[]> packets) =>
        packets.Select(p => RtpPacketView.TryParse(p, out var v) ? (int)(v.Timestamp / 3000) : -1).ToArray();
}
