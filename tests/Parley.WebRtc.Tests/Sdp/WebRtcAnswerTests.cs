using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Parley.Rtp.Sdp;
using Parley.Security.Dtls;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;

namespace Parley.WebRtc.Tests.Sdp;

/// <summary>The WHEP answer to a real offer of Chromium 156 (recvonly video and audio transceivers, captured here).</summary>
public class WebRtcAnswerTests
{
    private static readonly string ChromiumOffer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sdp", "TestData", "chromium-156-whep-offer.sdp")).ReplaceLineEndings("\r\n");

    private static Dictionary<string, string> Fmtp(string text) => text.Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);

    // What ffmpeg announces for presenter-720p.mp4: H.264 High (64001f), Opus stereo.
    private static readonly WebRtcSourceTrack HighProfile = new(0, "video", "H264", 90000, Fmtp("packetization-mode=1;profile-level-id=64001F"));
    private static readonly WebRtcSourceTrack Opus = new(1, "audio", "opus", 48000, new Dictionary<string, string>());

    private static WebRtcOffer ParseOffer(string text)
    {
        Assert.True(WebRtcOffer.TryParse(text, out var offer, out string? error), error);
        return offer;
    }

    private static string Answer(WebRtcAnswer answer) => answer.ToSdp(new IceCredentials("abcd", "0123456789abcdefghijklmn"),
        DtlsCertificate.Generate().Fingerprint, IceCandidate.ForHost([IPAddress.Loopback], 8189, null), "room/alice");

    [Fact]
    public void The_chromium_offer_yields_its_transport_parameters()
    {
        var offer = ParseOffer(ChromiumOffer);
        Assert.Equal("Mqpl", offer.IceUfrag);
        Assert.Equal("qELwvNAoU9DK5v/S4n3iofI1", offer.IcePassword);
        Assert.Equal("actpass", offer.Setup);
        Assert.Equal(DtlsRole.Server, offer.LocalRole);
        Assert.Equal("sha-256", offer.Fingerprint.Algorithm);
        Assert.Equal(2, offer.Session.Media.Count);
    }

    [Fact]
    public void High_profile_h264_and_opus_are_answered_sendonly_in_one_bundle()
    {
        var offer = ParseOffer(ChromiumOffer);
        Assert.True(WebRtcAnswer.TryNegotiate(offer, [HighProfile, Opus], out var answer, out var error, out string? message), message);
        Assert.Equal(WebRtcNegotiationError.None, error);

        // Chromium offers no High profile: Constrained Baseline with packetization-mode 1 (PT 108) carries it.
        var video = answer.Tracks[0];
        Assert.Equal((0, 108, "0"), (video.SourceIndex, video.PayloadType, video.Mid));
        Assert.True(video.Nack && video.PictureLossIndication && video.FullIntraRequest);
        var audio = answer.Tracks[1];
        Assert.Equal((1, 111, "1"), (audio.SourceIndex, audio.PayloadType, audio.Mid));
        Assert.False(audio.Nack);
        Assert.NotEqual(video.Ssrc, audio.Ssrc);

        string text = Answer(answer);
        Assert.True(SdpSession.TryParse(text, out var sdp, out string? parseError), parseError);
        Assert.Equal("BUNDLE 0 1", sdp!.Attributes.Get("group"));
        Assert.True(sdp.Attributes.Contains("ice-lite"));
        Assert.Equal(2, sdp.Media.Count);
        var m = sdp.Media[0];
        Assert.Equal("UDP/TLS/RTP/SAVPF", m.Protocol);
        Assert.Equal(["108"], m.Formats);
        Assert.Equal(SdpDirection.SendOnly, m.Direction);
        Assert.Equal("passive", m.Attributes.Get("setup"));
        Assert.Equal("abcd", m.Attributes.Get("ice-ufrag"));
        Assert.True(m.Attributes.Contains("rtcp-mux"));
        Assert.True(m.Attributes.Contains("rtcp-rsize"));
        Assert.Equal("H264/90000", m.Attributes.Get("rtpmap")![4..]);
        Assert.Equal("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", m.GetFormatParameters(108));
        Assert.Equal(["108 transport-cc", "108 nack", "108 nack pli", "108 ccm fir"], m.Attributes.GetAll("rtcp-fb"));
        Assert.Equal($"{video.Ssrc} cname:roomalice", m.Attributes.GetAll("ssrc")[0]);
        Assert.StartsWith("roomalice ", m.Attributes.Get("msid"), StringComparison.Ordinal);
        Assert.Equal("1 1 udp 2130706431 127.0.0.1 8189 typ host", m.Attributes.Get("candidate"));
        Assert.Matches("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", m.Attributes.Get("fingerprint"));
        var a = sdp.Media[1];
        Assert.Equal(["111"], a.Formats);
        Assert.Equal("opus/48000/2", a.Attributes.Get("rtpmap")![4..]);
        Assert.Equal("minptime=10;useinbandfec=1", a.GetFormatParameters(111));
        Assert.Equal(["111 transport-cc"], a.Attributes.GetAll("rtcp-fb"));
    }

    [Fact]
    public void The_whep_answer_echoes_mid_abs_send_time_and_transport_wide_cc_with_the_offered_ids()
    {
        Assert.True(WebRtcAnswer.TryNegotiate(ParseOffer(ChromiumOffer), [HighProfile, Opus], out var answer, out _, out string? message), message);
        Assert.Equal(new WebRtcHeaderExtensionIds(Mid: 9, AbsoluteSendTime: 2, TransportSequenceNumber: 4), answer.Tracks[0].Extensions);
        Assert.True(answer.Tracks[0].TransportWideCongestionControl);
        Assert.True(SdpSession.TryParse(Answer(answer), out var sdp, out _));
        string[] expected =
        [
            "2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "9 urn:ietf:params:rtp-hdrext:sdes:mid",
        ];

        // Offered but not answered: toffset, video-orientation, playout-delay, ..., rtp-stream-id, ssrc-audio-level.
        Assert.Equal(expected, sdp!.Media[0].Attributes.GetAll("extmap"));
        Assert.Equal(expected, sdp.Media[1].Attributes.GetAll("extmap"));
    }

    [Fact]
    public void The_whip_answer_echoes_the_publishers_extension_ids_and_transport_cc()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sdp", "TestData", "chromium-156-whip-offer.sdp")).ReplaceLineEndings("\r\n");
        Assert.True(WebRtcAnswer.TryNegotiateReceive(ParseOffer(text), out var answer, out string? message), message);
        Assert.True(SdpSession.TryParse(Answer(answer), out var sdp, out _));
        string[] expected =
        [
            "2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "4 urn:ietf:params:rtp-hdrext:sdes:mid",
        ];
        Assert.Equal(expected, sdp!.Media[0].Attributes.GetAll("extmap"));
        Assert.Equal(expected, sdp.Media[1].Attributes.GetAll("extmap"));
        Assert.Equal(["111 transport-cc"], sdp.Media[0].Attributes.GetAll("rtcp-fb"));
        Assert.Equal(["108 transport-cc", "108 nack", "108 nack pli", "108 ccm fir"], sdp.Media[1].Attributes.GetAll("rtcp-fb"));
        Assert.All(answer.AcceptedTracks, t => Assert.Equal(3, t.Extensions.TransportSequenceNumber));
    }

    [Theory]
    [InlineData("a=extmap:3/sendrecv http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 3, true)]
    [InlineData("a=extmap:15 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 0, false)]
    [InlineData("a=extmap:x http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 0, false)]
    [InlineData("a=extmap:5", 0, false)]
    public void Extension_ids_outside_the_one_byte_range_or_malformed_are_not_answered(string extmap, int id, bool transportCc)
    {
        string offer = ChromiumOffer.Replace("a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", extmap, StringComparison.Ordinal);
        Assert.True(WebRtcAnswer.TryNegotiate(ParseOffer(offer), [HighProfile, Opus], out var answer, out _, out string? message), message);
        Assert.Equal(id, answer.Tracks[0].Extensions.TransportSequenceNumber);
        Assert.Equal(transportCc, answer.Tracks[0].TransportWideCongestionControl);
        Assert.True(SdpSession.TryParse(Answer(answer), out var sdp, out _));
        Assert.Equal(transportCc, sdp!.Media[0].Attributes.GetAll("rtcp-fb").Contains("108 transport-cc"));
    }

    [Fact]
    public void The_same_profile_wins_when_offered()
    {
        var main = HighProfile with { FormatParameters = Fmtp("packetization-mode=1;profile-level-id=4d0028") };
        Assert.True(WebRtcAnswer.TryNegotiate(ParseOffer(ChromiumOffer), [main], out var answer, out _, out _));
        Assert.Equal(116, answer.Tracks[0].PayloadType);
        // Audio has no source: rejected with port 0, outside the bundle.
        Assert.False(answer.Tracks[1].IsAccepted);
        Assert.True(SdpSession.TryParse(Answer(answer), out var sdp, out _));
        Assert.Equal("BUNDLE 0", sdp!.Attributes.Get("group"));
        Assert.Equal(0, sdp.Media[1].Port);
        Assert.Equal("1", sdp.Media[1].Attributes.Get("mid"));
    }

    [Fact]
    public void A_chromium_whip_offer_is_received_as_constrained_baseline_h264_and_opus()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sdp", "TestData", "chromium-156-whip-offer.sdp")).ReplaceLineEndings("\r\n");
        Assert.True(WebRtcAnswer.TryNegotiateReceive(ParseOffer(text), out var answer, out string? message), message);
        Assert.True(answer.Receives);
        // Chromium puts audio first here; the stream's tracks follow the offer's order.
        Assert.Equal((0, 111, "audio"), (answer.Tracks[0].SourceIndex, answer.Tracks[0].PayloadType, answer.Tracks[0].MediaType));
        Assert.Equal((1, 108, "video"), (answer.Tracks[1].SourceIndex, answer.Tracks[1].PayloadType, answer.Tracks[1].MediaType));
        Assert.True(SdpSession.TryParse(Answer(answer), out var sdp, out _));
        Assert.All(sdp!.Media, m => Assert.Equal(SdpDirection.ReceiveOnly, m.Direction));
        Assert.All(sdp.Media, m => Assert.Empty(m.Attributes.GetAll("ssrc")));
        Assert.Equal(["108 transport-cc", "108 nack", "108 nack pli", "108 ccm fir"], sdp.Media[1].Attributes.GetAll("rtcp-fb"));

        // A recvonly offer (a WHEP player's) has nothing to publish.
        Assert.False(WebRtcAnswer.TryNegotiateReceive(ParseOffer(ChromiumOffer), out _, out message));
        Assert.Contains("sendonly", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vp8_is_sent_as_the_offered_vp8()
    {
        var vp8 = new WebRtcSourceTrack(0, "video", "VP8", 90000, new Dictionary<string, string>());
        Assert.True(WebRtcAnswer.TryNegotiate(ParseOffer(ChromiumOffer), [vp8, Opus], out var answer, out _, out _));
        Assert.Equal(96, answer.Tracks[0].PayloadType);
    }

    [Fact]
    public void A_jpeg_stream_is_refused_as_unsupported_with_a_reason()
    {
        var jpeg = new WebRtcSourceTrack(0, "video", "JPEG", 90000, new Dictionary<string, string>());
        Assert.False(WebRtcAnswer.TryNegotiate(ParseOffer(ChromiumOffer), [jpeg], out _, out var error, out string? message));
        Assert.Equal(WebRtcNegotiationError.UnsupportedSource, error);
        Assert.Contains("video JPEG", message, StringComparison.Ordinal);
        Assert.Contains("/mjpeg", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_offer_without_packetization_mode_1_has_no_common_codec()
    {
        // Only the mode-0 H.264 payload types and the audio section are left.
        var lines = ChromiumOffer.Split("\r\n").ToList();
        string[] drop = ["102", "108", "116", "41", "118"];
        lines.RemoveAll(l => drop.Any(pt => l.StartsWith($"a=rtpmap:{pt} H264", StringComparison.Ordinal)));
        var offer = ParseOffer(string.Join("\r\n", lines));
        Assert.False(WebRtcAnswer.TryNegotiate(offer, [HighProfile], out _, out var error, out string? message));
        Assert.Equal(WebRtcNegotiationError.NoCommonCodec, error);
        Assert.Contains("packetization-mode=1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sendonly_sections_are_not_sent_to()
    {
        var offer = ParseOffer(ChromiumOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal));
        Assert.False(WebRtcAnswer.TryNegotiate(offer, [HighProfile, Opus], out _, out var error, out _));
        Assert.Equal(WebRtcNegotiationError.NoCommonCodec, error);
    }

    [Theory]
    [InlineData("v=0\r\ns=-\r\n", "no media")]
    [InlineData("not sdp", "not valid SDP")]
    public void Malformed_offers_are_refused_with_a_reason(string text, string expected)
    {
        Assert.False(WebRtcOffer.TryParse(text, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Offers_without_ice_credentials_or_fingerprint_are_refused()
    {
        string noPassword = string.Join("\r\n", ChromiumOffer.Split("\r\n").Where(l => !l.StartsWith("a=ice-pwd", StringComparison.Ordinal)));
        Assert.False(WebRtcOffer.TryParse(noPassword, out _, out string? error));
        Assert.Contains("ice-pwd", error, StringComparison.Ordinal);
        string noFingerprint = string.Join("\r\n", ChromiumOffer.Split("\r\n").Where(l => !l.StartsWith("a=fingerprint", StringComparison.Ordinal)));
        Assert.False(WebRtcOffer.TryParse(noFingerprint, out _, out error));
        Assert.Contains("fingerprint", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_parsing_never_throws_on_mangled_offers()
    {
        var gen = from cut in Gen.Choose(0, ChromiumOffer.Length)
                  from garbage in ArbMap.Default.GeneratorFor<string>()
                  select ChromiumOffer[..cut] + garbage;
        Prop.ForAll(Arb.From(gen), text =>
        {
            if (WebRtcOffer.TryParse(text, out var offer, out _))
            {
                WebRtcAnswer.TryNegotiate(offer, [HighProfile, Opus], out _, out _, out _);
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
