using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Rtsp.Client;

/// <summary>
/// Answers WWW-Authenticate challenges (RFC 2326 §12.45 reuses HTTP authentication): Basic (RFC 7617) and
/// Digest with MD5 (RFC 2617 §3.2.2, the variant RTSP cameras and servers implement).
/// </summary>
internal sealed class RtspAuthenticator(string user, string password)
{
    private string? _scheme;
    private Dictionary<string, string>? _challenge;
    private int _nonceCount;

    public bool HasChallenge => _scheme is not null;

    /// <summary>Takes the strongest challenge of a 401 response. Returns false when none is usable.</summary>
    public bool TryAccept(RtspResponse response)
    {
        Dictionary<string, string>? basic = null;
        foreach (var value in response.Headers.GetAll("WWW-Authenticate"))
        {
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            var scheme = space < 0 ? value : value[..space];
            var parameters = ParseParameters(space < 0 ? string.Empty : value[(space + 1)..]);
            if (scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase) && parameters.ContainsKey("nonce")
                && (!parameters.TryGetValue("algorithm", out var algorithm) || algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase)))
            {
                (_scheme, _challenge, _nonceCount) = ("Digest", parameters, 0);
                return true;
            }

            if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                basic = parameters;
            }
        }

        if (basic is null)
        {
            return false;
        }

        (_scheme, _challenge) = ("Basic", basic);
        return true;
    }

    /// <summary>The Authorization header value for a request, or null before a challenge was accepted.</summary>
    public string? Authorize(string method, string uri)
    {
        if (_scheme == "Basic")
        {
            return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));
        }

        if (_scheme != "Digest" || _challenge is null)
        {
            return null;
        }

        var realm = _challenge.GetValueOrDefault("realm", string.Empty);
        var nonce = _challenge["nonce"];
        var ha1 = Md5Hex($"{user}:{realm}:{password}");
        var ha2 = Md5Hex($"{method}:{uri}");
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\"");
        string response;
        var qop = _challenge.GetValueOrDefault("qop");
        if (qop is not null && qop.Split(',').Any(q => q.Trim().Equals("auth", StringComparison.OrdinalIgnoreCase)))
        {
            var nc = (++_nonceCount).ToString("x8", CultureInfo.InvariantCulture);
            var cnonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            response = Md5Hex($"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}");
            sb.Append(CultureInfo.InvariantCulture, $", qop=auth, nc={nc}, cnonce=\"{cnonce}\"");
        }
        else
        {
            response = Md5Hex($"{ha1}:{nonce}:{ha2}");
        }

        sb.Append(CultureInfo.InvariantCulture, $", response=\"{response}\"");
        if (_challenge.TryGetValue("opaque", out var opaque))
        {
            sb.Append(CultureInfo.InvariantCulture, $", opaque=\"{opaque}\"");
        }

        if (_challenge.ContainsKey("algorithm"))
        {
            sb.Append(", algorithm=MD5");
        }

        return sb.ToString();
    }

    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms",
        Justification = "RFC 2617 Digest authentication, as RTSP servers and cameras implement it, is defined with MD5.")]
    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    // auth-param = token "=" ( token | quoted-string ), separated by commas (RFC 2617 §1.2).
    internal static Dictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    sb.Append(text[i++]);
                }

                i++;
                value = sb.ToString();
            }
            else
            {
                var comma = text.IndexOf(',', i);
                var end = comma < 0 ? text.Length : comma;
                value = text[i..end].Trim();
                i = end;
            }

            if (name.Length > 0)
            {
                result[name] = value;
            }
        }

        return result;
    }
}
