using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using Parley.Rtp.Sdp;

namespace Parley.WebRtc.Sdp;

/// <summary>
/// Answers one offer whose media sections belong to different sources (a room: the offerer's own camera and
/// microphone, plus a recvonly section per track of each other participant) by answering each group of sections
/// on its own with <see cref="WebRtcAnswer"/> and putting the answered sections back together, in offer order, on
/// one BUNDLE transport (RFC 8843). Renegotiation (RFC 8829 §5.3.2) keeps a group's answered sections as they were
/// (same SSRC, same payload type), so the browser's receivers carry on.
/// </summary>
public static class WebRtcBundleAnswer
{
    /// <summary>
    /// The offer cut down to the sections with the given mids, in offer order, with the session-level attributes;
    /// so that <see cref="WebRtcAnswer.TryNegotiate"/> matches a source's tracks only against its own sections.
    /// </summary>
    /// <param name="offer">The whole offer.</param>
    /// <param name="mids">The a=mid values to keep.</param>
    /// <param name="part">The smaller offer when the result is true.</param>
    /// <returns>False when none of the mids is in the offer, or the cut offer lacks ICE or DTLS parameters.</returns>
    public static bool TrySelect(WebRtcOffer offer, IReadOnlySet<string> mids, [NotNullWhen(true)] out WebRtcOffer? part)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(mids);
        var session = offer.Session.Clone();
        session.Media.Clear();
        for (int i = 0; i < offer.Session.Media.Count; i++)
        {
            if (mids.Contains(Mid(offer.Session.Media[i], i)))
            {
                session.Media.Add(offer.Session.Media[i].Clone());
            }
        }

        if (session.Media.Count == 0)
        {
            part = null;
            return false;
        }

        // Browsers write the transport parameters into every section; an offer that bundles them only into the first
        // section (RFC 8843 §7.1.1) gets them copied, since the first section may not be kept.
        var first = session.Media[0];
        foreach (string name in (string[])["ice-ufrag", "ice-pwd", "fingerprint", "setup"])
        {
            if (first.Attributes.Get(name) is null)
            {
                string? value = name switch
                {
                    "ice-ufrag" => offer.IceUfrag,
                    "ice-pwd" => offer.IcePassword,
                    "fingerprint" => offer.Fingerprint.ToString(),
                    _ => offer.Setup,
                };
                first.Attributes.Add(name, value);
            }
        }

        return WebRtcOffer.TryParse(session.ToString(), out part, out _);
    }

    /// <summary>The media sections of an answer SDP (from <see cref="WebRtcAnswer.ToSdp"/>), by a=mid.</summary>
    /// <param name="answerSdp">An answer written by <see cref="WebRtcAnswer.ToSdp"/>.</param>
    /// <returns>Every section that has a mid; empty when the text does not parse.</returns>
    public static IReadOnlyDictionary<string, SdpMedia> SectionsByMid(string answerSdp)
    {
        var sections = new Dictionary<string, SdpMedia>(StringComparer.Ordinal);
        if (SdpSession.TryParse(answerSdp, out var session, out _) && session is not null)
        {
            foreach (var media in session.Media)
            {
                if (media.Attributes.Get("mid") is { } mid)
                {
                    sections[mid] = media;
                }
            }
        }

        return sections;
    }

    /// <summary>
    /// Writes the answer: for each offered section in order, the answered section from <paramref name="answered"/>
    /// (by mid), or a rejected one when there is none or the offerer stopped the section (port 0, a=inactive, outside the BUNDLE group; RFC 8829 §5.3.1).
    /// </summary>
    /// <param name="offer">The whole offer.</param>
    /// <param name="answered">Answered sections by mid, as <see cref="SectionsByMid"/> returns them.</param>
    /// <returns>The answer SDP, CRLF line ends.</returns>
    public static string Compose(WebRtcOffer offer, IReadOnlyDictionary<string, SdpMedia> answered)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answered);
        var session = new SdpSession
        {
            Origin = string.Create(CultureInfo.InvariantCulture, $"- {RandomNumberGenerator.GetInt32(1, int.MaxValue)} 1 IN IP4 0.0.0.0"),
        };
        var bundle = new List<string>();
        for (int i = 0; i < offer.Session.Media.Count; i++)
        {
            var media = offer.Session.Media[i];
            string mid = Mid(media, i);
            if (media.Port != 0 && answered.TryGetValue(mid, out var section) && section.Port != 0)
            {
                bundle.Add(mid);
                session.Media.Add(section);
                continue;
            }

            var rejected = new SdpMedia { MediaType = media.MediaType, Port = 0, Protocol = media.Protocol, Connection = "IN IP4 0.0.0.0" };
            rejected.Formats.Add(media.Formats.Count > 0 ? media.Formats[0] : "0");
            rejected.Attributes.Add("mid", mid);
            rejected.Attributes.Add("inactive");
            session.Media.Add(rejected);
        }

        if (bundle.Count > 0)
        {
            session.Attributes.Add("group", "BUNDLE " + string.Join(' ', bundle));
        }

        session.Attributes.Add("ice-lite");
        session.Attributes.Add("msid-semantic", " WMS *");
        return session.ToString();
    }

    /// <summary>A section's a=mid, or its index as text when it has none (what <see cref="WebRtcAnswer"/> uses).</summary>
    public static string Mid(SdpMedia media, int index)
    {
        ArgumentNullException.ThrowIfNull(media);
        return media.Attributes.Get("mid") ?? index.ToString(CultureInfo.InvariantCulture);
    }
}
