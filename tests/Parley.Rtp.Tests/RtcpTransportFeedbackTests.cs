using FsCheck;
using FsCheck.Fluent;
using Parley.Rtp.Rtcp;

namespace Parley.Rtp.Tests;

/// <summary>Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).</summary>
public class RtcpTransportFeedbackTests
{
    private const long No = RtcpTransportFeedback.NotReceived;

    // Worked by hand from the draft's chunk examples: 14 statuses that make its status vector example 1
    // (1 not received, 5 received, 3 not received, 3 received, 2 not received), then its run length example
    // (221 x not received), then one packet that arrived before its predecessor (a negative, 2-byte delta).
    // The first arrival, 1.000 s, is 15 x 64 ms + 160 x 250 us; the others follow 1 ms apart, 6 ms after the gap.
    [Fact]
    public void The_draft_examples_make_a_byte_exact_packet()
    {
        long[] arrivals = new long[236];
        Array.Fill(arrivals, No);
        long[] received = [1_000_000, 1_001_000, 1_002_000, 1_003_000, 1_004_000];
        received.CopyTo(arrivals, 1);
        long[] later = [1_010_000, 1_011_000, 1_012_000];
        later.CopyTo(arrivals, 9);
        arrivals[235] = 1_002_000;
        byte[] expected =
        [
            0x8F, 0xCD, 0x00, 0x08, // V=2, P=0, FMT=15, PT=205, length 8 (36 bytes)
            0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
            0xFF, 0xFA, 0x00, 0xEC, // base sequence number 65530, 236 statuses
            0x00, 0x00, 0x0F, 0x07, // reference time 15 (x 64 ms), feedback packet count 7
            0x9F, 0x1C, // |1|0|0 1 1 1 1 1 0 0 0 1 1 1 0 0| the draft's status vector example 1
            0x00, 0xDD, // |0|0 0|0 0 0 0 0 1 1 0 1 1 1 0 1| the draft's run length example: 221 x not received
            0x40, 0x01, // |0|1 0|0 0 0 0 0 0 0 0 0 0 0 0 1| one packet with a large or negative delta
            0xA0, 0x04, 0x04, 0x04, 0x04, // +40 ms from the reference time, then +1 ms (4 x 250 us) each
            0x18, 0x04, 0x04, // +6 ms, +1 ms, +1 ms
            0xFF, 0xD8, // -10 ms as a signed 16-bit delta
        ];

        byte[] buffer = new byte[256];
        int length = RtcpTransportFeedback.Write(buffer, 0x11223344, 0x55667788, 65530, 7, arrivals, out int count);
        Assert.Equal(236, count);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer, 0, length));

        Assert.True(RtcpPacketView.TryParse(expected, out var packet));
        Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
        Assert.True(RtcpTransportFeedbackView.TryParse(feedback, out var view));
        Assert.Equal((65530, 236, 960_000L, (byte)7), (view.BaseSequenceNumber, view.PacketStatusCount, view.ReferenceTimeMicroseconds, view.FeedbackPacketCount));
        var parsed = new List<RtcpTransportFeedbackPacket>();
        foreach (var entry in view)
        {
            parsed.Add(entry);
        }

        Assert.Equal(236, parsed.Count);
        Assert.Equal(new RtcpTransportFeedbackPacket(65531, true, 1_000_000), parsed[1]);
        Assert.Equal(new RtcpTransportFeedbackPacket(3, true, 1_010_000), parsed[9]); // wrapped past 65535
        Assert.Equal(new RtcpTransportFeedbackPacket(65530 + 235 - 65536, true, 1_002_000), parsed[235]);
        Assert.Equal(8 + 1, parsed.Count(p => p.IsReceived));
    }

    [Fact]
    public void A_packet_that_does_not_end_on_a_word_is_padded_with_the_p_bit()
    {
        byte[] buffer = new byte[64];
        int length = RtcpTransportFeedback.Write(buffer, 1, 2, 100, 0, [64_250], out _);
        // 64.25 ms is 1 x 64 ms + 1 x 250 us. 20 fixed bytes, run length chunk |0|0 1|...1|, delta 1, then the P bit
        // and 1 byte of padding holding its own count.
        Assert.Equal("AFCD0005" + "00000001" + "00000002" + "00640001" + "00000100" + "2001" + "01" + "01", Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void A_delta_beyond_16_bits_ends_the_packet_early()
    {
        byte[] buffer = new byte[64];
        RtcpTransportFeedback.Write(buffer, 1, 2, 0, 0, [1_000, 2_000, 9_000_000], out int count);
        Assert.Equal(2, count);
    }

    [Fact]
    public void A_small_destination_ends_the_packet_early_and_still_parses()
    {
        long[] arrivals = [.. Enumerable.Range(0, 200).Select(i => 1_000_000L + (i * 70_000))]; // 280 large deltas
        byte[] buffer = new byte[100];
        int length = RtcpTransportFeedback.Write(buffer, 1, 2, 0, 0, arrivals, out int count);
        Assert.InRange(count, 1, 199);
        Assert.True(length <= 100);
        Assert.True(RtcpPacketView.TryParse(buffer.AsSpan(0, length), out var packet));
        Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
        Assert.True(RtcpTransportFeedbackView.TryParse(feedback, out var view));
        Assert.Equal(count, view.PacketStatusCount);
    }

    private static readonly Gen<long?[]> Statuses =
        Gen.ArrayOf(Gen.Frequency((1, Gen.Constant<long?>(null)), (3, Gen.Choose(-20_000, 100_000).Select(s => (long?)s))))
            .Where(a => a.Length is > 0 and <= 400);

    [Fact]
    public void Written_feedback_parses_back_to_the_arrival_times_rounded_to_250_us()
    {
        Prop.ForAll(
            Arb.From(Statuses),
            Arb.From(Gen.Choose(0, 65535)),
            Arb.From(Gen.Choose(10_000_000, 500_000_000)),
            (steps, baseSequence, start) =>
            {
                long time = start;
                long[] arrivals = new long[steps.Length];
                for (int i = 0; i < steps.Length; i++)
                {
                    time += steps[i] ?? 0;
                    arrivals[i] = steps[i] is null ? No : time;
                }

                byte[] buffer = new byte[4096];
                int length = RtcpTransportFeedback.Write(buffer, 7, 9, (ushort)baseSequence, 3, arrivals, out int count);
                if (count != arrivals.Length || length % 4 != 0
                    || !RtcpPacketView.TryParse(buffer.AsSpan(0, length), out var packet) || packet.Length != length
                    || !RtcpFeedbackView.TryParse(packet, out var feedback) || !RtcpTransportFeedbackView.TryParse(feedback, out var view))
                {
                    return false;
                }

                int i2 = 0;
                foreach (var entry in view)
                {
                    long expected = arrivals[i2] == No ? 0 : (arrivals[i2] + 125) / 250 * 250;
                    if (entry.SequenceNumber != (ushort)(baseSequence + i2) || entry.IsReceived != (arrivals[i2] != No) || entry.ArrivalMicroseconds != expected)
                    {
                        return false;
                    }

                    i2++;
                }

                return i2 == arrivals.Length && view.SenderSsrc == 7 && view.MediaSsrc == 9;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Parsing_mangled_feedback_never_throws_and_never_reads_past_the_packet()
    {
        byte[] header = [0x8F, 0xCD, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0, 2];
        Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Where(b => b.Length < 200)),
            body =>
            {
                byte[] packet = [.. header, .. body];
                int words = (packet.Length / 4) - 1;
                packet = packet[..((words + 1) * 4)];
                packet[3] = (byte)words;
                if (!RtcpPacketView.TryParse(packet, out var view) || !RtcpFeedbackView.TryParse(view, out var feedback)
                    || !RtcpTransportFeedbackView.TryParse(feedback, out var twcc))
                {
                    return true;
                }

                int n = 0;
                foreach (var entry in twcc)
                {
                    n++;
                }

                return n == twcc.PacketStatusCount;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Feedback_with_the_reserved_symbol_or_missing_deltas_is_refused()
    {
        // 2-bit vector with symbol 3 in the first place.
        byte[] reserved = [0x8F, 0xCD, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0xF0, 0x00, 0, 0];
        // A run of 4 received (small deltas) with only two delta bytes.
        byte[] shortDeltas = [0x8F, 0xCD, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0, 0x20, 0x04, 1, 1];
        foreach (byte[] bytes in new[] { reserved, shortDeltas })
        {
            Assert.True(RtcpPacketView.TryParse(bytes, out var packet));
        Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
            Assert.False(RtcpTransportFeedbackView.TryParse(feedback, out _));
        }
    }
}
