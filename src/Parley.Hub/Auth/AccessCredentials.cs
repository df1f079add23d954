namespace Parley.Hub.Auth;

/// <summary>
/// What a client presented, protocol-neutral: a user name with a password (HTTP or RTSP Basic), a user name with a
/// Digest check (RTSP), or a join token (query <c>token=</c>, <c>Authorization: Bearer</c>, or a Basic password
/// given with the user name "token").
/// </summary>
/// <param name="User">User name, or null.</param>
/// <param name="Password">Clear password of Basic, or null.</param>
/// <param name="DigestCheck">For Digest: true when the answer matches a given HA1; null otherwise.</param>
/// <param name="Token">A join token, or null.</param>
public sealed record AccessCredentials(string? User, string? Password, Func<string, bool>? DigestCheck, string? Token)
{
    /// <summary>Nothing presented.</summary>
    public static AccessCredentials None { get; } = new(null, null, null, null);

    /// <summary>True when nothing was presented.</summary>
    public bool IsEmpty => User is null && Token is null;
}
