using Parley.Hub.Auth;
using Parley.Rtsp.Server;

namespace Parley.Hub.Protocols.Rtsp;

/// <summary>
/// RTSP's view of the hub's <see cref="HubAuthorizer"/>: DESCRIBE/SETUP need read on the path, ANNOUNCE needs
/// publish. Credentials are Basic, Digest, or a join token as <c>Authorization: Bearer</c>, as <c>?token=</c> in the URL or as the password of user
/// "token". A lockout (429 inside the hub) goes out as 403, the nearest RTSP 1.0 status (RFC 2326 §11).
/// </summary>
internal sealed class RtspHubAccessControl(HubAuthorizer authorizer) : IRtspAccessControl
{
    public async ValueTask<RtspAccessDecision> AuthorizeAsync(RtspAccessRequest request, CancellationToken cancellationToken)
    {
        var presented = request.Credentials;
        string? token = request.BearerToken ?? QueryToken(request.Query);
        var credentials = presented is null
            ? new AccessCredentials(null, null, null, token)
            : new AccessCredentials(presented.User, presented.Password,
                presented.IsDigest ? ha1 => presented.VerifyDigest(ha1, request.RequestUri) : null, token);
        var action = request.Action == RtspAccessAction.Publish ? AccessAction.Publish : AccessAction.Read;
        var decision = await authorizer.AuthorizeAsync(request.RemoteAddress, credentials, action, request.Path, "rtsp");
        return new RtspAccessDecision(decision.StatusCode == 429 ? 403 : decision.StatusCode, decision.Reason);
    }

    private static string? QueryToken(string? query)
    {
        if (query is null)
        {
            return null;
        }

        foreach (string part in query.Split('&'))
        {
            if (part.StartsWith("token=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(part[6..]);
            }
        }

        return null;
    }
}
