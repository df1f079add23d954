using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Parley.Rtp.Rtcp;

namespace Parley.Rtp.Tests;

public class RtcpTests
{
    private static readonly string[] RtcpCaptures =
        ["ffmpeg-h264.rtcp.hex", "ffmpeg-pcmu.rtcp.hex", "ffmpeg-opus.rtcp.hex", "ffmpeg-mjpeg.rtcp.hex", "gst-opus-ext.rtcp.hex"];

    private static readonly string[] RtpCaptures =
        ["ffmpeg-h264.rtp.hex", "ffmpeg-pcmu.rtp.hex", "ffmpeg-opus.rtp.hex", "ffmpeg-mjpeg.rtp.hex", "gst-opus-ext.rtp.hex"];

    [Fact]
    public void Ffmpeg_sender_report_matches_its_rtp_stream()
    {
        byte[] compound = TestData.HexLines("ffmpeg-h264.rtcp.hex")[0];
        Assert.True(RtpPacketView.TryParse(TestData.HexLines("ffmpeg-h264.rtp.hex")[0], out var rtp));
        Assert.True(RtcpCompoundReader.IsValidCompound(compound));
        var reader = new RtcpCompoundReader(compound);
        Assert.True(reader.TryReadNext(out var packet));
        Assert.Equal(RtcpPacketType.SenderReport, packet.PacketType);
        Assert.Equal(0, packet.Count);
        Assert.Equal(28, packet.Length);
        Assert.Equal(24, packet.Body.Length);
        Assert.True(RtcpSenderReportView.TryParse(packet, out var sr));
        Assert.Equal(rtp.Ssrc, sr.Ssrc);
        Assert.Equal(0x1FC4D15Cu, sr.RtpTimestamp);
        Assert.Equal(0xEEACDF39B3333333UL, sr.NtpTimestamp.Value);
        Assert.Equal(0u, sr.PacketCount);
        Assert.Equal(0u, sr.OctetCount);
        Assert.Equal(0, sr.ReportCount);
        Assert.True(sr.ProfileExtensions.IsEmpty);
        Assert.False(reader.TryReadNext(out _));
        Assert.False(reader.IsMalformed);
    }

    [Fact]
    public void Gstreamer_compounds_carry_sr_sdes_and_finally_bye()
    {
        byte[][] compounds = TestData.HexLines("gst-opus-ext.rtcp.hex");
        Assert.True(RtpPacketView.TryParse(TestData.HexLines("gst-opus-ext.rtp.hex")[0], out var rtp));
        uint previousPackets = 0;
        for (int c = 0; c < compounds.Length; c++)
        {
            Assert.True(RtcpCompoundReader.IsValidCompound(compounds[c]));
            var reader = new RtcpCompoundReader(compounds[c]);

            Assert.True(reader.TryReadNext(out var first));
            Assert.True(RtcpSenderReportView.TryParse(first, out var sr));
            Assert.Equal(rtp.Ssrc, sr.Ssrc);
            Assert.True(sr.PacketCount > previousPackets);
            Assert.True(sr.OctetCount > sr.PacketCount * 100);
            previousPackets = sr.PacketCount;

            Assert.True(reader.TryReadNext(out var second));
            Assert.True(RtcpSourceDescriptionView.TryParse(second, out var sdes));
            Assert.Equal(1, sdes.ChunkCount);
            Assert.True(sdes.TryGetCname(rtp.Ssrc, out var cname));
            Assert.Equal("user2622651348@host-c2936b52", Encoding.UTF8.GetString(cname));
            int items = 0;
            foreach (var chunk in sdes)
            {
                Assert.Equal(rtp.Ssrc, chunk.Ssrc);
                Assert.True(chunk.TryGetItem(RtcpSdesItemType.Tool, out var tool));
                Assert.Equal("GStreamer", Encoding.UTF8.GetString(tool));
                foreach (var item in chunk.Items)
                {
                    Assert.Contains(item.Type, new[] { RtcpSdesItemType.Cname, RtcpSdesItemType.Tool });
                    items++;
                }
            }

            Assert.Equal(2, items);

            if (c == compounds.Length - 1)
            {
                Assert.True(reader.TryReadNext(out var third));
                Assert.True(RtcpByeView.TryParse(third, out var bye));
                Assert.Equal(1, bye.SourceCount);
                Assert.Equal(rtp.Ssrc, bye.GetSsrc(0));
                Assert.False(bye.HasReason);
            }

            Assert.False(reader.TryReadNext(out _));
            Assert.False(reader.IsMalformed);
        }
    }

    [Fact]
    public void Rfc_5761_demux_separates_every_captured_rtcp_from_every_captured_rtp()
    {
        foreach (string file in RtcpCaptures)
        {
            Assert.All(TestData.HexLines(file), bytes => Assert.True(RtcpPacketView.LooksLikeRtcp(bytes)));
        }

        foreach (string file in RtpCaptures)
        {
            Assert.All(TestData.HexLines(file), bytes => Assert.False(RtcpPacketView.LooksLikeRtcp(bytes)));
        }

        Assert.False(RtcpPacketView.LooksLikeRtcp([0x80]));
        Assert.False(RtcpPacketView.LooksLikeRtcp([0x80, 0xBF]));
        Assert.True(RtcpPacketView.LooksLikeRtcp([0x80, 0xC0]));
        Assert.True(RtcpPacketView.LooksLikeRtcp([0x80, 0xDF]));
        Assert.False(RtcpPacketView.LooksLikeRtcp([0x80, 0xE0]));
    }

    [Fact]
    public void Report_block_reads_a_negative_24_bit_cumulative_loss()
    {
        byte[] bytes = Convert.FromHexString("11223344" + "40FFFFFE" + "00010005" + "00000010" + "AABBCCDD" + "00008000");
        Assert.True(RtcpReportBlock.TryRead(bytes, out var block));
        Assert.Equal(new RtcpReportBlock(0x11223344, 0x40, -2, 0x00010005, 16, 0xAABBCCDD, 0x8000), block);
        byte[] written = new byte[RtcpReportBlock.Size];
        block.Write(written);
        Assert.Equal(bytes, written);
        Assert.False(RtcpReportBlock.TryRead(bytes.AsSpan(0, 23), out _));
    }

    [Theory]
    [InlineData(10_000_000, 0x7FFFFF)]
    [InlineData(-10_000_000, -0x800000)]
    [InlineData(0x7FFFFF, 0x7FFFFF)]
    [InlineData(-0x800000, -0x800000)]
    public void Report_block_clamps_cumulative_loss_to_24_bits(int written, int read)
    {
        byte[] buffer = new byte[24];
        new RtcpReportBlock(1, 2, written, 3, 4, 5, 6).Write(buffer);
        Assert.True(RtcpReportBlock.TryRead(buffer, out var block));
        Assert.Equal(read, block.CumulativeLost);
        Assert.Equal(2, block.FractionLost);
    }

    private static Gen<RtcpReportBlock> ReportBlocks =>
        from ssrc in TestData.UInt32s
        from fraction in TestData.Bytes
        from lost in Gen.Choose(RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost)
        from highest in TestData.UInt32s
        from jitter in TestData.UInt32s
        from lsr in TestData.UInt32s
        from dlsr in TestData.UInt32s
        select new RtcpReportBlock(ssrc, fraction, lost, highest, jitter, lsr, dlsr);

    [Fact]
    public void Report_blocks_round_trip()
    {
        Prop.ForAll(Arb.From(ReportBlocks), block =>
        {
            byte[] buffer = new byte[RtcpReportBlock.Size];
            block.Write(buffer);
            return RtcpReportBlock.TryRead(buffer, out var read) && read == block;
        }).QuickCheckThrowOnFailure();
    }

    private static void AssertWellFormed(ReadOnlySpan<byte> packet, byte type)
    {
        Assert.Equal(0, packet.Length % 4);
        Assert.Equal(2, packet[0] >> 6);
        Assert.Equal(type, packet[1]);
        Assert.Equal((packet.Length / 4) - 1, (packet[2] << 8) | packet[3]);
    }

    [Fact]
    public void Sender_and_receiver_reports_round_trip()
    {
        Prop.ForAll(
            Arb.From(Gen.ArrayOf(ReportBlocks).Where(b => b.Length <= 31)),
            Arb.From(Gen.Four(TestData.UInt32s)),
            Arb.From(Gen.Two(TestData.UInt32s)),
            (blocks, numbers, ntp) =>
            {
                var (ssrc, rtpTimestamp, packets, octets) = numbers;
                var ntpTimestamp = new NtpTimestamp(ntp.Item1, ntp.Item2);
                byte[] buffer = new byte[RtcpWriter.GetSenderReportLength(blocks.Length) + RtcpWriter.GetReceiverReportLength(blocks.Length)];
                int n = RtcpWriter.WriteSenderReport(buffer, ssrc, ntpTimestamp, rtpTimestamp, packets, octets, blocks);
                Assert.Equal(RtcpWriter.GetSenderReportLength(blocks.Length), n);
                AssertWellFormed(buffer.AsSpan(0, n), RtcpPacketType.SenderReport);
                int m = RtcpWriter.WriteReceiverReport(buffer.AsSpan(n), ssrc ^ 1, blocks);
                AssertWellFormed(buffer.AsSpan(n, m), RtcpPacketType.ReceiverReport);
                Assert.Equal(buffer.Length, n + m);
                Assert.True(RtcpCompoundReader.IsValidCompound(buffer));

                var reader = new RtcpCompoundReader(buffer);
                Assert.True(reader.TryReadNext(out var packet));
                Assert.True(RtcpSenderReportView.TryParse(packet, out var sr));
                Assert.False(RtcpReceiverReportView.TryParse(packet, out _));
                Assert.Equal(ssrc, sr.Ssrc);
                Assert.Equal(ntpTimestamp, sr.NtpTimestamp);
                Assert.Equal(rtpTimestamp, sr.RtpTimestamp);
                Assert.Equal(packets, sr.PacketCount);
                Assert.Equal(octets, sr.OctetCount);
                Assert.Equal(blocks.Length, sr.ReportCount);
                for (int i = 0; i < blocks.Length; i++)
                {
                    Assert.Equal(blocks[i], sr.GetReportBlock(i));
                }

                Assert.True(reader.TryReadNext(out packet));
                Assert.True(RtcpReceiverReportView.TryParse(packet, out var rr));
                Assert.Equal(ssrc ^ 1, rr.Ssrc);
                Assert.Equal(blocks.Length, rr.ReportCount);
                for (int i = 0; i < blocks.Length; i++)
                {
                    Assert.Equal(blocks[i], rr.GetReportBlock(i));
                }

                Assert.False(reader.TryReadNext(out _));
                Assert.False(reader.IsMalformed);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Bye_round_trips_with_and_without_a_reason()
    {
        Prop.ForAll(
            Arb.From(Gen.ArrayOf(TestData.UInt32s).Where(s => s.Length <= 31)),
            Arb.From(TestData.ByteArraysOf(0, 255).Select(b => b.Select(x => (byte)(0x20 + (x % 0x5F))).ToArray())),
            (ssrcs, reason) =>
            {
                byte[] buffer = new byte[RtcpWriter.GetByeLength(ssrcs.Length, reason.Length)];
                int n = RtcpWriter.WriteBye(buffer, ssrcs, reason);
                Assert.Equal(buffer.Length, n);
                AssertWellFormed(buffer, RtcpPacketType.Goodbye);
                Assert.True(RtcpPacketView.TryParse(buffer, out var packet));
                Assert.True(RtcpByeView.TryParse(packet, out var bye));
                Assert.Equal(ssrcs.Length, bye.SourceCount);
                for (int i = 0; i < ssrcs.Length; i++)
                {
                    Assert.Equal(ssrcs[i], bye.GetSsrc(i));
                }

                Assert.Equal(reason.Length > 0, bye.HasReason);
                Assert.Equal(reason, bye.Reason.ToArray());
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Sdes_cname_round_trips_and_always_has_a_null_terminator()
    {
        Prop.ForAll(
            Arb.From(TestData.UInt32s),
            Arb.From(TestData.ByteArraysOf(1, 255)),
            (ssrc, cname) =>
            {
                byte[] buffer = new byte[RtcpWriter.GetSourceDescriptionCnameLength(cname.Length)];
                Assert.Equal(buffer.Length, RtcpWriter.WriteSourceDescriptionCname(buffer, ssrc, cname));
                AssertWellFormed(buffer, RtcpPacketType.SourceDescription);
                Assert.Equal(0, buffer[10 + cname.Length]);
                Assert.True(RtcpPacketView.TryParse(buffer, out var packet));
                Assert.True(RtcpSourceDescriptionView.TryParse(packet, out var sdes));
                Assert.True(sdes.TryGetCname(ssrc, out var read));
                Assert.Equal(cname, read.ToArray());
                Assert.False(sdes.TryGetCname(ssrc + 1, out _));
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Sdes_cname_of_a_length_that_fills_the_word_gets_a_whole_word_of_nulls()
    {
        // 2 + 2 bytes of item fill a word exactly, so the END octet needs a new word (RFC 3550 §6.5).
        byte[] buffer = new byte[RtcpWriter.GetSourceDescriptionCnameLength(2)];
        RtcpWriter.WriteSourceDescriptionCname(buffer, 0x01020304, "ab"u8);
        Assert.Equal("81CA000301020304" + "01026162" + "00000000", Convert.ToHexString(buffer));
    }

    [Fact]
    public void Pli_is_psfb_fmt_1_without_fci()
    {
        byte[] buffer = new byte[12];
        Assert.Equal(12, RtcpWriter.WritePictureLossIndication(buffer, 0x11111111, 0x22222222));
        Assert.Equal("81CE0002" + "11111111" + "22222222", Convert.ToHexString(buffer));
        Assert.True(RtcpPacketView.TryParse(buffer, out var packet));
        Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
        Assert.True(feedback.IsPictureLossIndication);
        Assert.False(feedback.IsGenericNack);
        Assert.Equal(RtcpPacketType.PayloadFeedback, feedback.PacketType);
        Assert.Equal(1, feedback.Format);
        Assert.Equal(0x11111111u, feedback.SenderSsrc);
        Assert.Equal(0x22222222u, feedback.MediaSsrc);
        Assert.True(feedback.Fci.IsEmpty);
        Assert.True(RtcpCompoundReader.IsValidCompound(buffer, allowReducedSize: true));
        Assert.False(RtcpCompoundReader.IsValidCompound(buffer));
    }

    [Fact]
    public void Fir_is_psfb_fmt_4_with_ssrc_and_sequence_number()
    {
        byte[] buffer = new byte[20];
        Assert.Equal(20, RtcpWriter.WriteFullIntraRequest(buffer, 1, 2, 7));
        Assert.Equal("84CE0004" + "00000001" + "00000000" + "00000002" + "07000000", Convert.ToHexString(buffer));
        Assert.True(RtcpPacketView.TryParse(buffer, out var packet));
        Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
        Assert.True(feedback.IsFullIntraRequest);
    }

    [Fact]
    public void Generic_nack_packs_the_rfc_4585_bitmask()
    {
        // PID 100; BLP bit 0 = 101, bit 2 = 103, bit 15 = 116. 117 is out of reach and starts a new pair.
        ushort[] lost = [100, 101, 103, 116, 117];
        byte[] buffer = new byte[RtcpWriter.GetGenericNackLength(lost)];
        Assert.Equal(20, buffer.Length);
        RtcpWriter.WriteGenericNack(buffer, 0xAAAAAAAA, 0xBBBBBBBB, lost);
        Assert.Equal("81CD0004" + "AAAAAAAA" + "BBBBBBBB" + "00648005" + "00750000", Convert.ToHexString(buffer));
        Assert.True(RtcpPacketView.TryParse(buffer, out var packet));
        Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
        Assert.True(feedback.IsGenericNack);
        var read = new List<ushort>();
        foreach (ushort sequence in RtcpGenericNack.EnumerateLost(feedback.Fci))
        {
            read.Add(sequence);
        }

        Assert.Equal(lost, read);
        Assert.Equal(5, RtcpGenericNack.CountLost(feedback.Fci));
        Span<ushort> copy = stackalloc ushort[3];
        Assert.Equal(3, RtcpGenericNack.CopyLost(feedback.Fci, copy));
        Assert.Equal(new ushort[] { 100, 101, 103 }, copy.ToArray());
    }

    [Fact]
    public void Generic_nack_bitmask_wraps_past_65535()
    {
        ushort[] lost = [65534, 65535, 0, 3];
        byte[] buffer = new byte[RtcpWriter.GetGenericNackLength(lost)];
        RtcpWriter.WriteGenericNack(buffer, 1, 2, lost);
        Assert.Equal("FFFE0013", Convert.ToHexString(buffer.AsSpan(12)));
        var read = new List<ushort>();
        foreach (ushort sequence in RtcpGenericNack.EnumerateLost(buffer.AsSpan(12)))
        {
            read.Add(sequence);
        }

        Assert.Equal(lost, read);
    }

    [Fact]
    public void Generic_nack_round_trips_any_ascending_loss_list()
    {
        Prop.ForAll(
            Arb.From(TestData.UInt16s),
            Arb.From(Gen.NonEmptyListOf(Gen.Choose(1, 40))),
            (start, gaps) =>
            {
                var lost = new List<ushort>();
                int sequence = start;
                foreach (int gap in gaps.Take(200))
                {
                    sequence += gap;
                    lost.Add(unchecked((ushort)sequence));
                }

                byte[] buffer = new byte[RtcpWriter.GetGenericNackLength(lost.ToArray())];
                int n = RtcpWriter.WriteGenericNack(buffer, 5, 6, lost.ToArray());
                Assert.Equal(buffer.Length, n);
                AssertWellFormed(buffer, RtcpPacketType.TransportFeedback);
                Assert.True(RtcpPacketView.TryParse(buffer, out var packet));
                Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
                var read = new List<ushort>();
                foreach (ushort s in RtcpGenericNack.EnumerateLost(feedback.Fci))
                {
                    read.Add(s);
                }

                Assert.Equal(lost, read);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void App_round_trips_untouched()
    {
        byte[] buffer = new byte[20];
        Assert.Equal(20, RtcpWriter.WriteApp(buffer, 3, 0x01020304, "PRLY"u8, [1, 2, 3, 4, 5, 6, 7, 8]));
        AssertWellFormed(buffer, RtcpPacketType.ApplicationDefined);
        Assert.True(RtcpPacketView.TryParse(buffer, out var packet));
        Assert.True(RtcpAppView.TryParse(packet, out var app));
        Assert.Equal(3, app.Subtype);
        Assert.Equal(0x01020304u, app.Ssrc);
        Assert.Equal("PRLY", Encoding.ASCII.GetString(app.Name));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, app.Data.ToArray());
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteApp(new byte[20], 32, 0, "PRLY"u8, []));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteApp(new byte[20], 0, 0, "PRL"u8, []));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteApp(new byte[20], 0, 0, "PRLY"u8, [1]));
    }

    [Fact]
    public void Writers_throw_on_programmer_errors()
    {
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteReceiverReport(new byte[7], 1, []));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteReceiverReport(new byte[2000], 1, new RtcpReportBlock[32]));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteSenderReport(new byte[27], 1, default, 0, 0, 0, []));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteBye(new byte[4], [1], []));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteBye(new byte[400], [1], new byte[256]));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteSourceDescriptionCname(new byte[400], 1, []));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteSourceDescriptionCname(new byte[11], 1, "abc"u8));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WritePictureLossIndication(new byte[11], 1, 2));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteGenericNack(new byte[100], 1, 2, []));
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteGenericNack(new byte[15], 1, 2, [1]));
        Assert.Throws<ArgumentException>(() => new RtcpReportBlock().Write(new byte[23]));
    }

    [Theory]
    [InlineData("80C9", "header cut")]
    [InlineData("40C9000100000001", "version 1")]
    [InlineData("80C9000200000001", "length says 12 bytes, 8 present")]
    [InlineData("A0C9000100000000", "padding count 0")]
    [InlineData("A0C9000100000005", "padding count 5 > 4 body bytes")]
    [InlineData("80C9000100000001" + "00", "a stray byte after a valid packet")]
    public void Malformed_compounds_stop_the_reader(string hex, string why)
    {
        byte[] bytes = Convert.FromHexString(hex);
        var reader = new RtcpCompoundReader(bytes);
        while (reader.TryReadNext(out _))
        {
        }

        Assert.True(reader.IsMalformed, why);
        Assert.False(RtcpCompoundReader.IsValidCompound(bytes), why);
    }

    [Theory]
    [InlineData("81C9000100000001", "RR with RC=1 but no block")]
    [InlineData("80C8000300000001AAAAAAAAAAAAAAAA", "SR without its full sender info")]
    [InlineData("81CB000100000001", "BYE SC=1 is fine", true)]
    [InlineData("82CB000100000001", "BYE SC=2 with one SSRC")]
    [InlineData("81CB00020000000105414243", "BYE reason length 5, 3 bytes left")]
    [InlineData("81CA00020000000101024142", "SDES item without a terminator")]
    [InlineData("81CA00020000000101054142", "SDES item longer than the chunk")]
    [InlineData("82CA00020000000101014100", "SDES SC=2 with one chunk")]
    [InlineData("80CC000100000001", "APP without a name")]
    [InlineData("81CD000100000001", "NACK without a media SSRC")]
    public void Typed_views_reject_inconsistent_bodies(string hex, string why, bool valid = false)
    {
        byte[] bytes = Convert.FromHexString(hex);
        if (!RtcpPacketView.TryParse(bytes, out var packet))
        {
            Assert.Fail("the common header is fine: " + why);
        }

        bool ok = RtcpSenderReportView.TryParse(packet, out _)
            | RtcpReceiverReportView.TryParse(packet, out _)
            | RtcpByeView.TryParse(packet, out _)
            | RtcpSourceDescriptionView.TryParse(packet, out _)
            | RtcpAppView.TryParse(packet, out _)
            | RtcpFeedbackView.TryParse(packet, out _);
        Assert.Equal(valid, ok);
    }

    [Fact]
    public void Padding_is_only_allowed_on_the_last_packet_of_a_valid_compound()
    {
        byte[] rr = Convert.FromHexString("80C9000100000001");
        byte[] paddedRr = Convert.FromHexString("A0C90002000000010000000" + "4");
        byte[] bye = Convert.FromHexString("81CB000100000001");
        byte[] paddedBye = Convert.FromHexString("A1CB00020000000100000004");
        Assert.True(RtcpCompoundReader.IsValidCompound([.. rr, .. paddedBye]));
        Assert.False(RtcpCompoundReader.IsValidCompound([.. paddedRr, .. bye]));
        Assert.False(RtcpCompoundReader.IsValidCompound([.. bye, .. rr]));
        Assert.True(RtcpCompoundReader.IsValidCompound([.. bye, .. rr], allowReducedSize: true));
        Assert.False(RtcpCompoundReader.IsValidCompound([]));
        Assert.True(RtcpPacketView.TryParse(paddedBye, out var packet));
        Assert.Equal(4, packet.PaddingLength);
        Assert.Equal(4, packet.Body.Length);
    }

    private static int ParseEverything(ReadOnlySpan<byte> compound)
    {
        int packets = 0;
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var packet))
        {
            packets++;
            if (RtcpSenderReportView.TryParse(packet, out var sr))
            {
                _ = sr.Ssrc + sr.PacketCount + sr.OctetCount + sr.RtpTimestamp + sr.NtpTimestamp.Middle32;
                for (int i = 0; i < sr.ReportCount; i++)
                {
                    _ = sr.GetReportBlock(i);
                }
            }

            if (RtcpReceiverReportView.TryParse(packet, out var rr))
            {
                for (int i = 0; i < rr.ReportCount; i++)
                {
                    _ = rr.GetReportBlock(i);
                }
            }

            if (RtcpByeView.TryParse(packet, out var bye))
            {
                for (int i = 0; i < bye.SourceCount; i++)
                {
                    _ = bye.GetSsrc(i);
                }

                _ = bye.Reason.Length;
            }

            if (RtcpSourceDescriptionView.TryParse(packet, out var sdes))
            {
                foreach (var chunk in sdes)
                {
                    foreach (var item in chunk.Items)
                    {
                        _ = item.Value.Length;
                    }
                }
            }

            if (RtcpAppView.TryParse(packet, out var app))
            {
                _ = app.Name.Length + app.Data.Length;
            }

            if (RtcpFeedbackView.TryParse(packet, out var feedback))
            {
                foreach (ushort s in RtcpGenericNack.EnumerateLost(feedback.Fci))
                {
                    _ = s;
                }
            }
        }

        return packets;
    }

    [Fact]
    public void Every_truncation_of_real_compounds_is_handled_without_throwing()
    {
        foreach (string file in RtcpCaptures)
        {
            foreach (byte[] compound in TestData.HexLines(file))
            {
                TestData.ForEveryTruncation(compound, prefix =>
                {
                    ParseEverything(prefix);
                    return RtcpCompoundReader.IsValidCompound(prefix);
                });
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var rtcpish = TestData.ByteArraysOf(4, 120).Select(b =>
        {
            b[0] = (byte)(0x80 | (b[0] & 0x3F));
            b[1] = (byte)(200 + (b[1] % 8));
            b[2] = 0;
            b[3] = (byte)(b[3] % 32);
            return b;
        });
        Prop.ForAll(Arb.From(Gen.OneOf(TestData.ByteArrays, rtcpish)), bytes =>
        {
            byte[] copy = (byte[])bytes.Clone();
            ParseEverything(bytes);
            _ = RtcpCompoundReader.IsValidCompound(bytes);
            _ = RtcpPacketView.LooksLikeRtcp(bytes);
            Assert.Equal(copy, bytes);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Reading_and_writing_reports_allocates_nothing()
    {
        RtcpReportBlock[] blocks = [new(1, 2, -3, 4, 5, 6, 7), new(8, 9, 10, 11, 12, 13, 14)];
        ushort[] lost = [10, 12, 40];
        uint[] leaving = [1];
        byte[] buffer = new byte[1500];
        byte[] gst = TestData.HexLines("gst-opus-ext.rtcp.hex")[^1];
        ParseEverything(gst);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            int n = RtcpWriter.WriteSenderReport(buffer, 1, new NtpTimestamp((ulong)i), 2, 3, 4, blocks);
            n += RtcpWriter.WriteSourceDescriptionCname(buffer.AsSpan(n), 1, "cname"u8);
            n += RtcpWriter.WriteGenericNack(buffer.AsSpan(n), 1, 2, lost);
            n += RtcpWriter.WritePictureLossIndication(buffer.AsSpan(n), 1, 2);
            n += RtcpWriter.WriteBye(buffer.AsSpan(n), leaving, "bye"u8);
            // Assert.Equal allocates (comparers), so check by hand inside the measured loop.
            Assert.True(ParseEverything(buffer.AsSpan(0, n)) == 5);
            Assert.True(ParseEverything(gst) == 3);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
