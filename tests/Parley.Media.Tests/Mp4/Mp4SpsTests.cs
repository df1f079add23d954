using FsCheck;
using FsCheck.Fluent;
using Parley.Media.Mp4;

namespace Parley.Media.Tests.Mp4;

public class Mp4SpsTests
{
    [Fact]
    public void Presenter_sps_gives_1280x720_high_level_31_despite_its_emulation_prevention_byte()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack();
        Assert.Equal(1280, track.Width);
        Assert.Equal(720, track.Height);
        Assert.Equal("avc1.64001f", track.CodecString);
        Assert.True(track.IsConfigured);
    }

    [Theory]
    [InlineData("322x242", "yuv420p", 322, 242)] // cropping right and bottom in 4:2:0 units of 2
    [InlineData("176x144", "yuv420p", 176, 144)]
    [InlineData("330x250", "yuv444p", 330, 250)] // High 4:4:4: crop units of 1, chroma_format_idc 3
    [InlineData("320x180", "yuv420p10le", 320, 180)] // High 10: bit depths in the SPS
    [InlineData("1920x1080", "yuv420p", 1920, 1080)] // 1088 coded lines, 8 cropped
    public void Sps_written_by_x264_gives_the_picture_size_ffmpeg_encoded(string size, string pixelFormat, int width, int height)
    {
        byte[] stream = Mp4TestStreams.EncodeWithX264(size, pixelFormat, "-preset", "ultrafast");
        AssertSize(stream, width, height);
    }

    [Fact]
    public void Interlaced_sps_with_scaling_matrices_gives_the_frame_size()
    {
        // frame_mbs_only_flag 0 (height counted in field macroblock pairs) and seq_scaling_list syntax to skip.
        byte[] stream = Mp4TestStreams.EncodeWithX264("320x240", "yuv420p", "-flags", "+ildct+ilme", "-x264-params", "cqm=jvt");
        AssertSize(stream, 320, 240);
    }

    [Fact]
    public void Baseline_sps_reads_profile_constraints_and_level()
    {
        byte[] stream = Mp4TestStreams.EncodeWithX264("640x360", "yuv420p", "-profile:v", "baseline", "-level", "3.0");
        byte[] sps = Mp4TestStreams.FirstNal(stream, 7);
        Assert.True(Mp4Track.TryCreateH264(1, sps, Mp4TestStreams.FirstNal(stream, 8), out Mp4Track? track));
        Assert.Equal($"avc1.42{sps[2]:x2}1e", track!.CodecString);
        Assert.Equal((640, 360), (track.Width, track.Height));
    }

    [Fact]
    public void Truncated_or_wrong_parameter_sets_are_refused()
    {
        byte[] sps = Mp4TestStreams.PresenterSps;
        byte[] pps = Mp4TestStreams.PresenterPps;
        Assert.False(Mp4Track.TryCreateH264(1, sps.AsSpan(0, 8), pps, out _));
        Assert.False(Mp4Track.TryCreateH264(1, pps, pps, out _));
        Assert.False(Mp4Track.TryCreateH264(1, sps, sps, out _));
        Assert.False(Mp4Track.TryCreateH264(1, sps, [], out Mp4Track? none));
        Assert.Null(none);
    }

    [Fact]
    public void Random_sps_bytes_never_throw()
    {
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i))), bytes =>
        {
            byte[] sps = [0x67, .. bytes];
            bool ok = Mp4Track.TryCreateH264(1, sps, Mp4TestStreams.PresenterPps, out Mp4Track? track);
            return !ok || (track!.Width > 0 && track.Height > 0);
        }).QuickCheckThrowOnFailure();
    }

    private static void AssertSize(byte[] stream, int width, int height)
    {
        byte[] sps = Mp4TestStreams.FirstNal(stream, 7);
        Assert.True(Mp4Track.TryCreateH264(1, sps, Mp4TestStreams.FirstNal(stream, 8), out Mp4Track? track));
        Assert.Equal((width, height), (track!.Width, track.Height));
    }
}
