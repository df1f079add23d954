using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp.Sdp;

namespace Parley.Media.Tests.H264;

public class H264ParametersTests
{
    [Fact]
    public void Format_parameters_from_sps_and_pps_match_what_ffmpeg_writes_in_its_sdp()
    {
        byte[] stream = H264TestStreams.Presenter720p(2);
        byte[] sps = H264SequenceParameterSetTests.FirstNal(stream, H264NalUnitType.Sps);
        byte[] pps = H264SequenceParameterSetTests.FirstNal(stream, H264NalUnitType.Pps);
        H264Parameters ours = H264Parameters.FromParameterSets(sps, pps);
        Assert.Equal("64001F", ours.ProfileLevelId);

        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("s.h264"), stream);
        int port = TestMedia.FreeUdpPort(); // nobody listens: ffmpeg only needs somewhere to send two frames
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", dir.File("s.h264"), "-c", "copy", "-frames:v", "2", "-f", "rtp", "-sdp_file", dir.File("f.sdp"), $"rtp://127.0.0.1:{port}"]);
        Assert.True(SdpSession.TryParse(File.ReadAllText(dir.File("f.sdp")), out SdpSession? session, out string? error), error);
        IReadOnlyDictionary<string, string> theirs = session!.Media[0].GetFormatParameterMap(96);

        Assert.Equal(theirs["sprop-parameter-sets"], ours.SpropParameterSets);
        Assert.Equal(theirs["profile-level-id"], ours.ProfileLevelId, ignoreCase: true);
        Assert.True(H264Parameters.TryParse(theirs, out H264Parameters parsed));
        Assert.Equal(sps, parsed.Sps.ToArray());
        Assert.Equal(pps, parsed.Pps.ToArray());
        Assert.Equal((100, 0, 31, 1), (parsed.ProfileIdc, parsed.ProfileIop, parsed.LevelIdc, parsed.PacketizationMode));
    }

    [Fact]
    public void Format_parameters_round_trip_through_an_sdp_media_section()
    {
        byte[] sps = [0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0xA0, 0x47, 0xFE, 0xC8];
        byte[] pps = [0x68, 0xCE, 0x3C, 0x80];
        H264Parameters parameters = H264Parameters.FromParameterSets(sps, pps);
        Assert.Equal("packetization-mode=1;profile-level-id=42C01E;sprop-parameter-sets=Z0LAHtkAoEf+yA==,aM48gA==", parameters.ToFormatParameters());

        var media = new SdpMedia();
        media.SetFormatParameters(96, parameters.ToFormatParameters());
        Assert.True(H264Parameters.TryParse(media.GetFormatParameterMap(96), out H264Parameters back));
        Assert.Equal(parameters.ToFormatParameters(), back.ToFormatParameters());
    }

    [Fact]
    public void Absent_parameters_take_the_rfc_6184_defaults()
    {
        Assert.True(H264Parameters.TryParse(new Dictionary<string, string>(), out H264Parameters p));
        Assert.Equal("42000A", p.ProfileLevelId);
        Assert.Equal(0, p.PacketizationMode);
        Assert.Null(p.SpropParameterSets);
        Assert.Equal("packetization-mode=0;profile-level-id=42000A", p.ToFormatParameters());
    }

    [Theory]
    [InlineData("profile-level-id", "42E0")]
    [InlineData("profile-level-id", "42E01G")]
    [InlineData("profile-level-id", "+42E01")]
    [InlineData("packetization-mode", "3")]
    [InlineData("packetization-mode", "one")]
    [InlineData("sprop-parameter-sets", "Z0LAHtkAoEf+yA==,!!!")]
    [InlineData("sprop-parameter-sets", "Z0LAHtkAoEf+y")]
    public void Malformed_values_are_refused(string name, string value)
    {
        Assert.False(H264Parameters.TryParse(new Dictionary<string, string> { [name] = value }, out _));
    }

    [Fact]
    public void Sprop_parameter_sets_pick_the_first_sps_and_pps_whatever_their_order()
    {
        Assert.True(H264Parameters.TryParseSpropParameterSets("aM48gA==, BgUB ,Z0LAHtkAoEf+yA==,aAAA", out byte[] sps, out byte[] pps));
        Assert.Equal(0x67, sps[0]);
        Assert.Equal([0x68, 0xCE, 0x3C, 0x80], pps);
        Assert.Throws<ArgumentException>(() => H264Parameters.FromParameterSets(pps, sps));
        Assert.Throws<ArgumentException>(() => H264Parameters.FromParameterSets(sps, sps));
    }
}
