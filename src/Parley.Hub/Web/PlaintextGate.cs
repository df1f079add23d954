using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Parley.Security.Access;

namespace Parley.Hub.Web;

/// <summary>What plain HTTP does with a request (see <see cref="PlaintextGate.Decide"/>).</summary>
internal enum PlaintextAnswer
{
    /// <summary>Serve it: HTTPS, or a client plain HTTP may serve.</summary>
    Serve,

    /// <summary>308 to the same URL on HTTPS: a page (GET/HEAD, not the API, not a WebSocket), so a browser follows.</summary>
    Redirect,

    /// <summary>403 naming the HTTPS URL: API calls, WebSocket upgrades and WHIP/WHEP would carry credentials or media in clear.</summary>
    Refuse,
}

/// <summary>
/// Keeps plain HTTP to the clients http.plaintext allows (loopback by default). Pages redirect with 308 (RFC 9110
/// §15.4.9, which keeps the method) to https://host:tlsPort; requests a redirect would not help, or that would have
/// sent a token or password in clear before it took effect, are refused with 403 and the HTTPS URL in the body and in
/// X-Parley-Error (a refused WebSocket handshake shows the client only headers).
/// </summary>
internal sealed class PlaintextGate(PlaintextMode mode, Func<int> tlsPort)
{
    /// <summary>The decision for one request, a pure function so it is tested for any client address.</summary>
    /// <param name="isHttps">The request came over TLS.</param>
    /// <param name="mode">http.plaintext.</param>
    /// <param name="remote">The client's address.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path, starting with '/'.</param>
    /// <param name="isWebSocket">The request asks to upgrade to a WebSocket.</param>
    /// <param name="httpsAvailable">HTTPS is listening (http.tls).</param>
    public static PlaintextAnswer Decide(bool isHttps, PlaintextMode mode, IPAddress remote, string method, string path, bool isWebSocket, bool httpsAvailable)
    {
        if (isHttps || PlaintextPolicy.Permits(mode, remote))
        {
            return PlaintextAnswer.Serve;
        }

        bool page = (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) && !isWebSocket
            && !path.StartsWith("/api/", StringComparison.Ordinal);
        return page && httpsAvailable ? PlaintextAnswer.Redirect : PlaintextAnswer.Refuse;
    }

    /// <summary>The HTTPS URL of <paramref name="request"/>: the host the client asked for, on the HTTPS port.</summary>
    public static string HttpsUrl(HttpRequest request, int port, IPAddress? local)
    {
        string host = request.Host.HasValue ? request.Host.Host : FormatHost(local ?? IPAddress.Loopback);
        return string.Create(CultureInfo.InvariantCulture, $"https://{host}:{port}{request.PathBase}{request.Path}{request.QueryString}");
    }

    /// <summary>True when the request was answered here (redirected or refused); false to let it through.</summary>
    public async Task<bool> TryAnswerAsync(HttpContext context)
    {
        int port = tlsPort();
        var request = context.Request;
        var answer = Decide(request.IsHttps, mode, context.Connection.RemoteIpAddress ?? IPAddress.None, request.Method,
            request.Path.Value ?? "/", IsWebSocketUpgrade(request), port != 0);
        if (answer == PlaintextAnswer.Serve)
        {
            return false;
        }

        context.Response.Headers.CacheControl = "no-store";
        if (answer == PlaintextAnswer.Redirect)
        {
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = HttpsUrl(request, port, context.Connection.LocalIpAddress);
            return true;
        }

        string reason = port != 0
            ? $"plain HTTP is served to {Whom} only; use {HttpsUrl(request, port, context.Connection.LocalIpAddress)} (the hub prints its certificate fingerprint at start)"
            : $"plain HTTP is served to {Whom} only and HTTPS is off (http.tls: false); ask the hub's operator to turn http.tls on, or to set http.plaintext: allow on a trusted network";
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers["X-Parley-Error"] = reason;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason + "\n", context.RequestAborted);
        return true;
    }

    // Read from the headers: this runs before UseWebSockets, which is what sets context.WebSockets up.
    private static bool IsWebSocketUpgrade(HttpRequest request) =>
        request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);

    private string Whom => mode == PlaintextMode.Off ? "no client (http.plaintext: off)" : "clients on the hub's own machine (http.plaintext: loopback)";

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6 ? $"[{address}]"
            : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
