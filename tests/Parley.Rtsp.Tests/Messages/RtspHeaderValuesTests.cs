namespace Parley.Rtsp.Tests.Messages;

public class RtspHeaderValuesTests
{
    [Fact]
    public void Rtp_info_formats_and_parses_back()
    {
        var text = RtspHeaderValues.FormatRtpInfo([("rtsp://h/cam/trackID=0", (ushort)4711, 3450012u), ("rtsp://h/cam/trackID=1", (ushort)65535, uint.MaxValue)]);
        Assert.Equal("url=rtsp://h/cam/trackID=0;seq=4711;rtptime=3450012,url=rtsp://h/cam/trackID=1;seq=65535;rtptime=4294967295", text);

        Assert.True(RtspHeaderValues.TryParseRtpInfo(text, out var entries));
        Assert.Equal([("rtsp://h/cam/trackID=0", (ushort?)4711, (uint?)3450012u), ("rtsp://h/cam/trackID=1", (ushort?)65535, (uint?)uint.MaxValue)], entries);
    }

    [Fact]
    public void Rtp_info_tolerates_order_spaces_missing_parts_and_commas_in_urls()
    {
        Assert.True(RtspHeaderValues.TryParseRtpInfo("seq=1;url=rtsp://h/a,b/track1;rtptime=5 , url=\"rtsp://h/t2\";seq=9", out var entries));
        Assert.Equal(2, entries.Count);
        Assert.Equal(("rtsp://h/a,b/track1", (ushort?)1, (uint?)5u), entries[0]);
        Assert.Equal(("rtsp://h/t2", (ushort?)9, (uint?)null), entries[1]);
        Assert.True(RtspHeaderValues.TryParseRtpInfo("url=rtsp://h/x", out var bare));
        Assert.Equal(("rtsp://h/x", (ushort?)null, (uint?)null), Assert.Single(bare));
    }

    [Theory]
    [InlineData("")]
    [InlineData("seq=1;rtptime=2")]
    [InlineData("url=rtsp://h/x;seq=70000")]
    [InlineData("url=rtsp://h/x;rtptime=-1")]
    [InlineData("url=")]
    public void Rtp_info_rejects_invalid(string value)
    {
        Assert.False(RtspHeaderValues.TryParseRtpInfo(value, out var entries));
        Assert.Empty(entries);
    }

    [Fact]
    public void Session_formats_with_timeout_and_timeout_parses()
    {
        Assert.Equal("A1B2C3D4;timeout=60", RtspHeaderValues.FormatSession("A1B2C3D4", 60));
        Assert.True(RtspHeaderValues.TryParseSessionTimeout("A1B2C3D4; timeout=30", out var t));
        Assert.Equal(30, t);
        Assert.False(RtspHeaderValues.TryParseSessionTimeout("A1B2C3D4", out _));
        Assert.False(RtspHeaderValues.TryParseSessionTimeout("A1B2C3D4;timeout=x", out _));
    }

    [Theory]
    [InlineData("npt=0-", 0.0, null)]
    [InlineData("npt=0.000-", 0.0, null)]
    [InlineData("npt=now-", null, null)]
    [InlineData("npt=1.5-10", 1.5, 10.0)]
    [InlineData("npt = 2-", 2.0, null)]
    [InlineData("npt=-20", null, 20.0)]
    [InlineData("npt=0:01:02.5-1:00:00", 62.5, 3600.0)]
    [InlineData("npt=5.-", 5.0, null)]
    [InlineData("npt=0-;time=19970123T143720Z", 0.0, null)]
    public void Npt_ranges_parse(string value, double? start, double? end)
    {
        Assert.True(RtspHeaderValues.TryParseNptRange(value, out var s, out var e));
        Assert.Equal(start, s);
        Assert.Equal(end, e);
    }

    [Theory]
    [InlineData("")]
    [InlineData("npt=")]
    [InlineData("npt=-")]
    [InlineData("npt=abc-")]
    [InlineData("npt=10-5")]
    [InlineData("npt=1:2-")]
    [InlineData("npt=0:61:00-")]
    [InlineData("npt=.5-")]
    [InlineData("npt=-1-")]
    [InlineData("smpte=10:07:00-10:07:33:05.01")]
    [InlineData("clock=19961108T142300Z-19961108T143520Z")]
    [InlineData("npt 0-")]
    public void Invalid_ranges_are_rejected(string value)
    {
        Assert.False(RtspHeaderValues.TryParseNptRange(value, out var s, out var e));
        Assert.Null(s);
        Assert.Null(e);
    }

    [Fact]
    public void Public_is_comma_space_separated()
    {
        Assert.Equal("OPTIONS, DESCRIBE, SETUP", RtspHeaderValues.FormatPublic([RtspMethods.Options, RtspMethods.Describe, RtspMethods.Setup]));
    }
}
