using Parley.Endpoint.View;
using Parley.Rtp.Sdp;

namespace Parley.Endpoint.Tests.View;

/// <summary>Track selection from the SDP a hub or ffmpeg answers to DESCRIBE.</summary>
public sealed class ViewTracksTests
{
    [Fact]
    public void H264_and_opus_are_chosen_and_other_media_are_named_as_skipped()
    {
        const string text = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n" +
            "m=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n" +
            "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z0IAH5WoFAFuQA==,aM48gA==; profile-level-id=42001F\r\na=control:trackID=1\r\n" +
            "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 opus/48000/2\r\na=fmtp:97 sprop-stereo=1\r\na=control:trackID=2\r\n";
        Assert.True(SdpSession.TryParse(text, out var sdp, out string? error), error);

        var selection = ViewTracks.Select(sdp!);

        Assert.Equal(new ViewTrack(1, "video", ViewCodec.H264, 96, 90000, 0, selection.Video!.H264), selection.Video);
        Assert.Equal(0x67, selection.Video.H264!.Sps.Span[0]);
        Assert.Equal(0x68, selection.Video.H264.Pps.Span[0]);
        Assert.Equal(new ViewTrack(2, "audio", ViewCodec.Opus, 97, 48000, 2, null), selection.Audio);
        Assert.Equal(["media 0 (audio PCMU)"], selection.Skipped);
    }

    [Fact]
    public void Static_jpeg_and_vp8_are_chosen_and_an_unplayable_stream_is_empty()
    {
        Assert.True(SdpSession.TryParse("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 26\r\n", out var jpeg, out _));
        Assert.Equal(ViewCodec.Jpeg, ViewTracks.Select(jpeg!).Video!.Codec);

        Assert.True(SdpSession.TryParse("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 98\r\na=rtpmap:98 VP8/90000\r\n", out var vp8, out _));
        Assert.Equal((ViewCodec.Vp8, 98, 90000), (ViewTracks.Select(vp8!).Video!.Codec, ViewTracks.Select(vp8!).Video!.PayloadType, ViewTracks.Select(vp8!).Video!.ClockRate));

        Assert.True(SdpSession.TryParse("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 98\r\na=rtpmap:98 VP9/90000\r\n", out var vp9, out _));
        var selection = ViewTracks.Select(vp9!);
        Assert.True(selection.IsEmpty);
        Assert.Equal(["media 0 (video VP9)"], selection.Skipped);
    }
}
