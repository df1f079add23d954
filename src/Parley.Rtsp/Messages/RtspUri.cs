using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Parley.Rtsp;

/// <summary>The parts of an rtsp:// or rtsps:// URL, as split by <see cref="RtspUri.TryParse(string, out RtspUriParts)"/>.</summary>
/// <param name="Scheme">"rtsp" or "rtsps", lower-cased.</param>
/// <param name="Host">Host name or address; IPv6 literals without the brackets, e.g. "::1".</param>
/// <param name="Port">TCP port; 554 for rtsp and 322 for rtsps when the URL names none (RFC 2326 §3.2).</param>
/// <param name="Path">Percent-decoded path without leading or trailing '/', e.g. "cam/trackID=0"; empty for the root.</param>
/// <param name="Query">Query without the '?', not decoded; null when absent.</param>
/// <param name="User">Percent-decoded user name from "user:pass@"; null when absent.</param>
/// <param name="Password">Percent-decoded password; null when absent.</param>
public sealed record RtspUriParts(string Scheme, string Host, int Port, string Path, string? Query, string? User, string? Password);

/// <summary>Splitting and combining RTSP URLs (RFC 2326 §3.2, §C.1.1).</summary>
public static class RtspUri
{
    /// <summary>Default TCP port of rtsp:// URLs (RFC 2326 §3.2).</summary>
    public const int DefaultPort = 554;

    /// <summary>Default TCP port of rtsps:// URLs (IANA "rtsps", RFC 2326 §3.2 leaves it to TLS).</summary>
    public const int DefaultSecurePort = 322;

    /// <summary>Splits an rtsp:// or rtsps:// URL; user information is stripped (see the other overload to get it).</summary>
    /// <returns>False when the scheme is not rtsp/rtsps, the host is empty, or the port is not a number 1–65535.</returns>
    [SuppressMessage("Design", "CA1054:URI-like parameters should not be strings", Justification = "Wire text; System.Uri does not know rtsp.")]
    public static bool TryParse(string uri, out string host, out int port, out string path, out string? query)
    {
        if (TryParse(uri, out RtspUriParts? parts))
        {
            (host, port, path, query) = (parts.Host, parts.Port, parts.Path, parts.Query);
            return true;
        }

        (host, port, path, query) = (string.Empty, 0, string.Empty, null);
        return false;
    }

    /// <summary>
    /// Splits an rtsp:// or rtsps:// URL into its parts:
    /// <code>
    /// rtsp_URL = ( "rtsp:" | "rtspu:" ) "//" host [ ":" port ] [ abs_path ]   (RFC 2326 §3.2)
    /// authority = [ userinfo "@" ] host [ ":" port ]                          (RFC 3986 §3.2)
    /// </code>
    /// </summary>
    /// <param name="uri">The URL, e.g. "rtsp://user:pa%40ss@[::1]:8554/cam?token=1".</param>
    /// <param name="parts">The parts; null on failure.</param>
    /// <returns>False when the scheme is not rtsp/rtsps, the host is empty, or the port is not a number 1–65535.</returns>
    [SuppressMessage("Design", "CA1054:URI-like parameters should not be strings", Justification = "Wire text; System.Uri does not know rtsp.")]
    public static bool TryParse(string uri, [NotNullWhen(true)] out RtspUriParts? parts)
    {
        parts = null;
        if (string.IsNullOrEmpty(uri))
        {
            return false;
        }

        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return false;
        }

        var scheme = uri[..schemeEnd].ToLowerInvariant();
        int defaultPort;
        if (scheme == "rtsp")
        {
            defaultPort = DefaultPort;
        }
        else if (scheme == "rtsps")
        {
            defaultPort = DefaultSecurePort;
        }
        else
        {
            return false;
        }

        var rest = uri.AsSpan(schemeEnd + 3);
        var authorityEnd = rest.IndexOfAny('/', '?', '#');
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var tail = authorityEnd < 0 ? [] : rest[authorityEnd..];

        string? user = null;
        string? password = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? userInfo.ToString() : userInfo[..colon].ToString());
            password = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..].ToString());
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> portText;
        if (authority.StartsWith("["))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (!after.IsEmpty && after[0] != ':')
            {
                return false;
            }

            portText = after.IsEmpty ? [] : after[1..];
        }
        else
        {
            var colon = authority.IndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? [] : authority[(colon + 1)..];
        }

        if (host.IsEmpty || host.ContainsAny(" \t\r\n"))
        {
            return false;
        }

        var port = defaultPort;
        if (!portText.IsEmpty
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return false;
        }

        var hash = tail.IndexOf('#');
        if (hash >= 0)
        {
            tail = tail[..hash];
        }

        string? query = null;
        var question = tail.IndexOf('?');
        if (question >= 0)
        {
            query = tail[(question + 1)..].ToString();
            tail = tail[..question];
        }

        var path = Uri.UnescapeDataString(tail.Trim('/').ToString());
        parts = new RtspUriParts(scheme, host.ToString(), port, path, query, user, password);
        return true;
    }

    /// <summary>
    /// Resolves a media-level control attribute against the presentation's base URL (RFC 2326 §C.1.1, §C.3):
    /// an absolute control URL is used as is; "*" or empty means the base itself; otherwise the control is
    /// appended to the base with exactly one '/' between them (what ffmpeg, GStreamer and MediaMTX do, rather
    /// than RFC 3986 resolution, which would drop the last base segment).
    /// </summary>
    /// <param name="baseUri">Content-Base, Content-Location or the DESCRIBE URL.</param>
    /// <param name="control">The a=control value, e.g. "trackID=0", "*", or "rtsp://h/cam/track1".</param>
    /// <returns>The URL to send SETUP (or aggregate PLAY) to.</returns>
    [SuppressMessage("Design", "CA1054:URI-like parameters should not be strings", Justification = "Wire text.")]
    [SuppressMessage("Design", "CA1055:URI-like return values should not be strings", Justification = "Wire text.")]
    public static string Combine(string baseUri, string control)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        if (string.IsNullOrWhiteSpace(control) || control.Trim() == "*")
        {
            return baseUri;
        }

        control = control.Trim();
        if (control.Contains("://", StringComparison.Ordinal))
        {
            return control;
        }

        return string.Concat(baseUri.AsSpan().TrimEnd('/'), "/", control.AsSpan().TrimStart('/'));
    }
}
