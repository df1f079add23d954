using Microsoft.Extensions.Logging;
using Parley.Codecs.Gstreamer;
using Parley.Endpoint.Send;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Rooms;

/// <summary>Settings of a <see cref="RoomCall"/> (`parley call http://host:8080/r/ROOM`).</summary>
public sealed class RoomCallOptions : IPublishingOptions
{
    /// <summary>The room's page, http(s)://host:port/r/ROOM; the media goes to the same host's RTSP port from <c>welcome</c>.</summary>
    public required Uri RoomUrl { get; init; }

    /// <summary>The display name (1 to 64 characters); the hub derives the participant id from it.</summary>
    public required string Name { get; init; }

    /// <summary>What to publish.</summary>
    public required SourceSpecification Source { get; init; }

    /// <summary>Video codec sent; <see cref="SendVideoCodec.None"/> sends audio only.</summary>
    public SendVideoCodec Video { get; init; } = SendVideoCodec.Jpeg;

    /// <summary>Whether to send Opus audio.</summary>
    public bool Audio { get; init; } = true;

    /// <summary>Media transport both ways (publishing and every playback).</summary>
    public RtspClientTransport Transport { get; init; } = RtspClientTransport.Udp;

    /// <summary>Video size and rate sent.</summary>
    public VideoCaptureFormat VideoFormat { get; init; } = new(640, 480, 30);

    /// <summary>JPEG quality 1-100.</summary>
    public int JpegQuality { get; init; } = 80;

    /// <summary>Loop a file source, so a call does not end when its file does.</summary>
    public bool Loop { get; init; } = true;

    /// <summary>End the call after this long; null runs until cancelled.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Record each remote participant (no re-encoding, A/V synced) to <c>STEM-ID.EXT</c> next to this path
    /// (<see cref="RecordingPath"/>); null records nothing.
    /// </summary>
    public string? OutputPath { get; init; }

    /// <summary>The GStreamer video output chain for the tiled picture (a window, a framebuffer); null decodes without showing.</summary>
    public string? VideoOutput { get; init; }

    /// <summary>The GStreamer audio output chain for the mixed audio (ALSA); null mixes without playing.</summary>
    public string? AudioOutput { get; init; }

    /// <summary>Size of the tiled picture in pixels (even numbers).</summary>
    public (int Width, int Height) CanvasSize { get; init; } = (1280, 720);

    /// <summary>Lines to send as chat (stdin); null sends none. Read on a background thread until it ends.</summary>
    public TextReader? ChatInput { get; init; }

    /// <summary>
    /// How the hub's certificates are checked, for the https:// control socket and rtsps:// media alike; null uses
    /// <see cref="Trust.HubTrust.Default"/> (self-signed certificates pinned on first use).
    /// </summary>
    public Trust.HubTrust? Trust { get; init; }

    /// <summary>Joining, presence, chat lines, playbacks, reconnections.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// A join token (the hub's HS256 JWT) presented as <c>Authorization: Bearer</c> on the room's control WebSocket
    /// and on every RTSP request of publishing and playing; null presents none (a hub that trusts this machine).
    /// </summary>
    public string? Token { get; init; }

    /// <summary>The recording file of one participant: <c>dir/stem-ID.ext</c>, with <c>-N</c> added for their Nth stream of the call.</summary>
    /// <param name="outputPath">The --output path.</param>
    /// <param name="participantId">The participant's id.</param>
    /// <param name="streamNumber">1 for their first stream in this call, 2 when they published again, ...</param>
    public static string RecordingPath(string outputPath, string participantId, int streamNumber = 1)
    {
        ArgumentNullException.ThrowIfNull(outputPath);
        string directory = Path.GetDirectoryName(outputPath) ?? "";
        string name = $"{Path.GetFileNameWithoutExtension(outputPath)}-{participantId}{(streamNumber > 1 ? $"-{streamNumber}" : "")}{Path.GetExtension(outputPath)}";
        return Path.Combine(directory, name);
    }
}
