using Microsoft.Extensions.Logging;
using Parley.Codecs.Gstreamer;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Send;

/// <summary>Video codec `parley send` encodes with.</summary>
public enum SendVideoCodec
{
    /// <summary>No video.</summary>
    None,

    /// <summary>JPEG through libturbojpeg, RFC 2435 payload.</summary>
    Jpeg,

    /// <summary>H.264 through GStreamer (x264enc or v4l2h264enc), RFC 6184 payload.</summary>
    H264,
}

/// <summary>Settings of a <see cref="SendSession"/>.</summary>
public sealed record SendOptions
{
    /// <summary>
    /// Settings that publish to <paramref name="url"/> what <paramref name="publishing"/> describes, with the other
    /// settings at their defaults (change them with <c>with</c>).
    /// </summary>
    /// <param name="url">The hub path to publish to.</param>
    /// <param name="publishing">Source, codecs, transport and hub access.</param>
    /// <param name="logger">Status and errors; null logs nothing.</param>
    /// <exception cref="ArgumentNullException">url or publishing is null.</exception>
    public static SendOptions For(Uri url, IPublishingOptions publishing, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(publishing);
        return new SendOptions
        {
            Url = url,
            Source = publishing.Source,
            Video = publishing.Video,
            Audio = publishing.Audio,
            Transport = publishing.Transport,
            VideoFormat = publishing.VideoFormat,
            JpegQuality = publishing.JpegQuality,
            Logger = logger,
            Trust = publishing.Trust,
            Token = publishing.Token,
        };
    }

    /// <summary>The URL without credentials; never the token or a password (a record would print every member).</summary>
    public override string ToString() =>
        $"{nameof(SendOptions)} {{ Url = {Url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)} }}";

    /// <summary>Hub path to publish to: rtsp://host:8554/path.</summary>
    public required Uri Url { get; init; }

    /// <summary>What to capture.</summary>
    public required SourceSpecification Source { get; init; }

    /// <summary>Video codec; <see cref="SendVideoCodec.None"/> sends audio only.</summary>
    public SendVideoCodec Video { get; init; } = SendVideoCodec.Jpeg;

    /// <summary>Whether to send Opus audio (when the source has audio).</summary>
    public bool Audio { get; init; } = true;

    /// <summary>Media transport toward the hub.</summary>
    public RtspClientTransport Transport { get; init; } = RtspClientTransport.Udp;

    /// <summary>Video size, rate and orientation.</summary>
    public VideoCaptureFormat VideoFormat { get; init; } = new(640, 480, 30);

    /// <summary>Audio channels captured and encoded (1 or 2).</summary>
    public int AudioChannels { get; init; } = 1;

    /// <summary>JPEG quality 1-100.</summary>
    public int JpegQuality { get; init; } = 80;

    /// <summary>H.264 bitrate in kbit/s.</summary>
    public int VideoBitrateKbps { get; init; } = 2000;

    /// <summary>H.264 key-frame interval in frames.</summary>
    public int KeyFrameInterval { get; init; } = 60;

    /// <summary>Opus bitrate in bit/s.</summary>
    public int AudioBitrate { get; init; } = 48000;

    /// <summary>
    /// Opus discontinuous transmission: during silence the encoder makes 1-2 byte frames, which are not sent
    /// (a comfort-noise update still goes out about every 400 ms), saving bandwidth on quiet microphones.
    /// </summary>
    public bool AudioDtx { get; init; }

    /// <summary>Mute switches read at every frame (a room call's /mute); null never mutes.</summary>
    public SendMuting? Muting { get; init; }

    /// <summary>RTP payload budget per packet in bytes (after the RTP header).</summary>
    public int MaxPayloadSize { get; init; } = 1200;

    /// <summary>Loop a file source.</summary>
    public bool Loop { get; init; }

    /// <summary>Stop after this long; null runs until cancelled or the source ends.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Status and errors.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// How an rtsps:// hub's certificate is checked (pinned on first use, or CA-trusted); null uses
    /// <see cref="Trust.HubTrust.Default"/>.
    /// </summary>
    public Trust.HubTrust? Trust { get; init; }

    /// <summary>
    /// A join token (the hub's HS256 JWT) presented to the hub as <c>Authorization: Bearer</c> on every RTSP request;
    /// null presents none (loopback, or user:password in the URL).
    /// </summary>
    public string? Token { get; init; }
}
