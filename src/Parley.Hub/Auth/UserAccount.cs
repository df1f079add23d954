namespace Parley.Hub.Auth;

/// <summary>
/// A user: name, password hash (<see cref="Security.Auth.PasswordHash"/> encoding), optionally the RTSP Digest HA1,
/// and per action the globs of paths (publish, read) or rooms (join, chat) it may act on.
/// </summary>
/// <param name="Name">Login name.</param>
/// <param name="PasswordHash">"pbkdf2-sha256$iterations$salt$hash".</param>
/// <param name="DigestHa1">Lowercase hex MD5 of "name:Parley:password" for RTSP Digest; null allows Basic only.</param>
/// <param name="Permissions">Action to globs; <see cref="AccessAction.Admin"/> present (any glob) grants everything.</param>
public sealed record UserAccount(string Name, string PasswordHash, string? DigestHa1,
    IReadOnlyDictionary<AccessAction, IReadOnlyList<string>> Permissions)
{
    /// <summary>True for administrators.</summary>
    public bool IsAdmin => Permissions.ContainsKey(AccessAction.Admin);

    /// <summary>True when the user may do <paramref name="action"/> on <paramref name="target"/> (a path or a room).</summary>
    public bool Permits(AccessAction action, string target) =>
        IsAdmin || (Permissions.TryGetValue(action, out var globs) && PathGlob.AnyMatch(globs, target));
}
