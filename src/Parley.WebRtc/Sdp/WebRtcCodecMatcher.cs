using Parley.Rtp.Sdp;

namespace Parley.WebRtc.Sdp;

/// <summary>
/// Chooses, among the payload types a peer offers in one media section, the one that carries a source track
/// without transcoding (RFC 8829 §5.3.1: the answer uses the offerer's payload type numbers).
/// </summary>
/// <remarks>
/// H.264 (RFC 6184 §8.2.2, RFC 7742 §6.2): only packetization-mode 1 (FU-A and STAP-A, what every hub source sends).
/// The profile is matched in this order: the same profile_idc and constraint flags as the source, the same
/// profile_idc, then Constrained Baseline (42e0xx),
/// then any other profile with mode 1. The order accepts a High-profile source against a browser that offers only
/// Baseline and Main, which is what WHEP servers do in the field: Chromium's and Firefox's software decoders decode
/// every profile they can receive, and the offered profile-level-id only bounds what the browser would send.
/// </remarks>
public static class WebRtcCodecMatcher
{
    /// <summary>True when <paramref name="track"/>'s codec can be sent to a browser as is: H.264, VP8 or Opus.</summary>
    public static bool IsSupported(WebRtcSourceTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        return track.EncodingName is { } name && (track.IsVideo
            ? name.Equals("H264", StringComparison.OrdinalIgnoreCase) || name.Equals("VP8", StringComparison.OrdinalIgnoreCase)
            : name.Equals("opus", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Finds the offered payload type for <paramref name="track"/> in <paramref name="offered"/>.</summary>
    /// <param name="offered">One media section of the offer, of the track's media type.</param>
    /// <param name="track">The source track.</param>
    /// <param name="payloadType">The chosen payload type, or -1.</param>
    /// <returns>False when the section offers no payload type carrying the track's codec.</returns>
    public static bool TryMatch(SdpMedia offered, WebRtcSourceTrack track, out int payloadType)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(track);
        payloadType = -1;
        if (!IsSupported(track) || !string.Equals(offered.MediaType, track.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        int bestRank = int.MaxValue;
        foreach (int candidate in offered.PayloadTypes)
        {
            if (!offered.TryGetRtpMap(candidate, out var map)
                || !map.EncodingName.Equals(track.EncodingName, StringComparison.OrdinalIgnoreCase)
                || map.ClockRate != track.ClockRate)
            {
                continue;
            }

            int rank = track.EncodingName!.Equals("H264", StringComparison.OrdinalIgnoreCase)
                ? RankH264(offered.GetFormatParameterMap(candidate), track.FormatParameters)
                : 0;
            if (rank < bestRank)
            {
                bestRank = rank;
                payloadType = candidate;
            }
        }

        return payloadType >= 0;
    }

    // Lower is better; int.MaxValue refuses. Profile-level-id is three hex bytes: profile_idc, profile-iop, level_idc.
    private static int RankH264(IReadOnlyDictionary<string, string> offered, IReadOnlyDictionary<string, string> source)
    {
        if (!offered.TryGetValue("packetization-mode", out string? mode) || mode.Trim() != "1")
        {
            return int.MaxValue;
        }

        string offeredProfile = offered.TryGetValue("profile-level-id", out string? o) ? o.Trim() : "42001f";
        string sourceProfile = source.TryGetValue("profile-level-id", out string? s) ? s.Trim() : "42001f";
        if (offeredProfile.Length != 6 || sourceProfile.Length != 6)
        {
            return 4;
        }

        if (offeredProfile.AsSpan(0, 4).Equals(sourceProfile.AsSpan(0, 4), StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (offeredProfile.AsSpan(0, 2).Equals(sourceProfile.AsSpan(0, 2), StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        return offeredProfile.StartsWith("42e0", StringComparison.OrdinalIgnoreCase) ? 2 : 3;
    }
}
