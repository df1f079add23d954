using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Security.Auth;

/// <summary>
/// Salted slow password hashes: PBKDF2 with HMAC-SHA256 (RFC 8018 §5.2) from the BCL, a random 16-byte salt and
/// 32-byte output, encoded as one string <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt base64&gt;$&lt;hash base64&gt;</c>
/// so a users file holds one field per user and the cost can rise later without breaking stored hashes.
/// As with any PBKDF2-HMAC, trailing NUL characters of a password do not change its hash (HMAC zero-pads short
/// keys, RFC 2104 §2).
/// </summary>
public static class PasswordHash
{
    /// <summary>The scheme name at the start of every encoded hash.</summary>
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>
    /// Iterations for new hashes: 210 000, OWASP's 2023 floor for PBKDF2-HMAC-SHA256 (about 0.1 s on one core here).
    /// </summary>
    public const int DefaultIterations = 210_000;

    /// <summary>
    /// Most iterations <see cref="Verify"/> accepts: a hostile users file must not turn each login into minutes of
    /// CPU. Ten million is about 50 times the default.
    /// </summary>
    public const int MaxIterations = 10_000_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt and <see cref="DefaultIterations"/>.</summary>
    public static string Create(string password) => Create(password, DefaultIterations);

    /// <summary>
    /// Hashes <paramref name="password"/> with a fresh random salt and <paramref name="iterations"/> rounds. Fewer than
    /// <see cref="DefaultIterations"/> is for tests only.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is below 1 or above <see cref="MaxIterations"/>.</exception>
    public static string Create(string password, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="encoded"/>. The comparison takes the same time
    /// wherever the hashes differ; a malformed encoding is false, never an exception.
    /// </summary>
    public static bool Verify(string password, string encoded)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryDecode(encoded, out int iterations, out byte[]? salt, out byte[]? expected))
        {
            return false;
        }

        byte[] actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>True when <paramref name="encoded"/> is a well-formed hash of this scheme (for configuration checks).</summary>
    public static bool IsWellFormed(string? encoded) => TryDecode(encoded, out _, out _, out _);

    private static bool TryDecode(string? encoded, out int iterations,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? salt,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? hash)
    {
        iterations = 0;
        salt = null;
        hash = null;
        string[] parts = (encoded ?? "").Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations < 1 || iterations > MaxIterations)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= 8 && hash.Length >= 16;
    }
}
