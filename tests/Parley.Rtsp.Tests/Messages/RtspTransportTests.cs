namespace Parley.Rtsp.Tests.Messages;

public class RtspTransportTests
{
    [Theory]
    [InlineData("RTP/AVP/TCP;unicast;interleaved=0-1", "RTP/AVP/TCP;unicast;interleaved=0-1")]
    [InlineData("RTP/AVP/UDP;unicast;client_port=20000-20001", "RTP/AVP;unicast;client_port=20000-20001")]
    [InlineData("RTP/AVP;unicast;client_port=5000-5001;server_port=8000-8001", "RTP/AVP;unicast;client_port=5000-5001;server_port=8000-8001")]
    [InlineData("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D;mode=record", "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D;mode=record")]
    [InlineData("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=F1879C65;mode=\"PLAY\"", "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=F1879C65;mode=play")]
    [InlineData("RTP/AVP;multicast;destination=224.2.0.1;ttl=16;port=3456-3457", "RTP/AVP;multicast;destination=224.2.0.1;ttl=16;port=3456-3457")]
    [InlineData("RTP/AVP;unicast;destination=10.0.0.5;source=10.0.0.1;client_port=4588-4589;server_port=6256-6257;ssrc=00000abc",
        "RTP/AVP;unicast;destination=10.0.0.5;source=10.0.0.1;client_port=4588-4589;server_port=6256-6257;ssrc=00000ABC")]
    [InlineData("rtp/savp/tcp;interleaved=4-5;append", "RTP/SAVP/TCP;unicast;interleaved=4-5;append")]
    [InlineData("RTP/AVPF;unicast;client_port=5000", "RTP/AVPF;unicast;client_port=5000-5001")]
    [InlineData("RTP/AVP/TCP;interleaved=2", "RTP/AVP/TCP;unicast;interleaved=2-3")]
    [InlineData("RTP/AVP;unicast;destination;client_port=1-2", "RTP/AVP;unicast;destination;client_port=1-2")]
    public void Parses_and_formats(string spec, string formatted)
    {
        Assert.True(RtspTransport.TryParse(spec, out var transport));
        Assert.Equal(formatted, transport!.ToString());

        // Formatting is a fixed point: parse(format(t)) formats the same.
        Assert.True(RtspTransport.TryParse(formatted, out var again));
        Assert.Equal(formatted, again!.ToString());
    }

    [Fact]
    public void Exposes_every_field()
    {
        Assert.True(RtspTransport.TryParse(
            "RTP/AVP/TCP;multicast;destination=\"224.1.1.1\";source=1.2.3.4;interleaved=6-7;client_port=1000-1001;server_port=2000-2001;ssrc=DEADBEEF;mode=\"RECORD\";ttl=5;layers=2",
            out var t));
        Assert.Equal("RTP/AVP", t!.Profile);
        Assert.Equal("TCP", t.LowerTransport);
        Assert.True(t.IsTcp);
        Assert.True(t.Multicast);
        Assert.Equal("224.1.1.1", t.Destination);
        Assert.Equal("1.2.3.4", t.Source);
        Assert.Equal((6, 7), t.Interleaved);
        Assert.Equal((1000, 1001), t.ClientPort);
        Assert.Equal((2000, 2001), t.ServerPort);
        Assert.Equal(0xDEADBEEFu, t.Ssrc);
        Assert.Equal("RECORD", t.Mode);
        Assert.True(t.IsRecord);
        Assert.Equal(5, t.Ttl);
        Assert.Equal([new KeyValuePair<string, string?>("layers", "2")], t.OtherParameters);
    }

    [Fact]
    public void Defaults_are_udp_unicast()
    {
        Assert.True(RtspTransport.TryParse("RTP/AVP", out var t));
        Assert.Equal("UDP", t!.LowerTransport);
        Assert.False(t.IsTcp);
        Assert.False(t.Multicast);
        Assert.Null(t.Mode);
        Assert.Null(t.ClientPort);
        Assert.Equal("RTP/AVP;unicast", t.ToString());
    }

    [Fact]
    public void Built_in_code_formats_like_the_examples()
    {
        var tcp = new RtspTransport { LowerTransport = "TCP", Interleaved = (0, 1), Ssrc = 0x1A2B3C4D, Mode = "RECORD" };
        Assert.Equal("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D;mode=record", tcp.ToString());
        var udp = new RtspTransport { ClientPort = (5000, 5001), ServerPort = (8000, 8001) };
        Assert.Equal("RTP/AVP;unicast;client_port=5000-5001;server_port=8000-8001", udp.ToString());
    }

    [Fact]
    public void Gstreamer_style_alternatives_parse_in_order()
    {
        var list = RtspTransport.ParseList("RTP/AVP;multicast, RTP/AVP;unicast;client_port=43242-43243,RTP/AVP/TCP;unicast;interleaved=0-1");
        Assert.Equal(3, list.Count);
        Assert.True(list[0].Multicast);
        Assert.Equal((43242, 43243), list[1].ClientPort);
        Assert.True(list[2].IsTcp);
        Assert.Equal((0, 1), list[2].Interleaved);
    }

    [Fact]
    public void Unparseable_alternatives_are_skipped()
    {
        var list = RtspTransport.ParseList("garbage,RTP/AVP;client_port=99999,RTP/AVP/TCP;interleaved=0-1, ,");
        var only = Assert.Single(list);
        Assert.True(only.IsTcp);
        Assert.Empty(RtspTransport.ParseList(""));
    }

    [Fact]
    public void Quoted_mode_list_with_comma_is_not_split()
    {
        var list = RtspTransport.ParseList("RTP/AVP;unicast;mode=\"PLAY,RECORD\"");
        Assert.Equal("PLAY,RECORD", Assert.Single(list).Mode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("RTP")]
    [InlineData("RTP/AVP/TCP/X")]
    [InlineData("RTP//TCP")]
    [InlineData("RTP/AVP;client_port=65536")]
    [InlineData("RTP/AVP;client_port=5000-70000")]
    [InlineData("RTP/AVP;client_port=")]
    [InlineData("RTP/AVP;client_port=abc")]
    [InlineData("RTP/AVP/TCP;interleaved=256-257")]
    [InlineData("RTP/AVP/TCP;interleaved")]
    [InlineData("RTP/AVP;ssrc=XYZ")]
    [InlineData("RTP/AVP;ssrc=123456789")]
    [InlineData("RTP/AVP;ttl=300")]
    [InlineData("RTP/AVP;mode")]
    [InlineData("RTP/AVP;bad name=1")]
    public void Rejects_invalid_specs(string spec)
    {
        Assert.False(RtspTransport.TryParse(spec, out var t));
        Assert.Null(t);
    }

    [Fact]
    public void Highest_port_single_value_does_not_overflow()
    {
        Assert.True(RtspTransport.TryParse("RTP/AVP/TCP;interleaved=255", out var t));
        Assert.Equal((255, 255), t!.Interleaved);
    }
}
