using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Parley.Security.Auth;

/// <summary>
/// Issues and checks join tokens: compact JWS JSON Web Tokens (RFC 7519) signed with HMAC-SHA256 ("HS256",
/// RFC 7518 §3.2) under the hub's secret. Claims: "iss" (the hub's issuer), "aud" <see cref="Audience"/>,
/// "room", "name" (optional), "perms" (array of action names), "iat", "nbf", "exp" (seconds since 1970).
/// Signature, issuer and audience are checked by Microsoft.IdentityModel; lifetime against the injected clock so
/// tests control time. An application that holds the secret can mint tokens itself with any JWT library.
/// </summary>
public sealed class JoinTokenSigner
{
    /// <summary>The "aud" claim of every join token.</summary>
    public const string Audience = "parley-room";

    /// <summary>Smallest secret accepted, in bytes: HS256 keys shorter than the hash output weaken it (RFC 7518 §3.2).</summary>
    public const int MinSecretBytes = 32;

    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TokenValidationParameters _parameters;
    private readonly TimeProvider _time;

    /// <summary>Creates a signer.</summary>
    /// <param name="secret">The HMAC key, at least <see cref="MinSecretBytes"/> bytes.</param>
    /// <param name="issuer">The "iss" claim issued and required, for example "parley".</param>
    /// <param name="clockSkew">How far past "exp" (or before "nbf") a token is still accepted; 30 s covers clock drift between machines.</param>
    /// <param name="time">The clock for issuing and expiry.</param>
    /// <exception cref="ArgumentException">The secret is too short or the issuer empty.</exception>
    public JoinTokenSigner(ReadOnlySpan<byte> secret, string issuer, TimeSpan clockSkew, TimeProvider? time = null)
    {
        if (secret.Length < MinSecretBytes)
        {
            throw new ArgumentException($"the token secret is {secret.Length} bytes; at least {MinSecretBytes} are needed", nameof(secret));
        }

        ArgumentException.ThrowIfNullOrEmpty(issuer);
        _key = new SymmetricSecurityKey(secret.ToArray());
        Issuer = issuer;
        ClockSkew = clockSkew;
        _time = time ?? TimeProvider.System;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidIssuer = issuer,
            ValidAudience = Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            // Lifetime is checked below against the injected clock.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        };
    }

    /// <summary>The "iss" claim.</summary>
    public string Issuer { get; }

    /// <summary>Tolerance on "exp" and "nbf".</summary>
    public TimeSpan ClockSkew { get; }

    /// <summary>A fresh random secret of 32 bytes for a new hub.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(MinSecretBytes);

    /// <summary>Signs <paramref name="token"/> into a compact JWT (three base64url parts joined by '.').</summary>
    public string Issue(JoinToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var now = _time.GetUtcNow();
        // An already expired token (tests, clock trouble) still needs nbf before exp to be well-formed.
        var notBefore = token.Expires < now ? token.Expires.AddMinutes(-1) : now;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["room"] = token.Room,
            ["perms"] = token.Permissions.ToArray(),
        };
        if (token.Name is not null)
        {
            claims["name"] = token.Name;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = notBefore.UtcDateTime,
            NotBefore = notBefore.UtcDateTime,
            Expires = token.Expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// Checks <paramref name="jwt"/>: well-formed, HS256 signed with this secret, this issuer and audience, now
    /// within nbf..exp (± <see cref="ClockSkew"/>), a room and permissions present. Never throws on bad input.
    /// </summary>
    public async ValueTask<JoinTokenValidation> ValidateAsync(string? jwt)
    {
        if (string.IsNullOrEmpty(jwt) || jwt.Length > 8192)
        {
            return new(null, "no token, or one over 8 KiB");
        }

        var result = await _handler.ValidateTokenAsync(jwt, _parameters).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken parsed)
        {
            return new(null, Describe(result.Exception));
        }

        var now = _time.GetUtcNow();
        if (!parsed.TryGetPayloadValue("exp", out long exp))
        {
            return new(null, "the token has no expiry (exp)");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (now > expires + ClockSkew)
        {
            return new(null, $"the token expired at {expires:u}");
        }

        if (parsed.TryGetPayloadValue("nbf", out long nbf) && now + ClockSkew < DateTimeOffset.FromUnixTimeSeconds(nbf))
        {
            return new(null, "the token is not valid yet (nbf)");
        }

        if (!parsed.TryGetPayloadValue("room", out string room) || string.IsNullOrEmpty(room))
        {
            return new(null, "the token names no room");
        }

        var permissions = new List<string>();
        if (parsed.TryGetPayloadValue("perms", out JsonElement perms) && perms.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in perms.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } p)
                {
                    permissions.Add(p);
                }
            }
        }
        else if (parsed.TryGetPayloadValue("perms", out string single) && single.Length > 0)
        {
            permissions.Add(single);
        }

        string? name = parsed.TryGetPayloadValue("name", out string n) && n.Length > 0 ? n : null;
        return new(new JoinToken(room, name, permissions, expires), null);
    }

    private static string Describe(Exception? error) => error switch
    {
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the signature does not match (tampered, or signed with another secret)",
        SecurityTokenInvalidAudienceException => $"the audience is not {Audience}",
        SecurityTokenInvalidIssuerException => "the issuer is not this hub",
        SecurityTokenInvalidAlgorithmException => "the token is not signed with HS256",
        SecurityTokenMalformedException or ArgumentException => "the token is not a well-formed JWT",
        null => "the token was refused",
        _ => "the token was refused: " + error.GetType().Name,
    };
}
