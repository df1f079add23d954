using Parley.Rtp.Sdp;

namespace Parley.Rtp.Tests;

public class SdpMediaTests
{
    [Theory]
    [InlineData(0, "PCMU", 8000, 1)]
    [InlineData(8, "PCMA", 8000, 1)]
    [InlineData(9, "G722", 8000, 1)]
    [InlineData(10, "L16", 44100, 2)]
    [InlineData(11, "L16", 44100, 1)]
    [InlineData(14, "MPA", 90000, 1)]
    [InlineData(26, "JPEG", 90000, 1)]
    [InlineData(32, "MPV", 90000, 1)]
    [InlineData(33, "MP2T", 90000, 1)]
    public void Static_payload_types_of_rfc_3551_are_known(int payloadType, string name, int clockRate, int channels)
    {
        var media = new SdpMedia { MediaType = "audio" };
        media.Formats.Add(payloadType.ToString());
        Assert.True(media.TryGetRtpMap(payloadType, out var map));
        Assert.Equal(new SdpRtpMap(payloadType, name, clockRate, channels), map);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(19)]
    [InlineData(35)]
    [InlineData(96)]
    [InlineData(127)]
    public void Unassigned_and_dynamic_payload_types_need_an_rtpmap(int payloadType)
    {
        Assert.False(new SdpMedia().TryGetRtpMap(payloadType, out _));
    }

    [Fact]
    public void An_explicit_rtpmap_overrides_the_static_table()
    {
        var media = new SdpMedia();
        media.Attributes.Add("rtpmap", "0 PCMU/16000");
        Assert.True(media.TryGetRtpMap(0, out var map));
        Assert.Equal(16000, map.ClockRate);
    }

    [Theory]
    [InlineData("96 H264/90000", 96, "H264", 90000, 1)]
    [InlineData("97 opus/48000/2", 97, "opus", 48000, 2)]
    [InlineData("  98   MPEG4-GENERIC/44100/2 ", 98, "MPEG4-GENERIC", 44100, 2)]
    [InlineData("0 PCMU/8000/1", 0, "PCMU", 8000, 1)]
    public void Rtpmap_values_parse(string value, int payloadType, string name, int clockRate, int channels)
    {
        Assert.True(SdpRtpMap.TryParse(value, out var map));
        Assert.Equal(new SdpRtpMap(payloadType, name, clockRate, channels), map);
        Assert.True(SdpRtpMap.TryParse(map.ToString(), out var again));
        Assert.Equal(map, again);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("96")]
    [InlineData("96 H264")]
    [InlineData("128 H264/90000")]
    [InlineData("-1 H264/90000")]
    [InlineData("96 /90000")]
    [InlineData("96 H264/0")]
    [InlineData("96 H264/abc")]
    [InlineData("96 opus/48000/0")]
    [InlineData("96 opus/48000/x")]
    [InlineData("x H264/90000")]
    public void Malformed_rtpmap_values_are_rejected(string? value)
    {
        Assert.False(SdpRtpMap.TryParse(value, out _));
    }

    [Fact]
    public void Rtpmap_to_string_omits_one_channel()
    {
        Assert.Equal("96 H264/90000", new SdpRtpMap(96, "H264", 90000, 1).ToString());
        Assert.Equal("111 opus/48000/2", new SdpRtpMap(111, "opus", 48000, 2).ToString());
    }

    [Fact]
    public void Direction_attributes_are_read_and_replaced()
    {
        var media = new SdpMedia();
        Assert.Null(media.Direction);
        media.Attributes.Add("recvonly");
        Assert.Equal(SdpDirection.ReceiveOnly, media.Direction);
        Assert.Null(media.Attributes.Get("recvonly"));
        Assert.True(media.Attributes.Contains("recvonly"));
        media.Direction = SdpDirection.Inactive;
        Assert.Equal(SdpDirection.Inactive, media.Direction);
        Assert.False(media.Attributes.Contains("recvonly"));
        media.Direction = SdpDirection.SendReceive;
        Assert.Equal("m=video 0 RTP/AVP\r\na=sendrecv\r\n", media.ToString());
        media.Direction = null;
        Assert.Equal(0, media.Attributes.Count);
    }

    [Fact]
    public void Control_set_replaces_and_null_removes()
    {
        var media = new SdpMedia();
        media.Attributes.Add("control", "a");
        media.Attributes.Add("control", "b");
        Assert.Equal("a", media.Control);
        Assert.Equal(["a", "b"], media.Attributes.GetAll("control"));
        media.Control = "trackID=1";
        Assert.Equal(["trackID=1"], media.Attributes.GetAll("control"));
        media.Control = null;
        Assert.False(media.Attributes.Contains("control"));
    }

    [Fact]
    public void Rtpmap_and_fmtp_can_be_set_per_payload_type()
    {
        var media = new SdpMedia();
        media.Formats.AddRange(["96", "97"]);
        media.SetRtpMap(new SdpRtpMap(96, "H264", 90000, 1));
        media.SetRtpMap(new SdpRtpMap(97, "VP8", 90000, 1));
        media.SetFormatParameters(96, "packetization-mode=1");
        media.SetRtpMap(new SdpRtpMap(96, "H265", 90000, 1));
        media.SetFormatParameters(96, "profile-id=1");
        Assert.Equal(
            "m=video 0 RTP/AVP 96 97\r\na=rtpmap:96 H265/90000\r\na=rtpmap:97 VP8/90000\r\na=fmtp:96 profile-id=1\r\n",
            media.ToString());
        Assert.Equal(2, media.RtpMaps.Count);
        media.SetFormatParameters(96, null);
        Assert.Null(media.GetFormatParameters(96));
    }

    [Fact]
    public void Format_parameters_are_matched_by_payload_type_and_split_on_semicolons()
    {
        var media = new SdpMedia();
        media.Attributes.Add("fmtp", "960 x=1");
        media.Attributes.Add("fmtp", "96 packetization-mode=1; profile-level-id=42e01f ;flag");
        Assert.Equal("packetization-mode=1; profile-level-id=42e01f ;flag", media.GetFormatParameters(96));
        var map = media.GetFormatParameterMap(96);
        Assert.Equal("1", map["packetization-mode"]);
        Assert.Equal("42e01f", map["PROFILE-LEVEL-ID"]);
        Assert.Equal("", map["flag"]);
        Assert.Empty(media.GetFormatParameterMap(97));
    }

    [Fact]
    public void Port_count_and_formats_are_kept()
    {
        Assert.True(SdpSession.TryParse("v=0\nm=audio 49170/2 RTP/AVP 0 8 97\n", out var session, out _));
        var media = session!.Media[0];
        Assert.Equal(49170, media.Port);
        Assert.Equal(2, media.PortCount);
        Assert.Equal([0, 8, 97], media.PayloadTypes);
        Assert.Contains("m=audio 49170/2 RTP/AVP 0 8 97\r\n", session.ToString());
    }

    [Fact]
    public void Attribute_list_keeps_order_and_duplicates()
    {
        var list = new SdpAttributeList();
        list.Add("a", "1");
        list.Add(new SdpAttribute("b", null));
        list.Add("A", "2");
        Assert.Equal(3, list.Count);
        Assert.Equal("1", list.Get("a"));
        Assert.Equal(["1", "2"], list.GetAll("a"));
        Assert.Equal([""], list.GetAll("b"));
        list.Set("a", "3");
        Assert.Equal([new SdpAttribute("a", "3"), new SdpAttribute("b", null)], list.ToArray());
        list.Set("c", "4");
        Assert.Equal("c:4", list[2].ToString());
        Assert.Equal("b", list[1].ToString());
        Assert.Equal(1, list.Remove("b"));
        Assert.Equal(0, list.Remove("b"));
        Assert.Throws<ArgumentException>(() => list.Add("", "x"));
        var clone = list.Clone();
        clone.Clear();
        Assert.Equal(2, list.Count);
    }
}
