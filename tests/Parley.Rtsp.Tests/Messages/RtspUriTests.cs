namespace Parley.Rtsp.Tests.Messages;

public class RtspUriTests
{
    [Theory]
    [InlineData("rtsp://127.0.0.1:8554/cam/trackID=0", "127.0.0.1", 8554, "cam/trackID=0", null)]
    [InlineData("rtsp://example.com/cam", "example.com", 554, "cam", null)]
    [InlineData("rtsps://example.com/cam/", "example.com", 322, "cam", null)]
    [InlineData("RTSP://Example.com:8554", "Example.com", 8554, "", null)]
    [InlineData("rtsp://h:8554/", "h", 8554, "", null)]
    [InlineData("rtsp://h:/x", "h", 554, "x", null)]
    [InlineData("rtsp://[::1]:8554/live/a%20b?token=x%20y#frag", "::1", 8554, "live/a b", "token=x%20y")]
    [InlineData("rtsp://[fe80::1]/x", "fe80::1", 554, "x", null)]
    [InlineData("rtsp://user:pass@host:10554//double//", "host", 10554, "double", null)]
    [InlineData("rtsp://host?x=1", "host", 554, "", "x=1")]
    public void Splits_urls(string uri, string host, int port, string path, string? query)
    {
        Assert.True(RtspUri.TryParse(uri, out var h, out var p, out var pa, out var q));
        Assert.Equal(host, h);
        Assert.Equal(port, p);
        Assert.Equal(path, pa);
        Assert.Equal(query, q);
    }

    [Fact]
    public void Exposes_user_info()
    {
        Assert.True(RtspUri.TryParse("rtsp://ad%40min:p%3Ass:w@cam.local:8554/stream", out RtspUriParts? parts));
        Assert.Equal(new RtspUriParts("rtsp", "cam.local", 8554, "stream", null, "ad@min", "p:ss:w"), parts);
        Assert.True(RtspUri.TryParse("rtsp://justuser@h/x", out parts));
        Assert.Equal("justuser", parts!.User);
        Assert.Null(parts.Password);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://h/x")]
    [InlineData("rtsp:/h/x")]
    [InlineData("rtsp:///x")]
    [InlineData("rtsp://h:0/x")]
    [InlineData("rtsp://h:65536/x")]
    [InlineData("rtsp://h:abc/x")]
    [InlineData("rtsp://[::1/x")]
    [InlineData("rtsp://[::1]x/y")]
    [InlineData("rtsp://user@/x")]
    public void Rejects_invalid(string uri)
    {
        Assert.False(RtspUri.TryParse(uri, out _, out _, out _, out _));
        Assert.False(RtspUri.TryParse(uri, out RtspUriParts? parts));
        Assert.Null(parts);
    }

    [Theory]
    [InlineData("rtsp://h/cam", "trackID=0", "rtsp://h/cam/trackID=0")]
    [InlineData("rtsp://h/cam/", "trackID=0", "rtsp://h/cam/trackID=0")]
    [InlineData("rtsp://h/cam/", "/trackID=0", "rtsp://h/cam/trackID=0")]
    [InlineData("rtsp://h/cam/", "*", "rtsp://h/cam/")]
    [InlineData("rtsp://h/cam", "", "rtsp://h/cam")]
    [InlineData("rtsp://h/cam", "rtsp://other/cam/track1", "rtsp://other/cam/track1")]
    [InlineData("rtsp://127.0.0.1:18605/test/", "stream=0", "rtsp://127.0.0.1:18605/test/stream=0")]
    public void Combines_control_urls(string baseUri, string control, string expected)
    {
        Assert.Equal(expected, RtspUri.Combine(baseUri, control));
    }
}
