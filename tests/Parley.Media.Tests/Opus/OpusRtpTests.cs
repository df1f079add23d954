using FsCheck;
using FsCheck.Fluent;
using Parley.Codecs.Opus;
using Parley.Media.Opus;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Media.Tests.Opus;

public class OpusRtpTests
{
    [Fact]
    public void Packets_carry_one_opus_packet_each_with_a_48_khz_timestamp()
    {
        short[] speech = TestMedia.Speech48k();
        using var encoder = new OpusEncoder(1);
        using var decoder = new OpusDecoder(1);
        var packetizer = new OpusPacketizer(0xABCD, 111, initialSequenceNumber: 65530, initialTimestamp: uint.MaxValue - 2000);
        var depacketizer = new OpusDepacketizer();
        byte[] opus = new byte[OpusEncoder.MaxPacketSize];
        byte[] rtp = new byte[OpusEncoder.MaxPacketSize + 12];
        short[] pcm = new short[OpusDecoder.MaxFrameSize];
        int[] sizes = [960, 960, 480, 1920, 960, 2880, 120, 960, 960, 960];
        uint expectedTimestamp = uint.MaxValue - 2000;
        int offset = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int n = encoder.Encode(speech.AsSpan(48000 + offset, sizes[i]), sizes[i], opus);
            offset += sizes[i];
            int length = packetizer.Packetize(opus.AsSpan(0, n), rtp);
            Assert.Equal(12 + n, length);

            Assert.True(RtpPacketView.TryParse(rtp.AsSpan(0, length), out var view));
            Assert.Equal(111, view.PayloadType);
            Assert.Equal(0xABCDu, view.Ssrc);
            Assert.Equal(unchecked((ushort)(65530 + i)), view.SequenceNumber);
            Assert.Equal(expectedTimestamp, view.Timestamp);
            Assert.False(view.Marker);
            Assert.True(view.Payload.SequenceEqual(opus.AsSpan(0, n)));

            Assert.True(depacketizer.TryDepacketize(rtp.AsSpan(0, length), out OpusFrame frame));
            Assert.Equal(sizes[i], frame.SampleCount);
            Assert.Equal(0, frame.LostBefore);
            Assert.Equal(sizes[i], decoder.Decode(frame.Payload, pcm, OpusDecoder.MaxFrameSize, false));
            expectedTimestamp = unchecked(expectedTimestamp + (uint)sizes[i]);
        }

        Assert.Equal(expectedTimestamp, packetizer.Timestamp);
        Assert.Equal(sizes.Length, depacketizer.PacketsReceived);
    }

    [Fact]
    public void Dtx_gap_skips_the_timestamp_and_marks_the_next_talkspurt()
    {
        var packetizer = new OpusPacketizer(1);
        byte[] rtp = new byte[100];
        byte[] toc20ms = [0x78, 0x01, 0x02]; // config 15 (hybrid FB 20 ms), one frame
        packetizer.Packetize(toc20ms, rtp);
        packetizer.Skip(960 * 5);
        int n = packetizer.Packetize(toc20ms, rtp);
        Assert.True(RtpPacketView.TryParse(rtp.AsSpan(0, n), out var view));
        Assert.True(view.Marker);
        Assert.Equal(960u * 6, view.Timestamp);
        Assert.Equal(1, view.SequenceNumber);
        n = packetizer.Packetize(toc20ms, rtp);
        Assert.True(RtpPacketView.TryParse(rtp.AsSpan(0, n), out view));
        Assert.False(view.Marker);
    }

    [Fact]
    public void Depacketizer_counts_losses_and_drops_late_packets()
    {
        var packetizer = new OpusPacketizer(1);
        var packets = new List<byte[]>();
        byte[] rtp = new byte[100];
        for (int i = 0; i < 10; i++)
        {
            int n = packetizer.Packetize(new byte[] { 0x78, (byte)i }, rtp);
            packets.Add(rtp[..n]);
        }

        var depacketizer = new OpusDepacketizer();
        Assert.True(depacketizer.TryDepacketize(packets[0], out var f0));
        Assert.Equal(0, f0.LostBefore);
        Assert.True(depacketizer.TryDepacketize(packets[3], out var f3));
        Assert.Equal(2, f3.LostBefore);
        Assert.Equal(3, f3.Payload[1]);
        Assert.False(depacketizer.TryDepacketize(packets[2], out _)); // late
        Assert.False(depacketizer.TryDepacketize(packets[3], out _)); // duplicate
        Assert.True(depacketizer.TryDepacketize(packets[4], out var f4));
        Assert.Equal(0, f4.LostBefore);
        Assert.Equal(2, depacketizer.PacketsLost);
        Assert.Equal(2, depacketizer.PacketsLate);
        Assert.False(depacketizer.TryDepacketize(new byte[] { 1, 2, 3 }, out _));
        Assert.Equal(1, depacketizer.PacketsMalformed);
    }

    [Fact]
    public void Toc_parser_matches_libopus_on_every_toc_and_never_throws()
    {
        Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))),
            packet =>
            {
                bool ok = OpusPacketInfo.TryGetSampleCount(packet, out int samples);
                int libopus = Parley.Codecs.Opus.OpusDecoder.GetSampleCount(packet);
                if (ok)
                {
                    Assert.Equal(libopus, samples);
                }
                else
                {
                    Assert.True(libopus <= 0 || libopus > 5760, $"libopus says {libopus}");
                }

                var depacketizer = new OpusDepacketizer();
                _ = depacketizer.TryDepacketize(packet, out _);
                return true;
            }).QuickCheckThrowOnFailure();
    }
}
