using Microsoft.Extensions.Logging;
using Parley.Codecs.Gstreamer;
using Parley.Endpoint.Send;
using Parley.Rtsp.Client;

[assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Scope = "namespace", Target = "~N:Parley.Endpoint.Call", Justification = "'Call' is a VB keyword only; the namespace mirrors Send and View and is not meant for VB consumers.")]

namespace Parley.Endpoint.Call;

/// <summary>Settings of a <see cref="CallSession"/> (`parley call`): what this side sends and how it shows the peer.</summary>
public sealed class CallOptions : IPublishingOptions
{
    /// <summary>
    /// The hub (or the peer's in-process hub) the call goes through: rtsp://[user:password@]host:port[/room]. This
    /// side publishes to <c>Hub/Name</c> and plays <c>Hub/Peer</c>.
    /// </summary>
    public required Uri Hub { get; init; }

    /// <summary>This side's path name under <see cref="Hub"/> (letters, digits, '-', '_', '.').</summary>
    public required string Name { get; init; }

    /// <summary>The peer's path name; null only sends.</summary>
    public string? Peer { get; init; }

    /// <summary>What to capture.</summary>
    public required SourceSpecification Source { get; init; }

    /// <summary>Video codec sent; <see cref="SendVideoCodec.None"/> sends audio only.</summary>
    public SendVideoCodec Video { get; init; } = SendVideoCodec.Jpeg;

    /// <summary>Whether to send Opus audio.</summary>
    public bool Audio { get; init; } = true;

    /// <summary>Media transport both ways; TCP interleaved passes a single forwarded port (ssh -L) and firewalls.</summary>
    public RtspClientTransport Transport { get; init; } = RtspClientTransport.Udp;

    /// <summary>Video size and rate sent.</summary>
    public VideoCaptureFormat VideoFormat { get; init; } = new(640, 480, 30);

    /// <summary>JPEG quality 1-100.</summary>
    public int JpegQuality { get; init; } = 80;

    /// <summary>End the call after this long (from its start, waiting for the peer included); null runs until cancelled.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Record what the peer sends (no re-encoding) to this .mkv or .mp4 file; null records nothing.</summary>
    public string? OutputPath { get; init; }

    /// <summary>GStreamer video output chain for the peer's picture; null decodes without showing.</summary>
    public string? VideoOutput { get; init; }

    /// <summary>GStreamer audio output chain for the peer's voice; null decodes without playing.</summary>
    public string? AudioOutput { get; init; }

    /// <summary>Called about once a second with a status line prefixed "send:" or "view:"; null for none.</summary>
    public Action<string>? Status { get; init; }

    /// <summary>Progress, waiting for the peer, reconnections.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>How an rtsps:// hub's certificate is checked; null uses <see cref="Trust.HubTrust.Default"/>.</summary>
    public Trust.HubTrust? Trust { get; init; }

    /// <summary>
    /// A join token (the hub's HS256 JWT) presented to the hub as <c>Authorization: Bearer</c> on every RTSP request;
    /// null presents none (loopback, or user:password in the URL).
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Whether <paramref name="name"/> can be a path segment: 1-64 of letters, digits, '-', '_', '.' (not "." or "..").</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name is not ("." or "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The path URL of <paramref name="name"/> under <paramref name="hub"/>: rtsp://host:port/room + "alice" is rtsp://host:port/room/alice.</summary>
    public static Uri PathOf(Uri hub, string name)
    {
        ArgumentNullException.ThrowIfNull(hub);
        return new UriBuilder(hub) { Path = hub.AbsolutePath.TrimEnd('/') + "/" + name, Query = "", Fragment = "" }.Uri;
    }
}
