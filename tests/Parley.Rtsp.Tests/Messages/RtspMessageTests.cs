using System.Buffers;
using System.Text;

namespace Parley.Rtsp.Tests.Messages;

public class RtspMessageTests
{
    [Fact]
    public void Request_writes_wire_form_with_content_length()
    {
        var request = new RtspRequest(RtspMethods.Announce, "rtsp://h/x");
        request.CSeq = 2;
        request.Headers.Add("Content-Type", "application/sdp");
        request.Body = Encoding.ASCII.GetBytes("v=0\r\n");

        Assert.Equal("ANNOUNCE rtsp://h/x RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n",
            Encoding.ASCII.GetString(request.ToArray()));
        Assert.Equal("ANNOUNCE rtsp://h/x RTSP/1.0", request.ToString());
    }

    [Fact]
    public void Stale_content_length_is_rewritten_in_place()
    {
        var request = new RtspRequest(RtspMethods.SetParameter, "rtsp://h/x");
        request.Headers.Add("Content-Length", "99");
        request.Headers.Add("CSeq", "1");
        request.Body = new byte[] { 1, 2 };
        Assert.StartsWith("SET_PARAMETER rtsp://h/x RTSP/1.0\r\nContent-Length: 2\r\nCSeq: 1\r\n\r\n", Encoding.Latin1.GetString(request.ToArray()));
    }

    [Fact]
    public void Response_create_fills_reason_and_cseq()
    {
        var response = RtspResponse.Create(454, 7);
        Assert.Equal("Session Not Found", response.Reason);
        Assert.Equal("RTSP/1.0 454 Session Not Found\r\nCSeq: 7\r\n\r\n", Encoding.ASCII.GetString(response.ToArray()));

        var noCSeq = RtspResponse.Create(400, null);
        Assert.Equal("RTSP/1.0 400 Bad Request\r\n\r\n", Encoding.ASCII.GetString(noCSeq.ToArray()));
    }

    [Fact]
    public void Response_with_body_round_trips()
    {
        var response = RtspResponse.Create(200, 3);
        response.Headers["Content-Type"] = "application/sdp";
        response.Headers["Session"] = RtspHeaderValues.FormatSession("12345678", 60);
        response.Body = Encoding.ASCII.GetBytes("v=0\r\n");
        var writer = new ArrayBufferWriter<byte>();
        response.WriteTo(writer);

        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.Equal(RtspParseResult.Response, RtspMessageReader.TryRead(ref buffer, RtspParseLimits.Default, out _, out var parsed, out _, out _, out _));
        Assert.Equal(200, parsed!.StatusCode);
        Assert.Equal("OK", parsed.Reason);
        Assert.Equal(3, parsed.CSeq);
        Assert.Equal("12345678", parsed.Session);
        Assert.Equal("5", parsed.Headers["Content-Length"]);
        Assert.Equal(response.Body.ToArray(), parsed.Body.ToArray());
        Assert.True(parsed.IsSuccess);
    }

    [Theory]
    [InlineData(200, "OK")]
    [InlineData(400, "Bad Request")]
    [InlineData(401, "Unauthorized")]
    [InlineData(404, "Not Found")]
    [InlineData(413, "Request Entity Too Large")]
    [InlineData(454, "Session Not Found")]
    [InlineData(455, "Method Not Valid in This State")]
    [InlineData(459, "Aggregate Operation Not Allowed")]
    [InlineData(461, "Unsupported Transport")]
    [InlineData(500, "Internal Server Error")]
    [InlineData(501, "Not Implemented")]
    [InlineData(503, "Service Unavailable")]
    [InlineData(505, "RTSP Version Not Supported")]
    [InlineData(299, "Unknown")]
    public void Reason_phrases_follow_rfc_2326(int code, string reason)
    {
        Assert.Equal(reason, RtspResponse.GetReasonPhrase(code));
    }

    [Fact]
    public void Headers_are_ordered_case_insensitive_and_allow_duplicates()
    {
        var headers = new RtspHeaders();
        headers.Add("Via", "a");
        headers.Add("CSeq", "1");
        headers.Add("via", "b");
        Assert.Equal(3, headers.Count);
        Assert.Equal("a", headers["VIA"]);
        Assert.Equal(["a", "b"], headers.GetAll("Via"));
        Assert.True(headers.TryGetValue("cseq", out var cseq));
        Assert.Equal("1", cseq);
        Assert.False(headers.TryGetValue("Missing", out _));
        Assert.Null(headers["Missing"]);

        headers["VIA"] = "c";
        Assert.Equal([new("Via", "c"), new KeyValuePair<string, string>("CSeq", "1")], headers);

        headers["New"] = "n";
        Assert.Equal("New", headers.Last().Key);
        Assert.True(headers.Remove("new"));
        Assert.False(headers.Remove("new"));
        headers["CSeq"] = null;
        Assert.Single(headers);
    }

    [Theory]
    [InlineData("Bad Name", "v")]
    [InlineData("", "v")]
    [InlineData("X", "line\r\nInjected: 1")]
    [InlineData("X", "nul\0")]
    public void Header_injection_is_refused(string name, string value)
    {
        var headers = new RtspHeaders();
        Assert.ThrowsAny<ArgumentException>(() => headers.Add(name, value));
        Assert.ThrowsAny<ArgumentException>(() => headers[name] = value);
        Assert.Equal(0, headers.Count);
    }

    [Theory]
    [InlineData("BAD METHOD", "rtsp://h/")]
    [InlineData("OPTIONS", "rtsp://h/a b")]
    [InlineData("OPTIONS", "rtsp://h/\r\n")]
    [InlineData("OPTIONS", "")]
    public void Request_constructor_refuses_what_cannot_be_written(string method, string uri)
    {
        Assert.ThrowsAny<ArgumentException>(() => new RtspRequest(method, uri));
    }

    [Fact]
    public void Session_strips_parameters()
    {
        var request = new RtspRequest(RtspMethods.Play, "rtsp://h/x");
        Assert.Null(request.Session);
        request.Headers["Session"] = "  abcdef12 ; timeout=60";
        Assert.Equal("abcdef12", request.Session);
    }

    [Fact]
    public void Parse_limits_default()
    {
        Assert.Equal(new RtspParseLimits(65536, 1048576, 100), RtspParseLimits.Default);
    }
}
