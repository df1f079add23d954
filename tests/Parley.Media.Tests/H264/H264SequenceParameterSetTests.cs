using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.H264;

public class H264SequenceParameterSetTests
{
    internal static byte[] FirstNal(byte[] stream, H264NalUnitType type)
    {
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(stream))
        {
            if ((H264NalUnitType)(nal[0] & 0x1F) == type)
            {
                return nal.ToArray();
            }
        }

        throw new InvalidOperationException($"no {type} in the stream");
    }

    [Fact]
    public void The_sps_of_a_real_720p_recording_gives_1280x720_high_profile_level_3_1_at_30_fps()
    {
        byte[] nal = FirstNal(H264TestStreams.Presenter720p(), H264NalUnitType.Sps);
        Assert.True(H264SequenceParameterSet.TryParse(nal, out var sps));
        Assert.Equal(1280, sps.Width);
        Assert.Equal(720, sps.Height);
        Assert.Equal(100, sps.ProfileIdc);
        Assert.Equal(31, sps.LevelIdc);
        Assert.Equal(1, sps.ChromaFormatIdc);
        Assert.Equal(8, sps.BitDepthLuma);
        Assert.True(sps.FrameMbsOnly);
        Assert.NotNull(sps.FrameRate);
        Assert.Equal(30.0, sps.FrameRate!.Value, 3);
    }

    [Fact]
    public void Cropping_642x362_from_a_656x368_macroblock_grid()
    {
        byte[] nal = FirstNal(H264TestStreams.TalkingHead("642:362", "-pix_fmt", "yuv420p", "-frames:v", "3"), H264NalUnitType.Sps);
        Assert.True(H264SequenceParameterSet.TryParse(nal, out var sps));
        Assert.Equal((656, 368), (sps.CodedWidth, sps.CodedHeight));
        Assert.Equal((642, 362), (sps.Width, sps.Height));
    }

    [Theory]
    [InlineData("642:362", 100, 1, 8, true, "-pix_fmt", "yuv420p")]
    [InlineData("642:362", 66, 1, 8, true, "-pix_fmt", "yuv420p", "-profile:v", "baseline")]
    [InlineData("642:362", 100, 1, 8, true, "-pix_fmt", "yuv420p", "-x264-params", "cqm=jvt")]
    [InlineData("640:360", 100, 1, 8, false, "-pix_fmt", "yuv420p", "-flags", "+ildct+ilme", "-x264-params", "interlaced=1")]
    [InlineData("643:361", 244, 3, 8, true, "-pix_fmt", "yuv444p", "-x264-params", "cqm=jvt")]
    [InlineData("642:361", 122, 2, 10, true, "-pix_fmt", "yuv422p10le")]
    public void Size_and_frame_rate_agree_with_ffprobe_across_profiles_chroma_formats_and_field_coding(
        string size, int profile, int chromaFormat, int bitDepth, bool frameMbsOnly, params string[] options)
    {
        byte[] stream = H264TestStreams.TalkingHead(size, [.. options, "-frames:v", "3"]);
        Assert.True(H264SequenceParameterSet.TryParse(FirstNal(stream, H264NalUnitType.Sps), out var sps));

        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("s.h264"), stream);
        string[] probe = TestMedia.RunChecked("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,r_frame_rate", "-of", "csv=p=0", dir.File("s.h264")])
            .Trim().Split(',');
        Assert.Equal(int.Parse(probe[0], CultureInfo.InvariantCulture), sps.Width);
        Assert.Equal(int.Parse(probe[1], CultureInfo.InvariantCulture), sps.Height);
        string[] rate = probe[2].Split('/');
        Assert.Equal(double.Parse(rate[0], CultureInfo.InvariantCulture) / double.Parse(rate[1], CultureInfo.InvariantCulture), sps.FrameRate!.Value, 2);

        Assert.Equal(profile, sps.ProfileIdc);
        Assert.Equal(chromaFormat, sps.ChromaFormatIdc);
        Assert.Equal(bitDepth, sps.BitDepthLuma);
        Assert.Equal(frameMbsOnly, sps.FrameMbsOnly);
    }

    [Theory]
    [InlineData(2, "-bf", "3")] // x264's default B-pyramid: a middle B-frame is a reference
    [InlineData(1, "-bf", "3", "-x264-params", "b-pyramid=none")]
    [InlineData(0, "-bf", "0")]
    [InlineData(2, "-bf", "3", "-x264-params", "nal-hrd=vbr", "-maxrate", "1M", "-bufsize", "2M")] // HRD parameters before the restriction
    public void Max_num_reorder_frames_comes_from_the_vui_bitstream_restriction_of_real_x264_streams(int reorder, params string[] options)
    {
        byte[] stream = H264TestStreams.TalkingHead("640:480", [.. options, "-pix_fmt", "yuv420p", "-g", "60", "-frames:v", "8"]);
        Assert.True(H264SequenceParameterSet.TryParse(FirstNal(stream, H264NalUnitType.Sps), out var sps));
        Assert.Equal(reorder, sps.MaxNumReorderFrames);
        Assert.True(sps.MaxDecFrameBuffering >= reorder);
        // x264 codes picture order only when there are B-frames; without them output order is decoding order (type 2).
        Assert.Equal(reorder == 0 ? 2 : 0, sps.PicOrderCntType);
        Assert.InRange(sps.Log2MaxPicOrderCntLsb, reorder == 0 ? 0 : 4, reorder == 0 ? 0 : 16);
        Assert.InRange(sps.Log2MaxFrameNum, 4, 16);
        Assert.Equal(15.0, sps.FrameRate!.Value, 1); // talking-head.avi is 15 fps
        Assert.Equal((640, 480), (sps.Width, sps.Height));
    }

    [Fact]
    public void The_720p_recording_without_b_frames_states_no_reordering()
    {
        Assert.True(H264SequenceParameterSet.TryParse(FirstNal(H264TestStreams.Presenter720p(), H264NalUnitType.Sps), out var sps));
        Assert.Equal(0, sps.MaxNumReorderFrames);
    }

    [Fact]
    public void Emulation_prevention_bytes_are_skipped_while_reading()
    {
        // x264 writes VUI timing num_units_in_tick = 1 as 00 00 00 01 in the bit stream, escaped to 00 00 03 00 01.
        byte[] nal = FirstNal(H264TestStreams.Presenter720p(), H264NalUnitType.Sps);
        int escape = nal.AsSpan().IndexOf((ReadOnlySpan<byte>)[0, 0, 3]);
        Assert.True(escape > 0, "the presenter SPS carries an emulation prevention byte");
        byte[] rbsp = [.. nal.AsSpan(0, escape + 2), .. nal.AsSpan(escape + 3)];

        Assert.True(H264SequenceParameterSet.TryParse(nal, out var escaped));
        Assert.True(H264SequenceParameterSet.TryParse(rbsp, out var unescaped));
        Assert.Equal(unescaped, escaped);
        Assert.Equal(1u, escaped.NumUnitsInTick);
        Assert.Equal(60u, escaped.TimeScale);
    }

    [Fact]
    public void Non_sps_truncated_and_random_input_is_refused_without_throwing()
    {
        byte[] nal = FirstNal(H264TestStreams.Presenter720p(), H264NalUnitType.Sps);
        Assert.False(H264SequenceParameterSet.TryParse([], out _));
        Assert.False(H264SequenceParameterSet.TryParse(nal.AsSpan(0, 3), out _));
        Assert.False(H264SequenceParameterSet.TryParse([0x68, .. nal[1..]], out _));
        Assert.False(H264SequenceParameterSet.TryParse([0xE7, .. nal[1..]], out _));
        Assert.False(H264SequenceParameterSet.TryParse(nal.AsSpan(0, 8), out _));

        Prop.ForAll(
            Arb.From(Gen.Choose(0, nal.Length)),
            Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))),
            (cut, noise) =>
            {
                byte[] copy = nal.ToArray();
                bool truncatedOk = H264SequenceParameterSet.TryParse(copy.AsSpan(0, cut), out var truncated);
                bool randomOk = H264SequenceParameterSet.TryParse([0x67, .. noise], out var random);
                return copy.AsSpan().SequenceEqual(nal)
                    && (!truncatedOk || (truncated.Width == 1280 && truncated.Height == 720))
                    && (!randomOk || (random.Width is > 0 and <= 2048 * 16 && random.Height is > 0 and <= 2048 * 32));
            }).QuickCheckThrowOnFailure();
    }
}
