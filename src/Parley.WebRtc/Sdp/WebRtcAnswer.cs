using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using Parley.Rtp.Sdp;
using Parley.Security.Dtls;
using Parley.WebRtc.Ice;

namespace Parley.WebRtc.Sdp;

/// <summary>
/// The answer of a sending side (a WHEP server) to a browser's offer (RFC 8829 §5.3.1, RFC 8866, RFC 9725 §4.2):
/// every offered section is answered in order; sections that match a source track become sendonly with the offered
/// payload type, a fresh SSRC, a=msid and the offered rtcp-fb nack, nack pli and ccm fir; the rest get port 0.
/// Accepted sections share one BUNDLE transport (RFC 8843) with rtcp-mux (RFC 5761), ICE-lite credentials and
/// host candidates, the DTLS fingerprint and a=setup. A receiving side (a WHIP server, <see cref="TryNegotiateReceive"/>)
/// answers recvonly instead, without a=ssrc and a=msid.
/// </summary>
/// <remarks>
/// Of the offered header extensions (a=extmap), the answer echoes the MID, abs-send-time and transport-wide
/// sequence number extensions with the offer's ids (RFC 8285 §8, <see cref="WebRtcHeaderExtensionIds"/>), and
/// rtcp-fb transport-cc where the offer has both (<see cref="WebRtcNegotiatedTrack.TransportWideCongestionControl"/>):
/// the receiving side answers transport-wide feedback, the sending side stamps its packets. goog-remb is not
/// answered: transport-wide feedback replaces it.
/// </remarks>
public sealed class WebRtcAnswer
{
    private WebRtcAnswer(WebRtcOffer offer, IReadOnlyList<WebRtcNegotiatedTrack> tracks, bool receives = false)
    {
        Offer = offer;
        Tracks = tracks;
        Receives = receives;
    }

    /// <summary>
    /// The codecs a receiving side (a WHIP server) takes, best first: H.264 Constrained Baseline with
    /// packetization-mode 1 (what RTSP readers and most decoders play), VP8, and Opus.
    /// </summary>
    public static IReadOnlyList<WebRtcSourceTrack> ReceivableCodecs { get; } =
    [
        new(0, "video", "H264", 90000, new Dictionary<string, string> { ["packetization-mode"] = "1", ["profile-level-id"] = "42e01f" }),
        new(0, "video", "VP8", 90000, new Dictionary<string, string>()),
        new(0, "audio", "opus", 48000, new Dictionary<string, string>()),
    ];

    /// <summary>True for the answer of a receiving side (WHIP): sections are recvonly.</summary>
    public bool Receives { get; }

    /// <summary>
    /// Matches a publisher's offer (WHIP, RFC 9725 §4.2): every section the offerer sends on (sendonly, sendrecv)
    /// takes the best of <see cref="ReceivableCodecs"/> it offers and becomes recvonly;
    /// <see cref="WebRtcNegotiatedTrack.SourceIndex"/> numbers the accepted sections 0, 1, ... (the new stream's
    /// tracks). Other sections are rejected.
    /// </summary>
    /// <param name="offer">The parsed offer.</param>
    /// <param name="answer">The negotiation when the result is true.</param>
    /// <param name="message">A user-facing explanation when the result is false.</param>
    /// <returns>True when at least one section is received.</returns>
    public static bool TryNegotiateReceive(WebRtcOffer offer, [NotNullWhen(true)] out WebRtcAnswer? answer, [NotNullWhen(false)] out string? message)
    {
        ArgumentNullException.ThrowIfNull(offer);
        answer = null;
        var tracks = new List<WebRtcNegotiatedTrack>(offer.Session.Media.Count);
        int accepted = 0;
        for (int i = 0; i < offer.Session.Media.Count; i++)
        {
            var media = offer.Session.Media[i];
            string mid = media.Attributes.Get("mid") ?? i.ToString(CultureInfo.InvariantCulture);
            var direction = media.Direction ?? offer.Session.Direction ?? SdpDirection.SendReceive;
            int payloadType = -1;
            if (media.Port != 0 && direction is SdpDirection.SendOnly or SdpDirection.SendReceive)
            {
                foreach (var codec in ReceivableCodecs)
                {
                    if (WebRtcCodecMatcher.TryMatch(media, codec, out payloadType))
                    {
                        break;
                    }
                }
            }

            tracks.Add(new WebRtcNegotiatedTrack(mid, media, payloadType >= 0 ? accepted++ : -1, payloadType, NewSsrc()));
        }

        if (accepted == 0)
        {
            message = "the offer has no sendonly section with H.264 (packetization-mode=1), VP8 or opus/48000/2";
            return false;
        }

        answer = new WebRtcAnswer(offer, tracks, receives: true);
        message = null;
        return true;
    }

    /// <summary>The offer answered.</summary>
    public WebRtcOffer Offer { get; }

    /// <summary>One entry per offered media section, in offer order.</summary>
    public IReadOnlyList<WebRtcNegotiatedTrack> Tracks { get; }

    /// <summary>Accepted sections only.</summary>
    public IEnumerable<WebRtcNegotiatedTrack> AcceptedTracks => Tracks.Where(t => t.IsAccepted);

    /// <summary>
    /// Matches the offer's sections against <paramref name="sources"/>: each section takes the first unused source
    /// track of its media type whose codec it offers (<see cref="WebRtcCodecMatcher"/>). Sections the offerer will
    /// not receive on (sendonly, inactive) or that are already rejected (port 0) are rejected.
    /// </summary>
    /// <param name="offer">The parsed offer.</param>
    /// <param name="sources">The tracks that can be sent.</param>
    /// <param name="answer">The negotiation when the result is true.</param>
    /// <param name="error">Why none of the tracks can be sent.</param>
    /// <param name="message">A user-facing explanation when the result is false.</param>
    /// <returns>True when at least one section carries a track.</returns>
    public static bool TryNegotiate(WebRtcOffer offer, IReadOnlyList<WebRtcSourceTrack> sources, [NotNullWhen(true)] out WebRtcAnswer? answer,
        out WebRtcNegotiationError error, [NotNullWhen(false)] out string? message)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(sources);
        answer = null;
        var sendable = sources.Where(s => s.IsWebRtcCodec).ToList();
        if (sendable.Count == 0)
        {
            error = WebRtcNegotiationError.UnsupportedSource;
            message = $"the stream's codecs ({Describe(sources)}) cannot be sent over WebRTC without transcoding; "
                + "WebRTC carries H.264, VP8 and Opus. Publish H.264 and Opus, or play the stream over /<path> (WebSocket) or /<path>/mjpeg";
            return false;
        }

        var used = new HashSet<int>();
        var tracks = new List<WebRtcNegotiatedTrack>(offer.Session.Media.Count);
        for (int i = 0; i < offer.Session.Media.Count; i++)
        {
            var media = offer.Session.Media[i];
            string mid = media.Attributes.Get("mid") ?? i.ToString(CultureInfo.InvariantCulture);
            var direction = media.Direction ?? offer.Session.Direction ?? SdpDirection.SendReceive;
            int sourceIndex = -1, payloadType = -1;
            if (media.Port != 0 && direction is SdpDirection.ReceiveOnly or SdpDirection.SendReceive)
            {
                foreach (var source in sendable)
                {
                    if (!used.Contains(source.Index) && WebRtcCodecMatcher.TryMatch(media, source, out payloadType))
                    {
                        sourceIndex = source.Index;
                        used.Add(source.Index);
                        break;
                    }
                }
            }

            tracks.Add(new WebRtcNegotiatedTrack(mid, media, sourceIndex, sourceIndex >= 0 ? payloadType : -1, NewSsrc()));
        }

        if (used.Count == 0)
        {
            error = WebRtcNegotiationError.NoCommonCodec;
            message = $"the offer has no recvonly section with a codec of the stream ({Describe(sendable)}); "
                + "H.264 needs packetization-mode=1, audio needs opus/48000/2";
            return false;
        }

        answer = new WebRtcAnswer(offer, tracks);
        error = WebRtcNegotiationError.None;
        message = null;
        return true;
    }

    /// <summary>Writes the answer SDP (CRLF line ends).</summary>
    /// <param name="ice">This side's ICE-lite credentials (a=ice-ufrag, a=ice-pwd).</param>
    /// <param name="fingerprint">This side's certificate fingerprint.</param>
    /// <param name="candidates">This side's host candidates, written into every accepted section.</param>
    /// <param name="streamId">The a=msid stream id (RFC 8830 §2), for example the stream path.</param>
    public string ToSdp(IceCredentials ice, DtlsFingerprint fingerprint, IReadOnlyList<IceCandidate> candidates, string streamId)
    {
        ArgumentNullException.ThrowIfNull(ice);
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(candidates);
        string msid = MsidToken(streamId);
        var session = new SdpSession
        {
            Origin = string.Create(CultureInfo.InvariantCulture, $"- {RandomNumberGenerator.GetInt32(1, int.MaxValue)} 1 IN IP4 0.0.0.0"),
        };
        string bundle = string.Join(' ', AcceptedTracks.Select(t => t.Mid));
        session.Attributes.Add("group", "BUNDLE " + bundle);
        session.Attributes.Add("ice-lite");
        if (!Receives)
        {
            session.Attributes.Add("msid-semantic", " WMS " + msid);
        }

        string setup = Offer.LocalRole == DtlsRole.Server ? "passive" : "active";
        foreach (var track in Tracks)
        {
            var media = new SdpMedia { MediaType = track.MediaType, Port = track.IsAccepted ? 9 : 0, Protocol = track.Offered.Protocol, Connection = "IN IP4 0.0.0.0" };
            if (!track.IsAccepted)
            {
                // RFC 8829 §5.3.1: a rejected section keeps a format of the offer and its mid, outside the BUNDLE group.
                media.Formats.Add(track.Offered.Formats.Count > 0 ? track.Offered.Formats[0] : "0");
                media.Attributes.Add("mid", track.Mid);
                media.Attributes.Add("inactive");
                session.Media.Add(media);
                continue;
            }

            string pt = track.PayloadType.ToString(CultureInfo.InvariantCulture);
            string ssrc = track.Ssrc.ToString(CultureInfo.InvariantCulture);
            string trackId = msid + "-" + track.MediaType + "-" + track.Mid;
            media.Formats.Add(pt);
            media.Attributes.Add("ice-ufrag", ice.Ufrag);
            media.Attributes.Add("ice-pwd", ice.Password);
            media.Attributes.Add("fingerprint", fingerprint.ToString());
            media.Attributes.Add("setup", setup);
            media.Attributes.Add("mid", track.Mid);
            media.Attributes.Add(Receives ? "recvonly" : "sendonly");
            if (!Receives)
            {
                media.Attributes.Add("msid", msid + " " + trackId);
            }

            media.Attributes.Add("rtcp-mux");
            if (track.Offered.Attributes.Contains("rtcp-rsize"))
            {
                media.Attributes.Add("rtcp-rsize");
            }

            foreach (string extmap in track.Extensions.ToExtmapValues())
            {
                media.Attributes.Add("extmap", extmap);
            }

            track.Offered.TryGetRtpMap(track.PayloadType, out var map);
            media.SetRtpMap(map);
            AddFeedback(media, pt, track);
            if (track.Offered.GetFormatParameters(track.PayloadType) is { } parameters)
            {
                media.SetFormatParameters(track.PayloadType, parameters);
            }

            if (!Receives)
            {
                media.Attributes.Add("ssrc", ssrc + " cname:" + msid);
                media.Attributes.Add("ssrc", ssrc + " msid:" + msid + " " + trackId);
            }

            foreach (var candidate in candidates)
            {
                media.Attributes.Add("candidate", candidate.ToSdpAttribute()["candidate:".Length..]);
            }

            media.Attributes.Add("end-of-candidates");
            session.Media.Add(media);
        }

        return session.ToString();
    }

    private static void AddFeedback(SdpMedia media, string pt, WebRtcNegotiatedTrack track)
    {
        if (track.TransportWideCongestionControl)
        {
            media.Attributes.Add("rtcp-fb", pt + " transport-cc");
        }

        if (track.Nack)
        {
            media.Attributes.Add("rtcp-fb", pt + " nack");
        }

        if (track.PictureLossIndication)
        {
            media.Attributes.Add("rtcp-fb", pt + " nack pli");
        }

        if (track.FullIntraRequest)
        {
            media.Attributes.Add("rtcp-fb", pt + " ccm fir");
        }
    }

    // RFC 8830 §2: msid ids are 1-64 token characters; a path may hold '/', which is not one.
    private static string MsidToken(string streamId)
    {
        var chars = streamId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(64).ToArray();
        return chars.Length == 0 ? "parley" : new string(chars);
    }

    private static uint NewSsrc() => (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);

    private static string Describe(IEnumerable<WebRtcSourceTrack> tracks) =>
        string.Join(", ", tracks.Select(t => $"{t.MediaType} {t.EncodingName ?? "unknown"}"));
}
