using Parley.Media.Vp8;

namespace Parley.Media.Tests.Vp8;

public class Vp8FrameHeaderTests
{
    [Fact]
    public void Key_frame_header_gives_size_scale_and_first_partition_size()
    {
        // Tag: P = 0, VER 0, H = 1, first partition 0x1234 bytes -> (0x1234 << 5) | 0x10; start code; 1280x720
        // with horizontal scale 1, vertical scale 2.
        int tag = (0x1234 << 5) | 0x10;
        byte[] frame = [(byte)tag, (byte)(tag >> 8), (byte)(tag >> 16), 0x9D, 0x01, 0x2A, 0x00, 0x45, 0xD0, 0x82, 0xFF];
        Assert.True(Vp8FrameHeader.TryParse(frame, out var h));
        Assert.True(h.IsKeyFrame);
        Assert.True(h.ShowFrame);
        Assert.Equal(0x1234, h.FirstPartitionSize);
        Assert.Equal((1280, 720, 1, 2), (h.Width, h.Height, h.HorizontalScale, h.VerticalScale));
        Assert.True(Vp8FrameHeader.IsKeyFrameStart(frame));
    }

    [Fact]
    public void Inter_frames_need_only_the_tag_and_key_frames_need_the_start_code()
    {
        Assert.True(Vp8FrameHeader.TryParse([0x31, 0x02, 0x00], out var inter));
        Assert.False(inter.IsKeyFrame);
        Assert.Equal((0, true, 0x11), (inter.Version, inter.ShowFrame, inter.FirstPartitionSize)); // tag 0x000231
        Assert.Equal((0, 0), (inter.Width, inter.Height));
        Assert.False(Vp8FrameHeader.IsKeyFrameStart([0x31]));

        Assert.False(Vp8FrameHeader.TryParse([0x10, 0x02], out _));
        Assert.False(Vp8FrameHeader.TryParse([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2B, 0, 5, 0, 5], out _));
        Assert.False(Vp8FrameHeader.TryParse([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0, 5, 0], out _));
    }
}

public class Vp8FrameStartTests
{
    [Fact]
    public void Hub_readers_start_vp8_only_at_the_first_packet_of_a_key_frame()
    {
        Assert.Equal(FrameStartKind.Vp8, RtpFrameStart.ForEncoding("video", "vp8"));
        var sink = new Infrastructure.ListPacketSink();
        var packetizer = new Vp8Packetizer(1) { MaxPayloadSize = 400 };
        packetizer.Packetize(Vp8TestFrames.Make(true, 1000, 1), 0, sink);
        packetizer.Packetize(Vp8TestFrames.Make(false, 1000, 2), 3000, sink);
        var starts = sink.Packets.Select(p => RtpFrameStart.IsStart(FrameStartKind.Vp8, p.AsSpan(12))).ToList();
        Assert.Equal([true, false, false, false, false, false], starts);
    }
}
