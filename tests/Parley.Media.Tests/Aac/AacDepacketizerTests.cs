using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Parley.Media.Aac;
using Parley.Rtp;

namespace Parley.Media.Tests.Aac;

/// <summary>
/// RFC 3640 AAC-hbr depacketizing: several access units per packet, one access unit in fragments, and what must be
/// dropped and counted (malformed AU-header sections, interleaving, lost fragments, late packets).
/// </summary>
public class AacDepacketizerTests
{
    internal static readonly Mpeg4GenericParameters Hbr = Parse("streamtype=5; profile-level-id=1; mode=AAC-hbr; sizelength=13; indexlength=3; indexdeltalength=3; config=1210");

    internal static Mpeg4GenericParameters Parse(string fmtp)
    {
        var map = fmtp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        Assert.True(Mpeg4GenericParameters.TryParse(map, out var parameters));
        return parameters!;
    }

    [Fact]
    public void Parameters_of_ffmpeg_sdp_are_read_and_other_modes_refused()
    {
        Assert.Equal(13, Hbr.SizeLength);
        Assert.Equal(3, Hbr.IndexLength);
        Assert.Equal(2, Hbr.AudioObjectType);
        Assert.Equal(new byte[] { 0x12, 0x10 }, Hbr.AudioSpecificConfig.ToArray());
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["mode"] = "CELP-cbr", ["config"] = "1210", ["sizelength"] = "13" };
        Assert.False(Mpeg4GenericParameters.TryParse(map, out _));
        map["mode"] = "AAC-hbr";
        map["config"] = "12G0";
        Assert.False(Mpeg4GenericParameters.TryParse(map, out _));
        map["config"] = "1210";
        map["sizelength"] = "0";
        Assert.False(Mpeg4GenericParameters.TryParse(map, out _));
        map["sizelength"] = "13";
        Assert.True(Mpeg4GenericParameters.TryParse(map, out _));
    }

    [Fact]
    public void Several_access_units_in_one_packet_come_out_in_order_with_their_sizes()
    {
        byte[][] units = [Fill(200, 1), Fill(17, 2), Fill(361, 3)];
        byte[] packet = Packet(1, 48000, marker: true, units.Select(u => u.Length).ToArray(), units.SelectMany(u => u).ToArray());
        var depacketizer = new AacDepacketizer(Hbr);
        Assert.True(RtpPacketView.TryParse(packet, out var view));
        Assert.True(depacketizer.Push(view, out var result));
        Assert.Equal([200, 17, 361], result.Sizes.ToArray());
        Assert.Equal(48000u, result.Timestamp);
        Assert.Equal(units.SelectMany(u => u).ToArray(), result.Data.ToArray());
    }

    [Fact]
    public void A_fragmented_access_unit_is_reassembled_and_a_lost_fragment_drops_it()
    {
        byte[] unit = Fill(1000, 7);
        var depacketizer = new AacDepacketizer(Hbr);
        Assert.False(Push(depacketizer, Packet(10, 1024, false, [1000], unit.AsSpan(0, 400)), out _));
        Assert.False(Push(depacketizer, Packet(11, 1024, false, [1000], unit.AsSpan(400, 800 - 400)), out _));
        Assert.True(Push(depacketizer, Packet(12, 1024, true, [1000], unit.AsSpan(800)), out byte[] whole));
        Assert.Equal(unit, whole);

        Assert.False(Push(depacketizer, Packet(13, 2048, false, [1000], unit.AsSpan(0, 400)), out _));
        Assert.False(Push(depacketizer, Packet(15, 2048, true, [1000], unit.AsSpan(800)), out _));
        Assert.Equal(1, depacketizer.PacketsLost);
        Assert.Equal(1, depacketizer.FragmentsDropped);

        Assert.True(Push(depacketizer, Packet(16, 3072, true, [3], [1, 2, 3]), out byte[] next));
        Assert.Equal(new byte[] { 1, 2, 3 }, next);
    }

    [Fact]
    public void Malformed_interleaved_and_late_packets_are_dropped_and_counted()
    {
        var depacketizer = new AacDepacketizer(Hbr);
        Assert.False(Push(depacketizer, RtpWith(1, []), out _));
        Assert.False(Push(depacketizer, RtpWith(2, [0x00, 0x40, 0x00]), out _));          // 64 header bits, 1 byte present
        Assert.False(Push(depacketizer, RtpWith(3, [0x00, 0x00, 0xAA]), out _));          // no headers at all
        Assert.False(Push(depacketizer, Packet(4, 0, true, [50, 50], Fill(60, 1)), out _)); // sizes beyond the data
        byte[] interleaved = Packet(5, 0, true, [10, 10], Fill(20, 1));
        interleaved[12 + 2 + 3] |= 0x01;                                                   // AU-Index-delta of the second header: 1 (its low bit)
        Assert.False(Push(depacketizer, interleaved, out _));
        Assert.Equal(5, depacketizer.PacketsMalformed);
        Assert.True(Push(depacketizer, Packet(6, 0, true, [4], Fill(4, 9)), out _));
        Assert.False(Push(depacketizer, Packet(6, 0, true, [4], Fill(4, 9)), out _));
        Assert.False(Push(depacketizer, Packet(2, 0, true, [4], Fill(4, 9)), out _));
        Assert.Equal(2, depacketizer.PacketsLate);
    }

    [Fact]
    public void Any_access_units_split_at_any_budget_come_back_unchanged()
    {
        var gen = from sizes in Gen.ArrayOf(Gen.Choose(1, 1500)).Where(a => a.Length is > 0 and < 40)
                  from budget in Gen.Choose(60, 1400)
                  from seed in Gen.Choose(0, 255)
                  select (sizes, budget, seed);
        Prop.ForAll(Arb.From(gen), input =>
        {
            var (sizes, budget, seed) = input;
            byte[][] units = sizes.Select((s, i) => Fill(s, (byte)(seed + i))).ToArray();
            var depacketizer = new AacDepacketizer(Hbr);
            var received = new List<byte[]>();
            ushort sequence = 100;
            foreach (byte[] packet in Packetize(units, budget, () => sequence++))
            {
                if (RtpPacketView.TryParse(packet, out var view) && depacketizer.Push(view, out var result))
                {
                    int offset = 0;
                    foreach (int size in result.Sizes)
                    {
                        received.Add(result.Data.Slice(offset, size).ToArray());
                        offset += size;
                    }
                }
            }

            return received.Count == units.Length && received.Zip(units).All(p => p.First.AsSpan().SequenceEqual(p.Second))
                && depacketizer.PacketsMalformed == 0;
        }).QuickCheckThrowOnFailure();
    }

    // Packs whole units while they fit the budget (2 header bytes each); a unit larger than the budget is fragmented.
    private static IEnumerable<byte[]> Packetize(byte[][] units, int budget, Func<ushort> nextSequence)
    {
        uint timestamp = 0;
        var batch = new List<byte[]>();
        foreach (byte[] unit in units)
        {
            int batchBytes = batch.Sum(u => u.Length + 2) + 2;
            if (batch.Count > 0 && batchBytes + unit.Length + 2 > budget)
            {
                yield return Packet(nextSequence(), timestamp, true, batch.Select(u => u.Length).ToArray(), batch.SelectMany(u => u).ToArray());
                timestamp += (uint)(1024 * batch.Count);
                batch.Clear();
            }

            if (unit.Length + 4 > budget)
            {
                for (int offset = 0; offset < unit.Length; offset += budget - 4)
                {
                    int length = Math.Min(budget - 4, unit.Length - offset);
                    yield return Packet(nextSequence(), timestamp, offset + length == unit.Length, [unit.Length], unit.AsSpan(offset, length).ToArray());
                }

                timestamp += 1024;
                continue;
            }

            batch.Add(unit);
        }

        if (batch.Count > 0)
        {
            yield return Packet(nextSequence(), timestamp, true, batch.Select(u => u.Length).ToArray(), batch.SelectMany(u => u).ToArray());
        }
    }

    private static bool Push(AacDepacketizer depacketizer, byte[] packet, out byte[] data)
    {
        data = [];
        Assert.True(RtpPacketView.TryParse(packet, out var view));
        if (!depacketizer.Push(view, out var units))
        {
            return false;
        }

        data = units.Data.ToArray();
        return true;
    }

    // AAC-hbr AU-headers: 13-bit AU-size, 3-bit AU-Index(-delta) 0.
    internal static byte[] Packet(ushort sequence, uint timestamp, bool marker, int[] sizes, ReadOnlySpan<byte> data)
    {
        byte[] payload = new byte[2 + (2 * sizes.Length) + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)(16 * sizes.Length));
        for (int i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2 + (2 * i)), (ushort)(sizes[i] << 3));
        }

        data.CopyTo(payload.AsSpan(2 + (2 * sizes.Length)));
        return RtpWith(sequence, payload, timestamp, marker);
    }

    private static byte[] RtpWith(ushort sequence, byte[] payload, uint timestamp = 0, bool marker = true)
    {
        byte[] packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | 97);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0xAAC0AAC0);
        payload.CopyTo(packet.AsSpan(12));
        return packet;
    }

    private static byte[] Fill(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(seed * 31 + i)).ToArray();
}
