using Parley.Hub.Streams;
using Parley.Hub.Web;
using Parley.Rtp;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Tests.Web;

/// <summary>Which tracks a browser gets, and how (<see cref="WebPlayback.For"/>).</summary>
public sealed class WebPlaybackTests
{
    private static MediaStream Stream(params string[] media)
    {
        string sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\n" + string.Concat(media);
        Assert.True(SdpSession.TryParse(sdp, out var session, out string? error), error);
        return new MediaStream("t", session!, new NullPublisher(), new MediaPacketPool(), TimeProvider.System);
    }

    private const string Vp8 = "m=video 0 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
    private const string H264 = "m=video 0 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\na=fmtp:97 packetization-mode=1\r\n";
    private const string Jpeg = "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\n";
    private const string Opus = "m=audio 0 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";
    private const string Pcmu = "m=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    [Fact]
    public void Vp8_plays_over_webrtc_with_its_opus_and_the_other_codecs_keep_their_players()
    {
        Assert.Equal(new WebPlayback(WebPlaybackMode.WebRtc, 0, 1), WebPlayback.For(Stream(Vp8, Opus)));
        Assert.Equal(new WebPlayback(WebPlaybackMode.WebRtc, 0, -1), WebPlayback.For(Stream(Vp8)));
        Assert.Equal(new WebPlayback(WebPlaybackMode.Mse, 0, 1), WebPlayback.For(Stream(H264, Opus)));
        Assert.Equal(new WebPlayback(WebPlaybackMode.Jpeg, 1, 0), WebPlayback.For(Stream(Opus, Jpeg)));
        Assert.Equal(new WebPlayback(WebPlaybackMode.Jpeg, -1, 0), WebPlayback.For(Stream(Opus)));
        Assert.Equal(new WebPlayback(WebPlaybackMode.None, -1, -1), WebPlayback.For(Stream(Pcmu)));

        // A hub without WHEP (webrtc.enabled: false) plays a VP8 stream's Opus only, and a VP8-only stream not at all.
        Assert.Equal(new WebPlayback(WebPlaybackMode.Jpeg, -1, 1), WebPlayback.For(Stream(Vp8, Opus), webRtc: false));
        Assert.Equal(new WebPlayback(WebPlaybackMode.None, -1, -1), WebPlayback.For(Stream(Vp8), webRtc: false));
    }

    [Fact]
    public async Task A_webrtc_source_takes_no_packets_and_ends_with_the_stream()
    {
        var stream = Stream(Vp8, Opus);
        var source = new StreamFrameSource(stream, TimeProvider.System);
        var viewer = new WebViewer("v", 8);
        Assert.True(source.AddViewer(viewer));
        stream.AddReader(source);
        byte[] packet = new byte[20];
        RtpPacketWriter.Write(packet, new RtpHeader { PayloadType = 96, SequenceNumber = 1, Ssrc = 5, Marker = true }, [0x10, 0, 0x9d, 0x01, 0x2a, 0, 0, 0]);
        stream.WriteRtp(0, packet);
        Assert.False(viewer.Frames.TryRead(out _));
        Assert.Equal(0, viewer.MessagesQueued);

        stream.Close();
        await source.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private sealed class NullPublisher : IStreamPublisher
    {
        public string Description => "test";

        public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
        {
        }

        public void Kick(string reason)
        {
        }
    }
}
