using System.Globalization;
using Parley.Media.H264;
using Parley.Rtp.Sdp;

namespace Parley.Endpoint.View;

/// <summary>The codecs `parley view` decodes.</summary>
public enum ViewCodec
{
    /// <summary>H.264, RFC 6184 (packetization-mode 0 or 1), 90 kHz.</summary>
    H264,

    /// <summary>Motion JPEG, RFC 2435 (static payload type 26), 90 kHz.</summary>
    Jpeg,

    /// <summary>Opus, RFC 7587, 48 kHz.</summary>
    Opus,

    /// <summary>VP8, RFC 7741, 90 kHz (what browsers publish over WebRTC).</summary>
    Vp8,

    /// <summary>G.711 μ-law, RFC 3551 §4.5.14 (static payload type 0), 8000 Hz, one channel, one byte per sample.</summary>
    Pcmu,

    /// <summary>G.711 A-law, RFC 3551 §4.5.14 (static payload type 8), 8000 Hz, one channel, one byte per sample.</summary>
    Pcma,
}

/// <summary>One media of the SDP that `parley view` plays.</summary>
/// <param name="MediaIndex">Position of the m= line in the SDP (0-based), the index RTSP callbacks use.</param>
/// <param name="MediaType">"video" or "audio".</param>
/// <param name="Codec">What the payload is.</param>
/// <param name="PayloadType">The RTP payload type of that codec in this media.</param>
/// <param name="ClockRate">RTP clock rate in Hz.</param>
/// <param name="Channels">Audio channels the stream announces (Opus: 2 with sprop-stereo=1, else 1); 0 for video.</param>
/// <param name="H264">H.264 parameters from a=fmtp (SPS/PPS from sprop-parameter-sets); null for other codecs.</param>
public sealed record ViewTrack(int MediaIndex, string MediaType, ViewCodec Codec, int PayloadType, int ClockRate, int Channels, H264Parameters? H264)
{
    /// <summary>The codec as people write it: "H264", "Jpeg", "Opus", "Vp8", "PCMU" or "PCMA" (the RTP encoding names for G.711).</summary>
    public string CodecName => Codec switch
    {
        ViewCodec.Pcmu => "PCMU",
        ViewCodec.Pcma => "PCMA",
        _ => Codec.ToString(),
    };
}

/// <summary>The tracks chosen from a session description, and why the others were not.</summary>
/// <param name="Video">The first H.264, VP8 or JPEG video media, or null.</param>
/// <param name="Audio">The first Opus or G.711 (PCMU, PCMA) audio media, or null.</param>
/// <param name="Skipped">One line per media not played: its index, type and encoding.</param>
public sealed record ViewTrackSelection(ViewTrack? Video, ViewTrack? Audio, IReadOnlyList<string> Skipped)
{
    /// <summary>True when nothing playable was found.</summary>
    public bool IsEmpty => Video is null && Audio is null;
}

/// <summary>Picks what `parley view` plays from an SDP (RFC 8866): one video and one audio track by codec.</summary>
public static class ViewTracks
{
    /// <summary>
    /// Chooses the first video media carrying H.264, VP8 or JPEG and the first audio media carrying Opus (else the
    /// first carrying G.711), each at its first payload type of such a codec (the sender's preference order). G.711 is one channel at
    /// 8000 Hz: static payload type 0 (PCMU) or 8 (PCMA) with or without a=rtpmap (RFC 3551 §6, table 4), or a
    /// dynamic type mapped to PCMU/8000 or PCMA/8000. Other media are listed in <see cref="ViewTrackSelection.Skipped"/>.
    /// </summary>
    /// <param name="sdp">The session description from DESCRIBE.</param>
    public static ViewTrackSelection Select(SdpSession sdp)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        var found = new List<(ViewTrack? Track, string Description)>(sdp.Media.Count);
        for (int i = 0; i < sdp.Media.Count; i++)
        {
            var media = sdp.Media[i];
            ViewTrack? track = TryMatch(i, media, out string encodings);
            found.Add((track, string.Create(CultureInfo.InvariantCulture, $"media {i} ({media.MediaType} {encodings})")));
        }

        ViewTrack? video = found.Select(f => f.Track).FirstOrDefault(t => t is { MediaType: "video" });

        // An IP camera may offer G.711 next to Opus in separate media: Opus is the better sound.
        ViewTrack? audio = found.Select(f => f.Track).FirstOrDefault(t => t is { MediaType: "audio", Codec: ViewCodec.Opus })
            ?? found.Select(f => f.Track).FirstOrDefault(t => t is { MediaType: "audio" });
        var skipped = found.Where(f => f.Track is null || (f.Track != video && f.Track != audio)).Select(f => f.Description).ToList();
        return new ViewTrackSelection(video, audio, skipped);
    }

    /// <summary>The static payload type of PCMU (RFC 3551 §6, table 4).</summary>
    public const int PcmuPayloadType = 0;

    /// <summary>The static payload type of PCMA (RFC 3551 §6, table 4).</summary>
    public const int PcmaPayloadType = 8;

    /// <summary>The RTP clock rate of G.711 in Hz (RFC 3551 §4.5.14), also its sample rate.</summary>
    public const int G711ClockRate = 8000;

    private static ViewTrack G711(int index, ViewCodec codec, int payloadType) =>
        new(index, "audio", codec, payloadType, G711ClockRate, 1, null);

    private static ViewTrack? TryMatch(int index, SdpMedia media, out string encodings)
    {
        var names = new List<string>();
        string type = media.MediaType.ToLowerInvariant();
        foreach (int pt in media.PayloadTypes)
        {
            if (!media.TryGetRtpMap(pt, out var map))
            {
                // RFC 3551 §6: the static audio types need no a=rtpmap.
                if (type == "audio" && pt is PcmuPayloadType or PcmaPayloadType)
                {
                    encodings = pt == PcmuPayloadType ? "PCMU" : "PCMA";
                    return G711(index, pt == PcmuPayloadType ? ViewCodec.Pcmu : ViewCodec.Pcma, pt);
                }

                names.Add(pt.ToString(CultureInfo.InvariantCulture));
                continue;
            }

            names.Add(map.EncodingName);
            string name = map.EncodingName.ToUpperInvariant();
            if (type == "video" && name == "H264")
            {
                var fmtp = media.GetFormatParameterMap(pt);
                if (H264Parameters.TryParse(fmtp, out var parameters) && parameters.PacketizationMode is 0 or 1)
                {
                    encodings = name;
                    return new ViewTrack(index, type, ViewCodec.H264, pt, map.ClockRate, 0, parameters);
                }
            }
            else if (type == "video" && name is "JPEG" or "VP8")
            {
                encodings = name;
                return new ViewTrack(index, type, name == "VP8" ? ViewCodec.Vp8 : ViewCodec.Jpeg, pt, map.ClockRate, 0, null);
            }
            else if (type == "audio" && name == "OPUS")
            {
                var fmtp = media.GetFormatParameterMap(pt);
                int channels = fmtp.TryGetValue("sprop-stereo", out string? stereo) && stereo.Trim() == "1" ? 2 : 1;
                encodings = name;
                return new ViewTrack(index, type, ViewCodec.Opus, pt, map.ClockRate, channels, null);
            }
            else if (type == "audio" && name is "PCMU" or "PCMA" && map.ClockRate == G711ClockRate && map.Channels <= 1)
            {
                encodings = name;
                return G711(index, name == "PCMU" ? ViewCodec.Pcmu : ViewCodec.Pcma, pt);
            }
        }

        encodings = names.Count == 0 ? "no payload types" : string.Join('/', names);
        return null;
    }
}
