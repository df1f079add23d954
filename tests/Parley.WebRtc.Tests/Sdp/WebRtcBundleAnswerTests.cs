using System.Net;
using Parley.Rtp.Sdp;
using Parley.Security.Dtls;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;

namespace Parley.WebRtc.Tests.Sdp;

/// <summary>
/// A room offer answered per source and put back together: Chromium 156's sendonly camera and microphone (its WHIP
/// offer) plus its recvonly video and audio (its WHEP offer, moved to mids 2 and 3 on the same transport), as the room
/// page offers them.
/// </summary>
public class WebRtcBundleAnswerTests
{
    private static readonly IceCredentials Ice = new("abcd", "0123456789abcdefghijklmn");
    private static readonly DtlsFingerprint Fingerprint = DtlsCertificate.Generate().Fingerprint;
    private static readonly IReadOnlyList<IceCandidate> Candidates = IceCandidate.ForHost([IPAddress.Loopback], 8189, null);

    private static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sdp", "TestData", name)).ReplaceLineEndings("\r\n");

    private static WebRtcOffer RoomOffer()
    {
        Assert.True(SdpSession.TryParse(Read("chromium-156-whip-offer.sdp"), out var publish, out _));
        Assert.True(SdpSession.TryParse(Read("chromium-156-whep-offer.sdp"), out var receive, out _));
        var transport = publish!.Media[0].Attributes;
        foreach (var (media, mid) in receive!.Media.Zip(["2", "3"]))
        {
            var copy = media.Clone();
            foreach (string name in (string[])["mid", "ice-ufrag", "ice-pwd", "fingerprint"])
            {
                copy.Attributes.Set(name, name == "mid" ? mid : transport.Get(name));
            }

            publish.Media.Add(copy);
        }

        publish.Attributes.Set("group", "BUNDLE 0 1 2 3");
        Assert.True(WebRtcOffer.TryParse(publish.ToString(), out var offer, out string? error), error);
        return offer;
    }

    private static readonly WebRtcSourceTrack Video = new(0, "video", "H264", 90000, new Dictionary<string, string> { ["packetization-mode"] = "1", ["profile-level-id"] = "42e01f" });
    private static readonly WebRtcSourceTrack Audio = new(1, "audio", "opus", 48000, new Dictionary<string, string>());

    private static Dictionary<string, SdpMedia> Accepted(string sdp) =>
        WebRtcBundleAnswer.SectionsByMid(sdp).Where(s => s.Value.Port != 0).ToDictionary(s => s.Key, s => s.Value);

    [Fact]
    public void A_source_is_matched_only_against_its_own_sections_and_the_answer_keeps_offer_order_on_one_bundle()
    {
        var offer = RoomOffer();
        Assert.True(WebRtcAnswer.TryNegotiateReceive(offer, out var publish, out string? message), message);
        Assert.True(WebRtcBundleAnswer.TrySelect(offer, new HashSet<string> { "2", "3" }, out var part));
        Assert.Equal(["2", "3"], part.Session.Media.Select(m => m.Attributes.Get("mid")));
        Assert.Equal(offer.IceUfrag, part.IceUfrag);
        Assert.True(WebRtcAnswer.TryNegotiate(part, [Video, Audio], out var forward, out _, out message), message);
        Assert.Equal([("2", 0), ("3", 1)], forward.AcceptedTracks.Select(t => (t.Mid, t.SourceIndex)));

        var answered = Accepted(publish.ToSdp(Ice, Fingerprint, Candidates, "room/ann"));
        Assert.Equal(["0", "1"], answered.Keys.Order());
        foreach (var (mid, section) in Accepted(forward.ToSdp(Ice, Fingerprint, Candidates, "bob")))
        {
            answered[mid] = section;
        }

        string text = WebRtcBundleAnswer.Compose(offer, answered);
        Assert.True(SdpSession.TryParse(text, out var answer, out string? error), error);
        Assert.Equal("BUNDLE 0 1 2 3", answer!.Attributes.Get("group"));
        Assert.True(answer.Attributes.Contains("ice-lite"));
        Assert.Equal(["0", "1", "2", "3"], answer.Media.Select(m => m.Attributes.Get("mid")));
        Assert.Equal([SdpDirection.ReceiveOnly, SdpDirection.ReceiveOnly, SdpDirection.SendOnly, SdpDirection.SendOnly], answer.Media.Select(m => m.Direction));
        Assert.Equal(offer.Session.Media.Select(m => m.MediaType), answer.Media.Select(m => m.MediaType));
        Assert.All(answer.Media.Skip(2), m => Assert.StartsWith("bob ", m.Attributes.Get("msid"), StringComparison.Ordinal));
        Assert.All(answer.Media, m => Assert.Equal("abcd", m.Attributes.Get("ice-ufrag")));
    }

    [Fact]
    public void Sections_without_an_answer_or_stopped_by_the_offerer_are_rejected_outside_the_bundle()
    {
        var offer = RoomOffer();
        Assert.True(WebRtcAnswer.TryNegotiateReceive(offer, out var publish, out _));
        var answered = Accepted(publish.ToSdp(Ice, Fingerprint, Candidates, "room/ann"));

        // The offerer stopped its microphone's transceiver (port 0): even a kept answer for it is not used.
        var stopped = offer.Session.Clone();
        stopped.Media[0].Port = 0;
        Assert.True(WebRtcOffer.TryParse(stopped.ToString(), out var reoffer, out _));

        Assert.True(SdpSession.TryParse(WebRtcBundleAnswer.Compose(reoffer, answered), out var answer, out _));
        Assert.Equal("BUNDLE 1", answer!.Attributes.Get("group"));
        Assert.Equal([0, 9, 0, 0], answer.Media.Select(m => m.Port));
        Assert.All(answer.Media.Where(m => m.Port == 0), m => Assert.True(m.Attributes.Contains("inactive")));
        Assert.Equal(["0", "1", "2", "3"], answer.Media.Select(m => m.Attributes.Get("mid")));
    }

    [Fact]
    public void Selecting_mids_the_offer_lacks_finds_nothing()
    {
        Assert.False(WebRtcBundleAnswer.TrySelect(RoomOffer(), new HashSet<string> { "7" }, out var part));
        Assert.Null(part);
    }
}
