using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Parley.WebRtc.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8445 §5.3, syntax RFC 8839 §5.4): the short-term credentials that
/// key MESSAGE-INTEGRITY on connectivity checks (RFC 8489 §9.1).
/// </summary>
public sealed class IceCredentials
{
    // ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4).
    private static readonly char[] IceChars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".ToCharArray();

    private static readonly SearchValues<char> IceCharValues = SearchValues.Create(IceChars);

    /// <summary>Creates credentials from SDP values (or generated ones).</summary>
    /// <param name="ufrag">4 to 256 ice-chars (RFC 8839 §5.4).</param>
    /// <param name="password">22 to 256 ice-chars.</param>
    /// <exception cref="ArgumentException">A value breaks the length or character rules.</exception>
    public IceCredentials(string ufrag, string password)
    {
        Validate(ufrag, 4, nameof(ufrag));
        Validate(password, 22, nameof(password));
        Ufrag = ufrag;
        Password = password;
        UfragBytes = Encoding.ASCII.GetBytes(ufrag);
        PasswordBytes = Encoding.ASCII.GetBytes(password);
    }

    /// <summary>The username fragment, a=ice-ufrag.</summary>
    public string Ufrag { get; }

    /// <summary>The password, a=ice-pwd.</summary>
    public string Password { get; }

    /// <summary>The ufrag as ASCII bytes, for matching USERNAME without allocating.</summary>
    internal byte[] UfragBytes { get; }

    /// <summary>The MESSAGE-INTEGRITY key: the password bytes (ice-chars are unchanged by OpaqueString).</summary>
    internal byte[] PasswordBytes { get; }

    /// <summary>Fresh random credentials: an 8-character ufrag (48 bits) and a 24-character password (144 bits).</summary>
    public static IceCredentials Generate() =>
        new(new string(RandomNumberGenerator.GetItems<char>(IceChars, 8)), new string(RandomNumberGenerator.GetItems<char>(IceChars, 24)));

    private static void Validate(string value, int minLength, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length < minLength || value.Length > 256 || value.AsSpan().IndexOfAnyExcept(IceCharValues) >= 0)
        {
            throw new ArgumentException($"An ICE {name} needs {minLength} to 256 characters of A-Z a-z 0-9 + /; got '{value}'.", name);
        }
    }
}
