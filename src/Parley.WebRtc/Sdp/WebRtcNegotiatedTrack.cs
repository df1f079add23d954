using Parley.Rtp.Sdp;

namespace Parley.WebRtc.Sdp;

/// <summary>
/// One media section of an answer: which source track it sends, with which payload type and SSRC, and the RTCP
/// feedback (RFC 4585 §4.2) and header extensions (RFC 8285) both sides agreed on. Rejected sections have <see cref="SourceIndex"/> -1.
/// </summary>
public sealed class WebRtcNegotiatedTrack
{
    internal WebRtcNegotiatedTrack(string mid, SdpMedia offered, int sourceIndex, int payloadType, uint ssrc)
    {
        Mid = mid;
        Offered = offered;
        SourceIndex = sourceIndex;
        PayloadType = payloadType;
        Ssrc = ssrc;
        if (payloadType >= 0)
        {
            var feedback = offered.Attributes.GetAll("rtcp-fb");
            string prefix = payloadType.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ";
            bool transportCc = false;
            foreach (string line in feedback)
            {
                if (!line.StartsWith(prefix, StringComparison.Ordinal) && !line.StartsWith("* ", StringComparison.Ordinal))
                {
                    continue;
                }

                switch (line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim())
                {
                    case "nack":
                        Nack = true;
                        break;
                    case "nack pli":
                        PictureLossIndication = true;
                        break;
                    case "ccm fir":
                        FullIntraRequest = true;
                        break;
                    case "transport-cc":
                        transportCc = true;
                        break;
                }
            }

            Extensions = WebRtcHeaderExtensionIds.FromOffer(offered);
            TransportWideCongestionControl = transportCc && Extensions.TransportSequenceNumber != 0;
        }
    }

    /// <summary>The a=mid of the section (RFC 8843 §7.1), as offered.</summary>
    public string Mid { get; }

    /// <summary>The offered media section.</summary>
    public SdpMedia Offered { get; }

    /// <summary>"video" or "audio".</summary>
    public string MediaType => Offered.MediaType;

    /// <summary>The <see cref="WebRtcSourceTrack.Index"/> sent in this section, or -1 when the section is rejected.</summary>
    public int SourceIndex { get; }

    /// <summary>True when the section carries a source track.</summary>
    public bool IsAccepted => SourceIndex >= 0;

    /// <summary>The offered payload type chosen for the track (RTP packets are rewritten to it), or -1.</summary>
    public int PayloadType { get; }

    /// <summary>The SSRC this side sends with, announced in a=ssrc (RFC 5576 §4.1).</summary>
    public uint Ssrc { get; }

    /// <summary>The peer offered a=rtcp-fb nack (RFC 4585 §4.2) for the payload type.</summary>
    public bool Nack { get; }

    /// <summary>The peer offered a=rtcp-fb nack pli: it sends PLI when it needs a key frame.</summary>
    public bool PictureLossIndication { get; }

    /// <summary>The peer offered a=rtcp-fb ccm fir (RFC 5104 §7.1).</summary>
    public bool FullIntraRequest { get; }

    /// <summary>
    /// The peer offered a=rtcp-fb transport-cc and the transport-wide sequence number extension: the RTP sender
    /// stamps every packet with it and the receiver answers with RTPFB FMT 15 feedback
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §4).
    /// </summary>
    public bool TransportWideCongestionControl { get; }

    /// <summary>The header extensions of the offer that the answer echoes (RFC 8285 §8); all 0 for a rejected section.</summary>
    public WebRtcHeaderExtensionIds Extensions { get; }
}
