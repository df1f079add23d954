using Microsoft.AspNetCore.Http;

namespace Parley.Hub.Web;

/// <summary>
/// Which web pages may use the hub from a browser: its own pages always, other origins only when listed in
/// <c>http.allowedOrigins</c> ("*" for any). Browsers send <c>Origin</c> on WebSocket handshakes and cross-origin
/// requests; a WebSocket from an unlisted origin is refused (browsers do not apply CORS to WebSockets, so the
/// server must check), and HTTP answers carry <c>Access-Control-Allow-Origin</c> only for listed origins.
/// </summary>
public sealed class OriginPolicy
{
    private readonly HashSet<string> _allowed;
    private readonly bool _any;

    /// <summary>Creates the policy from the configured origins (scheme://host[:port], or "*").</summary>
    public OriginPolicy(IEnumerable<string> allowedOrigins)
    {
        _allowed = new HashSet<string>(allowedOrigins, StringComparer.OrdinalIgnoreCase);
        _any = _allowed.Contains("*");
    }

    /// <summary>
    /// True when the request has no Origin (not from a browser page, or a same-origin GET), comes from the hub's
    /// own origin, or from a listed one.
    /// </summary>
    public bool IsAllowed(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? origin = request.Headers.Origin;
        return string.IsNullOrEmpty(origin) || IsSameOrigin(request, origin) || _any || _allowed.Contains(origin);
    }

    /// <summary>Adds CORS headers for an allowed cross-origin request (the Fetch standard's CORS protocol).</summary>
    public void AddCorsHeaders(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? origin = context.Request.Headers.Origin;
        if (!string.IsNullOrEmpty(origin) && !IsSameOrigin(context.Request, origin) && (_any || _allowed.Contains(origin)))
        {
            context.Response.Headers.AccessControlAllowOrigin = origin;
            context.Response.Headers.Vary = "Origin";
        }
    }

    private static bool IsSameOrigin(HttpRequest request, string origin) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
}
