using System.Net;

namespace Parley.Rtsp.Server;

/// <summary>
/// Who may do what on an <see cref="RtspServer"/>. The server asks before every request that starts reading
/// (DESCRIBE, a first SETUP) or publishing (ANNOUNCE) a path; requests on a session it already allowed (PLAY,
/// RECORD, a further SETUP, PAUSE, TEARDOWN, keep-alives) carry that session's id, a 64-bit random capability, and
/// are not asked again. OPTIONS needs no permission.
/// </summary>
public interface IRtspAccessControl
{
    /// <summary>Decides one request. Must not throw for any client input.</summary>
    ValueTask<RtspAccessDecision> AuthorizeAsync(RtspAccessRequest request, CancellationToken cancellationToken);
}

/// <summary>What the client wants to do on a path.</summary>
public enum RtspAccessAction
{
    /// <summary>DESCRIBE, SETUP and PLAY of a reader.</summary>
    Read,

    /// <summary>ANNOUNCE, SETUP and RECORD of a publisher.</summary>
    Publish,
}

/// <summary>One access question.</summary>
/// <param name="RemoteAddress">The client's address (IPv4-mapped addresses already unmapped).</param>
/// <param name="Action">Read or publish.</param>
/// <param name="Path">The stream path, e.g. "cam1" or "room/alice".</param>
/// <param name="Credentials">The parsed Authorization header, or null when absent or unusable.</param>
/// <param name="RequestUri">The request URI (Digest answers are bound to it).</param>
/// <param name="Query">The URL query without '?', not decoded (a token may come as token=...); null when absent.</param>
/// <param name="BearerToken">The token of an <c>Authorization: Bearer</c> header (RFC 6750 §2.1), or null.</param>
public readonly record struct RtspAccessRequest(IPAddress RemoteAddress, RtspAccessAction Action, string Path,
    RtspCredentials? Credentials, string RequestUri, string? Query, string? BearerToken = null);

/// <summary>
/// An answer: 200 to go on, 401 to ask for credentials (the server adds the challenges), 403 to refuse. The reason
/// goes to the client in X-Parley-Error.
/// </summary>
public readonly record struct RtspAccessDecision(int StatusCode, string? Reason = null)
{
    /// <summary>Allowed.</summary>
    public static RtspAccessDecision Allowed => new(200);
}
