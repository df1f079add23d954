using FsCheck;
using FsCheck.Fluent;
using Parley.Rtp.Sdp;

namespace Parley.Rtp.Tests;

public class SdpSessionTests
{
    public static TheoryData<string> RealSdp => new()
    {
        "ffmpeg-h264.sdp",
        "ffmpeg-pcmu.sdp",
        "ffmpeg-opus.sdp",
        "ffmpeg-mjpeg.sdp",
        "ffmpeg-rtsp-announce.sdp",
        "gst-rtsp-server-describe.sdp",
        "gst-rtspclientsink-announce.sdp",
    };

    private static SdpSession Parse(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out string? error), error);
        Assert.Null(error);
        return session!;
    }

    [Theory]
    [MemberData(nameof(RealSdp))]
    public void Real_sdp_reserializes_byte_for_byte(string file)
    {
        string text = TestData.Text(file);
        Assert.Equal(text, Parse(text).ToString());
    }

    [Theory]
    [MemberData(nameof(RealSdp))]
    public void Lf_line_ends_parse_the_same_and_serialize_with_crlf(string file)
    {
        string crlf = TestData.Text(file);
        string lf = crlf.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.DoesNotContain('\r', lf);
        Assert.Equal(crlf, Parse(lf).ToString());
    }

    [Fact]
    public void Ffmpeg_h264_sdp_exposes_its_fields()
    {
        var session = Parse(TestData.Text("ffmpeg-h264.sdp"));
        Assert.Equal(0, session.Version);
        Assert.Equal("- 0 0 IN IP4 127.0.0.1", session.Origin);
        Assert.Equal("No Name", session.SessionName);
        Assert.Equal("IN IP4 127.0.0.1", session.Connection);
        Assert.Equal(["0 0"], session.Timing);
        Assert.Equal("libavformat LIBAVFORMAT_VERSION", session.Attributes.Get("tool"));
        Assert.Null(session.Control);
        Assert.Null(session.Direction);
        var video = Assert.Single(session.Media);
        Assert.Equal("video", video.MediaType);
        Assert.True(video.Port > 0);
        Assert.Equal("RTP/AVP", video.Protocol);
        Assert.Equal(["96"], video.Formats);
        Assert.Equal([96], video.PayloadTypes);
        Assert.True(video.TryGetRtpMap(96, out var map));
        Assert.Equal(new SdpRtpMap(96, "H264", 90000, 1), map);
        string? fmtp = video.GetFormatParameters(96);
        Assert.StartsWith("packetization-mode=1; sprop-parameter-sets=Z0LAC9kBQfsB", fmtp);
        var parameters = video.GetFormatParameterMap(96);
        Assert.Equal("1", parameters["packetization-mode"]);
        Assert.Equal("42C00B", parameters["profile-level-id"]);
        Assert.Equal(2, parameters["sprop-parameter-sets"].Split(',').Length);
    }

    [Fact]
    public void Ffmpeg_static_payload_types_resolve_without_rtpmap()
    {
        var pcmu = Assert.Single(Parse(TestData.Text("ffmpeg-pcmu.sdp")).Media);
        Assert.Empty(pcmu.RtpMaps);
        Assert.Equal(["AS:64"], pcmu.Bandwidths);
        Assert.True(pcmu.TryGetRtpMap(0, out var map));
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000, 1), map);

        var mjpeg = Assert.Single(Parse(TestData.Text("ffmpeg-mjpeg.sdp")).Media);
        Assert.True(mjpeg.TryGetRtpMap(26, out map));
        Assert.Equal(new SdpRtpMap(26, "JPEG", 90000, 1), map);

        var opus = Assert.Single(Parse(TestData.Text("ffmpeg-opus.sdp")).Media);
        Assert.True(opus.TryGetRtpMap(97, out map));
        Assert.Equal(new SdpRtpMap(97, "opus", 48000, 2), map);
        Assert.False(opus.TryGetRtpMap(96, out _));
    }

    [Fact]
    public void Gstreamer_describe_has_aggregate_and_per_stream_controls()
    {
        var session = Parse(TestData.Text("gst-rtsp-server-describe.sdp"));
        Assert.Equal("Session streamed with GStreamer", session.SessionName);
        Assert.Equal("rtsp-server", session.Information);
        Assert.Equal("*", session.Control);
        Assert.Equal("npt=now-", session.Range);
        Assert.Equal("broadcast", session.Attributes.Get("type"));
        Assert.Equal(2, session.Media.Count);

        var video = session.Media[0];
        Assert.Equal(0, video.Port);
        Assert.Equal("IN IP4 0.0.0.0", video.Connection);
        Assert.Equal("stream=0", video.Control);
        Assert.Equal("42c015", video.GetFormatParameterMap(96)["profile-level-id"]);
        Assert.StartsWith("1", video.GetFormatParameterMap(96)["level-asymmetry-allowed"]);
        Assert.Equal("15", video.Attributes.Get("framerate"));
        Assert.Contains("cname:user", video.Attributes.Get("ssrc"));

        var audio = session.Media[1];
        Assert.Equal("audio", audio.MediaType);
        Assert.Equal("stream=1", audio.Control);
        Assert.True(audio.TryGetRtpMap(97, out var map));
        Assert.Equal(new SdpRtpMap(97, "OPUS", 48000, 2), map);
        Assert.Equal("sprop-stereo=1;sprop-maxcapturerate=48000", audio.GetFormatParameters(97));
    }

    [Fact]
    public void Ffmpeg_announce_uses_streamid_controls()
    {
        var media = Assert.Single(Parse(TestData.Text("ffmpeg-rtsp-announce.sdp")).Media);
        Assert.Equal("streamid=0", media.Control);
        Assert.Equal(0, media.Port);
    }

    [Fact]
    public void Gstreamer_style_latm_audio_parses()
    {
        string text = "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=Session streamed with GStreamer\nt=0 0\na=tool:GStreamer\n"
            + "m=audio 0 RTP/AVP 96\nc=IN IP4 0.0.0.0\na=rtpmap:96 MP4A-LATM/44100/2\n"
            + "a=fmtp:96 cpresent=0;config=40002420adca00;profile-level-id=1;object=2\na=control:stream=0\n";
        var audio = Assert.Single(Parse(text).Media);
        Assert.True(audio.TryGetRtpMap(96, out var map));
        Assert.Equal(new SdpRtpMap(96, "MP4A-LATM", 44100, 2), map);
        Assert.Equal("40002420adca00", audio.GetFormatParameterMap(96)["config"]);
        Assert.Equal("stream=0", audio.Control);
    }

    [Fact]
    public void Lenient_parsing_tolerates_blank_lines_whitespace_bom_unknown_lines_and_missing_o_s_t()
    {
        string text = "\uFEFFv=0  \r\n\r\nx=something new\r\nm=video 0 RTP/AVP 96 \r\na=rtpmap:96 H264/90000\t\r\na=\r\n\r\n";
        var session = Parse(text);
        Assert.Equal(["0 0"], session.Timing);
        var media = Assert.Single(session.Media);
        Assert.True(media.TryGetRtpMap(96, out _));
        Assert.Single(media.Attributes);
        Assert.StartsWith("v=0\r\no=", session.ToString());
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("  \n \n", "empty")]
    [InlineData("o=- 0 0 IN IP4 127.0.0.1\nv=0\n", "line 1")]
    [InlineData("v=zero\n", "line 1")]
    [InlineData("v=0\ns=x\nthis is not sdp\n", "line 3")]
    [InlineData("v=0\nm=video\n", "line 2")]
    [InlineData("v=0\nm=video abc RTP/AVP 96\n", "line 2")]
    [InlineData("v=0\nm=video 99999 RTP/AVP 96\n", "line 2")]
    [InlineData("v=0\nm=video 5000/0 RTP/AVP 96\n", "line 2")]
    public void Invalid_sdp_fails_with_a_useful_error(string? text, string mentions)
    {
        Assert.False(SdpSession.TryParse(text, out var session, out string? error));
        Assert.Null(session);
        Assert.NotNull(error);
        Assert.Contains(mentions, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Session_helpers_get_and_set_attributes()
    {
        var session = new SdpSession();
        Assert.Null(session.Control);
        session.Control = "rtsp://host/path";
        session.Range = "npt=0-";
        session.Direction = SdpDirection.SendOnly;
        Assert.Equal("rtsp://host/path", session.Control);
        Assert.Equal(SdpDirection.SendOnly, session.Direction);
        session.Direction = SdpDirection.ReceiveOnly;
        Assert.Equal(SdpDirection.ReceiveOnly, session.Direction);
        Assert.Equal(3, session.Attributes.Count);
        session.Control = null;
        session.Direction = null;
        Assert.Equal(["npt=0-"], session.Attributes.GetAll("range"));
        Assert.Single(session.Attributes);
        Assert.Equal("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=range:npt=0-\r\n", session.ToString());
    }

    [Fact]
    public void Clone_is_deep()
    {
        var original = Parse(TestData.Text("gst-rtsp-server-describe.sdp"));
        string before = original.ToString();
        var clone = original.Clone();
        Assert.Equal(before, clone.ToString());
        clone.Origin = "- 1 2 IN IP4 10.0.0.1";
        clone.Control = "rtsp://other/";
        clone.Timing[0] = "1 2";
        clone.Bandwidths.Add("AS:1");
        clone.Media[0].Control = "trackID=9";
        clone.Media[0].Formats.Add("97");
        clone.Media[1].Bandwidths.Clear();
        clone.Media.RemoveAt(1);
        Assert.Equal(before, original.ToString());
    }

    private static Gen<string> Token =>
        Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-_.+/*".ToCharArray()), n))
            .Select(chars => new string(chars));

    private static Gen<string> Text =>
        Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Token, n)).Select(words => string.Join(' ', words));

    private static Gen<SdpAttribute> Attributes =>
        from name in Token
        from value in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t), Gen.Constant<string?>(""))
        select new SdpAttribute(name.Replace(":", "", StringComparison.Ordinal), value);

    private static Gen<SdpMedia> Medias =>
        from type in Gen.Elements("video", "audio", "application", "text")
        from port in Gen.Choose(0, 65535)
        from count in Gen.Frequency((4, Gen.Constant(1)), (1, Gen.Choose(2, 4)))
        from protocol in Gen.Elements("RTP/AVP", "RTP/AVPF", "UDP/TLS/RTP/SAVPF", "TCP/RTP/AVP")
        from formats in Gen.ArrayOf(Gen.Choose(0, 127).Select(p => p.ToString()))
        from info in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t))
        from connection in Gen.Elements<string?>(null, "IN IP4 0.0.0.0", "IN IP6 ::1")
        from bandwidths in Gen.ArrayOf(Gen.Choose(1, 9999).Select(b => "AS:" + b))
        from attributes in Gen.ArrayOf(Attributes)
        select BuildMedia(type, port, count, protocol, formats, info, connection, bandwidths, attributes);

    private static SdpMedia BuildMedia(string type, int port, int count, string protocol, string[] formats, string? info,
        string? connection, string[] bandwidths, SdpAttribute[] attributes)
    {
        var media = new SdpMedia { MediaType = type, Port = port, PortCount = count, Protocol = protocol, Information = info, Connection = connection };
        media.Formats.AddRange(formats);
        media.Bandwidths.AddRange(bandwidths);
        foreach (var attribute in attributes)
        {
            media.Attributes.Add(attribute);
        }

        return media;
    }

    private static Gen<SdpSession> Sessions =>
        from origin in Text
        from name in Text
        from info in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t))
        from uri in Gen.Elements<string?>(null, "http://example.com/session")
        from connection in Gen.Elements<string?>(null, "IN IP4 127.0.0.1")
        from timing in Gen.Elements("0 0", "3034423619 3042462419")
        from attributes in Gen.ArrayOf(Attributes)
        from media in Gen.ArrayOf(Medias).Select(m => m.Take(4).ToArray())
        select BuildSession(origin, name, info, uri, connection, timing, attributes, media);

    private static SdpSession BuildSession(string origin, string name, string? info, string? uri, string? connection,
        string timing, SdpAttribute[] attributes, SdpMedia[] media)
    {
        var session = new SdpSession { Origin = origin, SessionName = name, Information = info, Uri = uri, Connection = connection };
        session.Timing[0] = timing;
        foreach (var attribute in attributes)
        {
            session.Attributes.Add(attribute);
        }

        session.Media.AddRange(media);
        return session;
    }

    [Fact]
    public void To_string_then_parse_round_trips_any_session()
    {
        Prop.ForAll(Arb.From(Sessions), session =>
        {
            string text = session.ToString();
            Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
            var parsed = Parse(text);
            Assert.Equal(text, parsed.ToString());
            Assert.Equal(session.Origin, parsed.Origin);
            Assert.Equal(session.SessionName, parsed.SessionName);
            Assert.Equal(session.Information, parsed.Information);
            Assert.Equal(session.Uri, parsed.Uri);
            Assert.Equal(session.Connection, parsed.Connection);
            Assert.Equal(session.Timing, parsed.Timing);
            Assert.Equal(session.Attributes.ToArray(), parsed.Attributes.ToArray());
            Assert.Equal(session.Media.Count, parsed.Media.Count);
            for (int i = 0; i < session.Media.Count; i++)
            {
                var expected = session.Media[i];
                var actual = parsed.Media[i];
                Assert.Equal(expected.MediaType, actual.MediaType);
                Assert.Equal(expected.Port, actual.Port);
                Assert.Equal(expected.PortCount, actual.PortCount);
                Assert.Equal(expected.Protocol, actual.Protocol);
                Assert.Equal(expected.Formats, actual.Formats);
                Assert.Equal(expected.Information, actual.Information);
                Assert.Equal(expected.Connection, actual.Connection);
                Assert.Equal(expected.Bandwidths, actual.Bandwidths);
                Assert.Equal(expected.Attributes.ToArray(), actual.Attributes.ToArray());
            }

            Assert.Equal(text, parsed.Clone().ToString());
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Random_text_never_throws()
    {
        var lines = Gen.ListOf(
            from type in Gen.Elements("v=", "o=", "s=", "m=", "a=", "c=", "b=", "t=", "x", "", "a=rtpmap:", "a=fmtp:", "m=video ")
            from body in Gen.OneOf(Text, Gen.ArrayOf(Gen.Choose(0, 0x7F).Select(c => (char)c)).Select(c => new string(c)))
            select type + body);
        Prop.ForAll(
            Arb.From(from list in lines from sep in Gen.Elements("\n", "\r\n") select "v=0" + sep + string.Join(sep, list)),
            text =>
            {
                if (SdpSession.TryParse(text, out var session, out _))
                {
                    foreach (var media in session!.Media)
                    {
                        _ = media.RtpMaps;
                        _ = media.PayloadTypes;
                        _ = media.TryGetRtpMap(96, out _);
                        _ = media.GetFormatParameterMap(96);
                        _ = media.Direction;
                    }

                    _ = session.ToString();
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }
}
