using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Parley.Hub.Auth;

namespace Parley.Hub.Web;

/// <summary>
/// The HTTP face of <see cref="HubAuthorizer"/>. Credentials: <c>Authorization: Basic</c> (RFC 7617; browsers
/// prompt for it after the 401 and resend it, WebSocket handshakes included), <c>Authorization: Bearer &lt;join
/// token&gt;</c> (RFC 6750 §2.1) or <c>?token=</c> (RFC 6750 §2.3, for WebSockets, which cannot set headers from a
/// page). A refusal is written here: 401 with <c>WWW-Authenticate: Basic</c>, 403, or 429 with Retry-After, each
/// with a one-line reason. Without an authorizer everything is allowed (a web server built alone, in tests).
/// </summary>
internal sealed class HttpAccess(HubAuthorizer? authorizer)
{
    /// <summary>The identity when allowed; null after writing the refusal.</summary>
    public async Task<AccessIdentity?> AuthorizeAsync(HttpContext context, AccessAction? action, string target)
    {
        if (authorizer is null)
        {
            return AccessIdentity.Trusted;
        }

        var remote = context.Connection.RemoteIpAddress ?? IPAddress.None;
        var credentials = From(context.Request);
        var decision = action is { } a
            ? await authorizer.AuthorizeAsync(remote, credentials, a, target, "http")
            : await authorizer.AuthenticateAsync(remote, credentials, "http");
        if (decision.IsAllowed)
        {
            return decision.Identity;
        }

        context.Response.StatusCode = decision.StatusCode;
        // The reason also as a header: a refused WebSocket handshake shows headers to the client, not the body.
        context.Response.Headers["X-Parley-Error"] = decision.Reason ?? "refused";
        if (decision.StatusCode == 401)
        {
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{HubAuthorizer.Realm}\", charset=\"UTF-8\"";
        }
        else if (decision.StatusCode == 429)
        {
            context.Response.Headers.RetryAfter = authorizer.Options.LockoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync((decision.Reason ?? "refused") + "\n", context.RequestAborted);
        return null;
    }

    private static AccessCredentials From(HttpRequest request)
    {
        string? token = request.Query.TryGetValue("token", out var values) ? values.ToString() : null;
        string header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new AccessCredentials(null, null, null, header[7..].Trim());
        }

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                int colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return new AccessCredentials(decoded[..colon], decoded[(colon + 1)..], null, token);
                }
            }
            catch (FormatException)
            {
                // Unreadable credentials are no credentials: the 401 asks again.
            }
        }

        return token is null ? AccessCredentials.None : new AccessCredentials(null, null, null, token);
    }
}
