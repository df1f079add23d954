using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Hub.Configuration;
using Parley.Rtsp.Server;
using Parley.Security.Auth;

namespace Parley.Hub.Auth;

/// <summary>The answer to an access question: 200 with an identity, or 401 / 403 / 429 with a reason.</summary>
/// <param name="StatusCode">200 allowed, 401 credentials missing or wrong, 403 not permitted, 429 locked out.</param>
/// <param name="Identity">Who the client is, when authenticated.</param>
/// <param name="Reason">What was wrong, for the client and the log.</param>
public readonly record struct AccessDecision(int StatusCode, AccessIdentity? Identity, string? Reason)
{
    /// <summary>True when allowed.</summary>
    public bool IsAllowed => StatusCode == 200;
}

/// <summary>
/// The hub's access control, one instance shared by RTSP and HTTP: (client address, credentials, action, path or
/// room) → allowed / 401 / 403 / 429. Order: the address allow-list (auth.allowFrom), then loopback trust
/// (auth.trustLoopback), then credentials (a join token, or a user's PBKDF2 password or RTSP Digest answer) with
/// failed logins throttled per address and logged at warning with the address, then the permission globs.
/// </summary>
public sealed class HubAuthorizer
{
    private static readonly TimeSpan VerifiedLifetime = TimeSpan.FromMinutes(5);
    private readonly HubAuthOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, UserAccount> _users;
    private readonly LoginThrottle _throttle;
    // Successful (user, password, hash) checks, so a browser's Basic header on every request does not cost a PBKDF2 run each.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    private HubAuthorizer(HubAuthOptions options, JoinTokenSigner tokens, IEnumerable<UserAccount> users, string stateFile,
        ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        Tokens = tokens;
        StateFile = stateFile;
        _users = new Dictionary<string, UserAccount>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            _users[user.Name] = user;
        }

        _throttle = new LoginThrottle(options.MaxFailures, TimeSpan.FromSeconds(options.LockoutSeconds), time);
    }

    /// <summary>Issues and checks join tokens with the hub's secret.</summary>
    public JoinTokenSigner Tokens { get; }

    /// <summary>The file with the token secret and the generated admin.</summary>
    public string StateFile { get; }

    /// <summary>The settings it runs with.</summary>
    public HubAuthOptions Options => _options;

    /// <summary>The realm of RTSP challenges; Digest HA1 values are computed with it.</summary>
    public const string Realm = "Parley";

    /// <summary>
    /// Loads the state file, or on first start creates it: a random token secret and the user "admin" with a random
    /// password, which is logged once at warning level (so it shows at any log level) and stored only hashed.
    /// </summary>
    /// <param name="options">auth settings.</param>
    /// <param name="database">rooms.database; the state file defaults to its name with "-auth.yml".</param>
    /// <param name="logger">Where logins and refusals are logged.</param>
    /// <param name="time">The clock (token expiry, lockouts).</param>
    /// <exception cref="HubConfigurationException">The state file exists but is malformed.</exception>
    public static HubAuthorizer Create(HubAuthOptions options, string database, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        string stateFile = options.StateFile.Length > 0 ? options.StateFile : DefaultStateFile(database);
        var state = UserAccountsYaml.ReadState(stateFile);
        if (state is null)
        {
            byte[] secret = JoinTokenSigner.NewSecret();
            string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
            var admin = NewUser("admin", password, options.RtspDigest,
                new Dictionary<AccessAction, IReadOnlyList<string>> { [AccessAction.Admin] = ["*"] });
            UserAccountsYaml.WriteState(stateFile, secret, [admin]);
            logger.LogWarning("first start: created user 'admin' with password {Password} (shown only now; stored hashed in {File})",
                password, stateFile);
            state = (secret, [admin]);
        }

        var signer = new JoinTokenSigner(state.Value.Secret, options.TokenIssuer, TimeSpan.FromSeconds(options.TokenClockSkewSeconds), time);
        // Configured users come after the state file's, so parley.yml can redefine "admin".
        return new HubAuthorizer(options, signer, state.Value.Users.Concat(options.Users), stateFile, logger, time);
    }

    /// <summary>"&lt;dir&gt;/&lt;database name without extension&gt;-auth.yml": parley.db → parley-auth.yml.</summary>
    public static string DefaultStateFile(string database)
    {
        string full = Path.GetFullPath(database);
        return Path.Combine(Path.GetDirectoryName(full) ?? ".", Path.GetFileNameWithoutExtension(full) + "-auth.yml");
    }

    /// <summary>A user with a fresh PBKDF2 hash and, when <paramref name="withDigest"/>, the RTSP Digest HA1.</summary>
    public static UserAccount NewUser(string name, string password, bool withDigest,
        IReadOnlyDictionary<AccessAction, IReadOnlyList<string>> permissions) =>
        new(name, PasswordHash.Create(password), withDigest ? RtspCredentials.DigestHa1(name, Realm, password) : null, permissions);

    /// <summary>Authenticates and checks one permission.</summary>
    public async ValueTask<AccessDecision> AuthorizeAsync(IPAddress remote, AccessCredentials credentials, AccessAction action,
        string target, string via)
    {
        var result = await AuthenticateAsync(remote, credentials, via);
        if (!result.IsAllowed || result.Identity!.Permits(action, target))
        {
            return result;
        }

        string reason = $"{result.Identity.Description} may not {action.ToString().ToLowerInvariant()} '{target}'";
        _logger.LogWarning("{Via}: {Remote} refused: {Reason}", via, remote, reason);
        return new(403, result.Identity, reason);
    }

    /// <summary>Finds out who the client is: allow-list, loopback trust, token, password or Digest.</summary>
    public async ValueTask<AccessDecision> AuthenticateAsync(IPAddress remote, AccessCredentials credentials, string via)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(credentials);
        remote = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        if (!IsAllowedAddress(remote))
        {
            _logger.LogWarning("{Via}: {Remote} refused: the address is not in auth.allowFrom", via, remote);
            return new(403, null, "this address may not use the hub (auth.allowFrom)");
        }

        if (_options.TrustLoopback && IPAddress.IsLoopback(remote))
        {
            return new(200, AccessIdentity.Trusted, null);
        }

        if (credentials.IsEmpty)
        {
            return new(401, null, "credentials required: a user name and password, or a join token");
        }

        if (_throttle.LockedUntil(remote) is { } until)
        {
            _logger.LogDebug("{Via}: {Remote} locked out until {Until:u}", via, remote, until);
            return new(429, null, $"too many failed logins from this address; try again after {until:u}");
        }

        string? token = credentials.Token ?? (credentials.User == "token" ? credentials.Password : null);
        if (token is not null)
        {
            var checkedToken = await Tokens.ValidateAsync(token);
            return checkedToken.IsValid
                ? Succeeded(remote, AccessIdentity.ForToken(checkedToken.Token!))
                : Failed(remote, via, "join token refused: " + checkedToken.Reason, "token");
        }

        if (credentials.User is not { } name || !_users.TryGetValue(name, out var user))
        {
            // Same answer as a wrong password, so names cannot be probed; a hash run keeps the timing alike too.
            if (credentials.Password is { } p)
            {
                PasswordHash.Verify(p, DummyHash.Value);
            }

            return Failed(remote, via, "wrong user name or password", credentials.User);
        }

        if (credentials.DigestCheck is { } digest)
        {
            if (user.DigestHa1 is null)
            {
                _logger.LogWarning("{Via}: user '{User}' tried RTSP Digest but has no digest credential; set auth.rtspDigest false or give the user a digest", via, name);
                return Failed(remote, via, "this user cannot log in with Digest; use Basic", name);
            }

            return digest(user.DigestHa1) ? Succeeded(remote, AccessIdentity.ForUser(user)) : Failed(remote, via, "wrong user name or password", name);
        }

        return VerifyPassword(user, credentials.Password ?? "")
            ? Succeeded(remote, AccessIdentity.ForUser(user))
            : Failed(remote, via, "wrong user name or password", name);
    }

    /// <summary>True when auth.allowFrom is empty or lists a network holding <paramref name="remote"/>.</summary>
    public bool IsAllowedAddress(IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        remote = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return _options.AllowFrom.Count == 0 || _options.AllowFrom.Any(n => n.Contains(remote));
    }

    private bool VerifyPassword(UserAccount user, string password)
    {
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{user.Name}\0{password}\0{user.PasswordHash}")));
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(key, out var until) && until > now)
        {
            return true;
        }

        if (!PasswordHash.Verify(password, user.PasswordHash))
        {
            return false;
        }

        if (_verified.Count > 1000)
        {
            _verified.Clear();
        }

        _verified[key] = now + VerifiedLifetime;
        return true;
    }

    private AccessDecision Succeeded(IPAddress remote, AccessIdentity identity)
    {
        _throttle.RecordSuccess(remote);
        return new(200, identity, null);
    }

    private AccessDecision Failed(IPAddress remote, string via, string reason, string? user)
    {
        var (failures, lockout) = _throttle.RecordFailure(remote);
        if (lockout is { } duration)
        {
            _logger.LogWarning("{Via}: login failed from {Remote} (user '{User}'): {Reason}; {Failures} failures in a row, locked out for {Seconds:F0} s",
                via, remote, user, reason, failures, duration.TotalSeconds);
        }
        else
        {
            _logger.LogWarning("{Via}: login failed from {Remote} (user '{User}'): {Reason}", via, remote, user, reason);
        }

        return new(401, null, reason);
    }

    private static class DummyHash
    {
        public static readonly string Value = PasswordHash.Create("parley-dummy");
    }
}
