using Microsoft.AspNetCore.Http;

namespace Parley.Hub.Web;

/// <summary>
/// Headers every hub response carries so its pages resist injection and framing: a Content-Security-Policy that
/// allows only the hub's own scripts (the player's audio worklet comes from a blob: URL; shadow-DOM styles are
/// inline), <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: no-referrer</c> (invitation links carry
/// tokens), and <c>frame-ancestors</c> limited to the hub and http.allowedOrigins, the pages that may embed it.
/// </summary>
internal sealed class SecurityHeaders(IReadOnlyList<string> allowedOrigins)
{
    private readonly string _frameAncestors = allowedOrigins.Contains("*")
        ? "*"
        : string.Join(' ', ["'self'", .. allowedOrigins]);

    /// <summary>Adds the headers before the response starts.</summary>
    public void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        string host = context.Request.Host.Value ?? "";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self' blob:; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; " +
            "img-src 'self' data: blob:; media-src 'self' blob:; " +
            $"connect-src 'self' ws://{host} wss://{host}; object-src 'none'; base-uri 'self'; form-action 'self'; " +
            $"frame-ancestors {_frameAncestors}";
    }
}
