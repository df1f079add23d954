using System.Net;
using Parley.Hub.Auth;

namespace Parley.Hub.Configuration;

/// <summary>
/// Access control (the <c>auth:</c> section): who may publish, read, join, chat and administer, from where.
/// Secure by default: loopback clients are trusted, everyone else needs a user name and password or a join token;
/// on first start the hub creates the user "admin" with a random password it prints once.
/// </summary>
public sealed class HubAuthOptions
{
    /// <summary>
    /// Enforce access control. False lets everyone do everything and writes no state file: only for a hub on a
    /// closed network, or the RTSP-only peer hub of `parley send/call --listen`.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Clients on 127.0.0.0/8 and ::1 need no credentials and may do everything.</summary>
    public bool TrustLoopback { get; set; } = true;

    /// <summary>
    /// Client networks (CIDR, or single addresses) that may connect at all; empty allows every address. Applies
    /// to loopback too, before <see cref="TrustLoopback"/>.
    /// </summary>
    public IReadOnlyList<IPNetwork> AllowFrom { get; set; } = [];

    /// <summary>
    /// The file the hub writes on first start: the token signing secret and the generated admin user (hashed).
    /// Empty means "&lt;rooms.database without extension&gt;-auth.yml" beside the database (parley-auth.yml next to
    /// parley.db). It is created with mode 0600.
    /// </summary>
    public string StateFile { get; set; } = "";

    /// <summary>The "iss" claim of join tokens the hub issues and accepts.</summary>
    public string TokenIssuer { get; set; } = "parley";

    /// <summary>Tolerated clock difference on token expiry, in seconds.</summary>
    public int TokenClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// Offer RTSP Digest (MD5) beside Basic. Digest keeps the password off the wire on plain RTSP but needs a stored
    /// HA1 (MD5 of user:Parley:password) per user, which is password-equivalent for RTSP: with false, no HA1 is
    /// written and RTSP clients use Basic (over RTSPS, preferably).
    /// </summary>
    public bool RtspDigest { get; set; } = true;

    /// <summary>Failed logins in a row from one address before it is locked out.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>The first lockout in seconds; each further failure doubles it, up to 5 minutes.</summary>
    public int LockoutSeconds { get; set; } = 2;

    /// <summary>Users from the configuration file (auth.users); the state file adds the generated admin.</summary>
    public IReadOnlyList<UserAccount> Users { get; set; } = [];
}
