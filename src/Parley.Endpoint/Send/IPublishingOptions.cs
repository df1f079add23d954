using Parley.Codecs.Gstreamer;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Send;

/// <summary>
/// What an endpoint publishes and how it reaches the hub: the settings a call (`parley call`, peer or room mode)
/// hands to the <see cref="SendSession"/> that publishes for it (see <see cref="SendOptions.For"/>).
/// </summary>
public interface IPublishingOptions
{
    /// <summary>What to capture.</summary>
    SourceSpecification Source { get; }

    /// <summary>Video codec sent; <see cref="SendVideoCodec.None"/> sends audio only.</summary>
    SendVideoCodec Video { get; }

    /// <summary>Whether to send Opus audio.</summary>
    bool Audio { get; }

    /// <summary>Media transport toward the hub.</summary>
    RtspClientTransport Transport { get; }

    /// <summary>Video size and rate sent.</summary>
    VideoCaptureFormat VideoFormat { get; }

    /// <summary>JPEG quality 1-100.</summary>
    int JpegQuality { get; }

    /// <summary>How an rtsps:// hub's certificate is checked; null uses <see cref="Trust.HubTrust.Default"/>.</summary>
    Trust.HubTrust? Trust { get; }

    /// <summary>A join token presented as <c>Authorization: Bearer</c> on every RTSP request; null presents none.</summary>
    string? Token { get; }
}
