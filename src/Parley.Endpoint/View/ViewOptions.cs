using Microsoft.Extensions.Logging;
using Parley.Media.Jitter;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.View;

/// <summary>Settings of a <see cref="ViewSession"/> (`parley view`).</summary>
public sealed class ViewOptions
{
    /// <summary>The default safety stop: 3 hours.</summary>
    public static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromHours(3);

    /// <summary>The stream, rtsp://[user:password@]host[:port]/path (or rtsps://).</summary>
    public required Uri Url { get; init; }

    /// <summary>How media is carried: UDP (reordered, reported) or interleaved on the RTSP connection.</summary>
    public RtspClientTransport Transport { get; init; } = RtspClientTransport.Udp;

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

    /// <summary>Stop after this long (from the start of the run, reconnections included); null runs until cancelled.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop after this long whatever <see cref="Duration"/> says: a safety stop for forgotten viewers.</summary>
    public TimeSpan MaxDuration { get; init; } = DefaultMaxDuration;

    /// <summary>Record the received media (no re-encoding) to this .mkv or .mp4 file; null records nothing.</summary>
    public string? OutputPath { get; init; }

    /// <summary>
    /// The GStreamer video output chain (<see cref="Codecs.Gstreamer.GstRenderSink.WindowOutput"/>, a framebuffer,
    /// ...); null decodes without showing.
    /// </summary>
    public string? VideoOutput { get; init; }

    /// <summary>The GStreamer audio output chain (ALSA); null decodes without playing.</summary>
    public string? AudioOutput { get; init; }

    /// <summary>
    /// Decoded video goes here instead of to <see cref="VideoOutput"/> (a room's grid tile); the session neither
    /// starts nor disposes it.
    /// </summary>
    public Codecs.IMediaSink? VideoSink { get; init; }

    /// <summary>
    /// Decoded audio (48 kHz stereo, one write per 20 ms tick) goes here instead of to <see cref="AudioOutput"/>
    /// (a room's mixer input); the session neither starts nor disposes it.
    /// </summary>
    public Codecs.IMediaSink? AudioSink { get; init; }

    /// <summary>Audio jitter buffer settings; the Opus defaults when null.</summary>
    public AudioJitterBufferOptions? JitterBuffer { get; init; }

    /// <summary>Called about once a second with the live status line; null for none.</summary>
    public Action<string>? Status { get; init; }

    /// <summary>Progress, reconnections and failures; null logs nothing.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The clock; <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}

/// <summary>
/// `parley view` could not start: the hub is unreachable, the path does not exist (404), credentials were refused
/// (401), the stream has nothing it can play, or --output cannot record it (a codec its container does not carry, a
/// file that cannot be written). The message is one line that says what to do.
/// </summary>
public sealed class ViewException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public ViewException()
        : base("parley view failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public ViewException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public ViewException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
