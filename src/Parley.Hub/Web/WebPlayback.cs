using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Parley.Hub.Streams;
using Parley.Media.Aac;

namespace Parley.Hub.Web;

/// <summary>How a browser plays a stream.</summary>
public enum WebPlaybackMode
{
    /// <summary>Nothing a browser can play (no JPEG or H.264 video, no Opus audio).</summary>
    None,

    /// <summary>JPEG frames drawn to a canvas and Opus packets decoded by WebCodecs (also audio-only Opus streams).</summary>
    Jpeg,

    /// <summary>H.264 (with Opus or AAC) as fragmented MP4 into Media Source Extensions.</summary>
    Mse,

    /// <summary>
    /// VP8 video (with Opus): played over WHEP (<c>POST /&lt;path&gt;/whep</c>), which carries it as it is. The
    /// WebSocket says so in its hello and stays open, sending nothing more, until the stream ends.
    /// </summary>
    WebRtc,
}

/// <summary>
/// Which tracks of a stream a browser gets and how: the first JPEG, H.264 or VP8 video track and the first Opus audio
/// track; with H.264 and no Opus, the first AAC track (RFC 3640 mpeg4-generic, which MSE plays as mp4a; the JPEG
/// player decodes Opus only). VP8 plays over WHEP. Other tracks (a second camera) are not sent to browsers.
/// </summary>
/// <param name="Mode">How the browser plays it.</param>
/// <param name="VideoTrack">Index of the video track, -1 for none.</param>
/// <param name="AudioTrack">Index of the Opus or AAC track, -1 for none.</param>
public readonly record struct WebPlayback(WebPlaybackMode Mode, int VideoTrack, int AudioTrack)
{
    /// <summary>Chooses the tracks of <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="webRtc">Whether the hub serves WHEP; without it a VP8 track is not played (only its Opus is).</param>
    public static WebPlayback For(MediaStream stream, bool webRtc = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int video = -1, audio = -1;
        var mode = WebPlaybackMode.None;
        foreach (var track in stream.Tracks)
        {
            string codec = track.EncodingName?.ToUpperInvariant() ?? "";
            if (video < 0 && track.IsVideo && (codec is "JPEG" or "H264" || (webRtc && codec == "VP8")))
            {
                video = track.Index;
                mode = codec switch { "JPEG" => WebPlaybackMode.Jpeg, "H264" => WebPlaybackMode.Mse, _ => WebPlaybackMode.WebRtc };
            }
            else if (audio < 0 && codec == "OPUS" && string.Equals(track.MediaType, "audio", StringComparison.OrdinalIgnoreCase))
            {
                audio = track.Index;
            }
        }

        if (mode == WebPlaybackMode.None && audio >= 0)
        {
            mode = WebPlaybackMode.Jpeg;
        }

        if (mode == WebPlaybackMode.Mse && audio < 0)
        {
            audio = stream.Tracks.FirstOrDefault(t => TryGetAacParameters(t, out _))?.Index ?? -1;
        }

        return new WebPlayback(mode, video, audio);
    }

    /// <summary>
    /// Audio channels as the SDP says: for Opus sprop-stereo (RFC 7587 §7.1: 1 means stereo; mono by default), for
    /// other codecs the rtpmap's encoding parameters (RFC 8866 §6.6; mono when absent).
    /// </summary>
    public static int AudioChannels(MediaTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        if (!int.TryParse(track.Media.Formats.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int payloadType))
        {
            return 2;
        }

        if (!string.Equals(track.EncodingName, "opus", StringComparison.OrdinalIgnoreCase))
        {
            return track.Media.TryGetRtpMap(payloadType, out var map) && map.Channels > 0 ? map.Channels : 1;
        }

        var fmtp = track.Media.GetFormatParameterMap(payloadType);
        return fmtp.TryGetValue("sprop-stereo", out string? stereo) && stereo == "1" ? 2 : 1;
    }

    /// <summary>True for an audio track of AAC in RTP mpeg4-generic (RFC 3640) whose parameters can be read.</summary>
    public static bool TryGetAacParameters(MediaTrack track, [NotNullWhen(true)] out Mpeg4GenericParameters? parameters)
    {
        ArgumentNullException.ThrowIfNull(track);
        parameters = null;
        return string.Equals(track.MediaType, "audio", StringComparison.OrdinalIgnoreCase)
            && string.Equals(track.EncodingName, "mpeg4-generic", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(track.Media.Formats.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int payloadType)
            && Mpeg4GenericParameters.TryParse(track.Media.GetFormatParameterMap(payloadType), out parameters);
    }

    /// <summary>The frame rate from SDP <c>a=framerate</c> (RFC 8866 §6.8), or 0 when absent.</summary>
    public static double SdpFrameRate(MediaTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        return double.TryParse(track.Media.Attributes.Get("framerate"), NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && rate > 0
            ? rate
            : 0;
    }
}
