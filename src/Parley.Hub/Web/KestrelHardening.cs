using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Parley.Hub.Web;

/// <summary>
/// Kestrel limits for a hub facing the internet. Nothing the hub serves takes a request body (players and the
/// API are GETs; WebSocket frames are not bodies), so bodies are capped small; headers get a tight time budget so
/// a client sending them a byte at a time (slow loris) is cut off; idle keep-alive connections are closed sooner
/// than Kestrel's 130 s default. Kestrel already answers over-long request lines (8 KiB) and header blocks
/// (32 KiB, 100 headers) with 431/414 and closes.
/// </summary>
internal static class KestrelHardening
{
    /// <summary>Largest request body in bytes.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>Sets the limits on <paramref name="limits"/>.</summary>
    public static void Apply(KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = MaxRequestBodyBytes;
        limits.MaxRequestHeadersTotalSize = 32 * 1024;
        limits.MaxRequestHeaderCount = 64;
        limits.MaxRequestLineSize = 8 * 1024;
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
        // 240 B/s after a 5 s grace: a body trickled slower than that is a slow-request attack, not a client.
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.MaxConcurrentConnections = 10_000;
        limits.MaxConcurrentUpgradedConnections = 10_000;
    }
}
