using System.Globalization;
using Parley.Rtp.Sdp;

namespace Parley.WebRtc.Sdp;

/// <summary>
/// The RTP header extensions (RFC 8285) both sides of a WebRTC media section use, by the local identifier the
/// offer gave them (a=extmap, RFC 8285 §8); the answer echoes them with the same ids. 0 means not negotiated.
/// Only ids 1-14 are taken, so one-byte headers (RFC 8285 §4.2) carry all of them.
/// </summary>
/// <param name="Mid">urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 §15.2): the section's a=mid, for BUNDLE demultiplexing.</param>
/// <param name="AbsoluteSendTime">http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time: 24-bit 6.18 fixed-point seconds.</param>
/// <param name="TransportSequenceNumber">http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01:
/// a 16-bit sequence number shared by all RTP packets of the transport (§2).</param>
public readonly record struct WebRtcHeaderExtensionIds(byte Mid, byte AbsoluteSendTime, byte TransportSequenceNumber)
{
    /// <summary>The URI of the MID extension (RFC 8843 §15.2).</summary>
    public const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>The URI of the absolute send time extension.</summary>
    public const string AbsoluteSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>The URI of the transport-wide sequence number extension.</summary>
    public const string TransportSequenceNumberUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>
    /// Reads the a=extmap lines of an offered section (<c>a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;uri&gt; [attributes]</c>).
    /// Lines that do not parse, ids outside 1-14 and other URIs are ignored. Never throws.
    /// </summary>
    public static WebRtcHeaderExtensionIds FromOffer(SdpMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);
        byte mid = 0, absoluteSendTime = 0, transportSequenceNumber = 0;
        foreach (string line in media.Attributes.GetAll("extmap"))
        {
            var text = line.AsSpan().Trim();
            int space = text.IndexOf(' ');
            if (space <= 0)
            {
                continue;
            }

            var idText = text[..space];
            int slash = idText.IndexOf('/');
            if (slash >= 0)
            {
                idText = idText[..slash];
            }

            if (!byte.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out byte id) || id is < 1 or > 14)
            {
                continue;
            }

            var rest = text[(space + 1)..].TrimStart();
            int end = rest.IndexOf(' ');
            var uri = end < 0 ? rest : rest[..end];
            if (uri.SequenceEqual(MidUri))
            {
                mid = id;
            }
            else if (uri.SequenceEqual(AbsoluteSendTimeUri))
            {
                absoluteSendTime = id;
            }
            else if (uri.SequenceEqual(TransportSequenceNumberUri))
            {
                transportSequenceNumber = id;
            }
        }

        return new WebRtcHeaderExtensionIds(mid, absoluteSendTime, transportSequenceNumber);
    }

    /// <summary>The a=extmap values to answer with ("&lt;id&gt; &lt;uri&gt;"), in id order.</summary>
    public IEnumerable<string> ToExtmapValues()
    {
        var pairs = new List<(byte Id, string Uri)>(3);
        if (Mid != 0)
        {
            pairs.Add((Mid, MidUri));
        }

        if (AbsoluteSendTime != 0)
        {
            pairs.Add((AbsoluteSendTime, AbsoluteSendTimeUri));
        }

        if (TransportSequenceNumber != 0)
        {
            pairs.Add((TransportSequenceNumber, TransportSequenceNumberUri));
        }

        return pairs.OrderBy(p => p.Id).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Id} {p.Uri}"));
    }
}
