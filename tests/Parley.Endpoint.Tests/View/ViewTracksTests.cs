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

    private const string Head = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n";

    [Theory]
    [InlineData("m=audio 0 RTP/AVP 0\r\n", ViewCodec.Pcmu, 0)]
    [InlineData("m=audio 0 RTP/AVP 8\r\n", ViewCodec.Pcma, 8)]
    [InlineData("m=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n", ViewCodec.Pcmu, 0)]
    [InlineData("m=audio 0 RTP/AVP 101\r\na=rtpmap:101 pcma/8000/1\r\n", ViewCodec.Pcma, 101)]
    [InlineData("m=audio 0 RTP/AVP 3 102 8\r\na=rtpmap:102 PCMU/16000\r\n", ViewCodec.Pcma, 8)]
    public void G711_is_chosen_from_its_static_payload_type_or_its_rtpmap(string media, ViewCodec codec, int payloadType)
    {
        Assert.True(SdpSession.TryParse(Head + media, out var sdp, out string? error), error);

        var selection = ViewTracks.Select(sdp!);

        Assert.Equal(new ViewTrack(0, "audio", codec, payloadType, 8000, 1, null), selection.Audio);
        Assert.Equal(codec == ViewCodec.Pcmu ? "PCMU" : "PCMA", selection.Audio!.CodecName);
        Assert.Empty(selection.Skipped);
    }

    [Fact]
    public void An_ip_cameras_h264_and_pcmu_are_both_played_and_opus_wins_over_g711()
    {
        Assert.True(SdpSession.TryParse(
            Head + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\nm=audio 0 RTP/AVP 0\r\n",
            out var camera, out string? error), error);
        var selection = ViewTracks.Select(camera!);
        Assert.Equal((ViewCodec.H264, ViewCodec.Pcmu), (selection.Video!.Codec, selection.Audio!.Codec));
        Assert.Empty(selection.Skipped);

        Assert.True(SdpSession.TryParse(
            Head + "m=audio 0 RTP/AVP 8\r\nm=audio 0 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n", out var both, out error), error);
        selection = ViewTracks.Select(both!);
        Assert.Equal((ViewCodec.Opus, 1), (selection.Audio!.Codec, selection.Audio.MediaIndex));
        Assert.Equal(["media 0 (audio PCMA)"], selection.Skipped);
    }

    [Fact]
    public void G711_at_another_rate_or_in_stereo_is_not_played()
    {
        Assert.True(SdpSession.TryParse(Head + "m=audio 0 RTP/AVP 100 101\r\na=rtpmap:100 PCMU/16000\r\na=rtpmap:101 PCMA/8000/2\r\n", out var sdp, out string? error), error);
        var selection = ViewTracks.Select(sdp!);
        Assert.True(selection.IsEmpty);
        Assert.Equal(["media 0 (audio PCMU/PCMA)"], selection.Skipped);
    }
}
