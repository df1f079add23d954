using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Parley.Rtsp.Client;

namespace Parley.Rtsp.Server;

/// <summary>
/// What a client put in its <c>Authorization</c> header (RFC 2326 §12.5 reuses HTTP authentication): Basic
/// (RFC 7617, the password itself) or Digest with MD5 (RFC 2617 §3.2.2, what ffmpeg and GStreamer send). A Digest
/// answer is checked with <see cref="VerifyDigest"/> against the user's stored HA1, so the server never needs the
/// password in clear for Digest.
/// </summary>
public sealed class RtspCredentials
{
    private readonly string? _response;
    private readonly string? _nonce;
    private readonly string? _digestUri;
    private readonly string? _qop;
    private readonly string? _nc;
    private readonly string? _cnonce;
    private readonly string? _method;

    private RtspCredentials(string user, string? password)
    {
        User = user;
        Password = password;
    }

    private RtspCredentials(string user, string method, string nonce, string uri, string response, string? qop, string? nc, string? cnonce)
    {
        User = user;
        _method = method;
        _nonce = nonce;
        _digestUri = uri;
        _response = response;
        _qop = qop;
        _nc = nc;
        _cnonce = cnonce;
    }

    /// <summary>The user name (the "username" of Digest, the part before ':' of Basic).</summary>
    public string User { get; }

    /// <summary>The password of a Basic header; null for Digest.</summary>
    public string? Password { get; }

    /// <summary>True for Digest credentials.</summary>
    public bool IsDigest => _response is not null;

    /// <summary>The server nonce a Digest answer was computed over; null for Basic.</summary>
    public string? Nonce => _nonce;

    /// <summary>The nc parameter of a Digest answer with qop=auth (8 hex digits, RFC 7616 §3.4); null otherwise.</summary>
    public string? NonceCount => _qop is null ? null : _nc;

    /// <summary>
    /// Parses an Authorization header value of a request with <paramref name="method"/>. False for anything else
    /// (other schemes, missing fields, bad base64), never an exception.
    /// </summary>
    public static bool TryParse(string? header, string method, [NotNullWhen(true)] out RtspCredentials? credentials)
    {
        credentials = null;
        if (string.IsNullOrWhiteSpace(header) || header.Length > 4096)
        {
            return false;
        }

        int space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return false;
        }

        string scheme = header[..space];
        string rest = header[(space + 1)..].Trim();
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(rest));
            }
            catch (FormatException)
            {
                return false;
            }

            int colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            credentials = new RtspCredentials(decoded[..colon], decoded[(colon + 1)..]);
            return true;
        }

        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var p = RtspAuthenticator.ParseParameters(rest);
        if (!p.TryGetValue("username", out string? user) || !p.TryGetValue("nonce", out string? nonce)
            || !p.TryGetValue("uri", out string? uri) || !p.TryGetValue("response", out string? response)
            || user.Length == 0 || response.Length != 32
            || (p.TryGetValue("algorithm", out string? algorithm) && !algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        string? qop = p.GetValueOrDefault("qop");
        if (qop is not null && (!qop.Equals("auth", StringComparison.OrdinalIgnoreCase) || !p.ContainsKey("nc") || !p.ContainsKey("cnonce")))
        {
            return false;
        }

        credentials = new RtspCredentials(user, method, nonce, uri, response, qop, p.GetValueOrDefault("nc"), p.GetValueOrDefault("cnonce"));
        return true;
    }

    /// <summary>
    /// HA1 of RFC 2617 §3.2.2.2: lowercase hex MD5 of "user:realm:password". A hub stores this beside the slow
    /// password hash for users who may log in with Digest; it is password-equivalent for that realm only.
    /// </summary>
    public static string DigestHa1(string user, string realm, string password) => Md5Hex($"{user}:{realm}:{password}");

    /// <summary>
    /// True when the Digest response matches <paramref name="ha1"/> (RFC 2617 §3.2.2.1, with or without qop=auth)
    /// and the digest URI is the request's. Compared in constant time. False for Basic credentials.
    /// </summary>
    public bool VerifyDigest(string ha1, string requestUri)
    {
        if (_response is null || _digestUri is null || !string.Equals(_digestUri, requestUri, StringComparison.Ordinal))
        {
            return false;
        }

        string ha2 = Md5Hex($"{_method}:{_digestUri}");
        string expected = _qop is null
            ? Md5Hex($"{ha1.ToLowerInvariant()}:{_nonce}:{ha2}")
            : Md5Hex($"{ha1.ToLowerInvariant()}:{_nonce}:{_nc}:{_cnonce}:{_qop}:{ha2}");
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(_response.ToLowerInvariant()));
    }

    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms",
        Justification = "RFC 2617 Digest authentication, as ffmpeg and GStreamer implement it for RTSP, is defined with MD5.")]
    private static string Md5Hex(string text) =>
        Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(text))).ToLower(CultureInfo.InvariantCulture);
}
