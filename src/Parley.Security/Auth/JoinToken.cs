namespace Parley.Security.Auth;

/// <summary>
/// What a signed join token grants: a room (or a glob of rooms such as <c>team-*</c>), optionally the display
/// name its holder must use, the actions allowed there, and when it stops working.
/// </summary>
/// <param name="Room">Room name or glob (<c>*</c> any run of characters, <c>?</c> one) the token is valid for.</param>
/// <param name="Name">Display name the holder joins as; null lets the holder choose.</param>
/// <param name="Permissions">
/// Action names: <c>join</c>, <c>chat</c>, <c>publish</c> and <c>read</c> (the last two on the room's paths,
/// <c>&lt;room&gt;/...</c>).
/// </param>
/// <param name="Expires">Instant after which the token is refused (the JWT "exp" claim, RFC 7519 §4.1.4).</param>
public sealed record JoinToken(string Room, string? Name, IReadOnlyList<string> Permissions, DateTimeOffset Expires)
{
    /// <summary>True when the token lists <paramref name="permission"/> (ordinal, case-insensitive).</summary>
    public bool Allows(string permission) => Permissions.Contains(permission, StringComparer.OrdinalIgnoreCase);
}

/// <summary>The outcome of <see cref="JoinTokenSigner.ValidateAsync"/>: the token's grant, or why it was refused.</summary>
/// <param name="Token">The grant when valid; null otherwise.</param>
/// <param name="Reason">Why it was refused ("expired at ...", "bad signature", ...); null when valid.</param>
public readonly record struct JoinTokenValidation(JoinToken? Token, string? Reason)
{
    /// <summary>True when the token was accepted.</summary>
    public bool IsValid => Token is not null;
}
