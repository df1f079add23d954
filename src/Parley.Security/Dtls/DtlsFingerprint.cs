using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Security.Dtls;

/// <summary>
/// A certificate fingerprint as SDP's a=fingerprint carries it (RFC 8122 §5): a hash function name and the hash of
/// the DER-encoded certificate, printed as upper-case hex pairs joined by colons.
/// </summary>
public sealed class DtlsFingerprint : IEquatable<DtlsFingerprint>
{
    private readonly byte[] _value;

    private DtlsFingerprint(string algorithm, byte[] value)
    {
        Algorithm = algorithm;
        _value = value;
    }

    /// <summary>The hash function token in lower case: "sha-256", "sha-384" or "sha-512". SHA-1, which RFC 8122 still
    /// lists, is refused: WebRTC requires SHA-256 (RFC 8827 §6.5) and browsers send it.</summary>
    public string Algorithm { get; }

    /// <summary>The hash bytes.</summary>
    public ReadOnlySpan<byte> Value => _value;

    /// <summary>The SHA-256 fingerprint of a DER-encoded certificate (what WebRTC endpoints use, RFC 8827 §6.5).</summary>
    public static DtlsFingerprint Sha256(ReadOnlySpan<byte> derCertificate) => new("sha-256", SHA256.HashData(derCertificate));

    /// <summary>
    /// Parses "sha-256 AB:CD:..." (the a=fingerprint value, RFC 8122 §5). Never throws.
    /// </summary>
    /// <returns>False for an unknown hash function (sha-1 included), bad hex, or a length that does not fit the function.</returns>
    public static bool TryParse(string? text, out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        if (text is null)
        {
            return false;
        }

        string[] parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return false;
        }

        string algorithm = parts[0].ToLowerInvariant();
        int length = algorithm switch { "sha-256" => 32, "sha-384" => 48, "sha-512" => 64, _ => 0 };
        string[] pairs = parts[1].Split(':');
        if (length == 0 || pairs.Length != length)
        {
            return false;
        }

        var value = new byte[length];
        for (int i = 0; i < length; i++)
        {
            if (pairs[i].Length != 2
                || !byte.TryParse(pairs[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value[i]))
            {
                return false;
            }
        }

        fingerprint = new DtlsFingerprint(algorithm, value);
        return true;
    }

    /// <summary>True when <paramref name="derCertificate"/> hashes to this fingerprint under its hash function.</summary>
    public bool Matches(ReadOnlySpan<byte> derCertificate)
    {
        Span<byte> hash = stackalloc byte[64];
        int written = Algorithm switch
        {
            "sha-256" => SHA256.HashData(derCertificate, hash),
            "sha-384" => SHA384.HashData(derCertificate, hash),
            _ => SHA512.HashData(derCertificate, hash),
        };
        return CryptographicOperations.FixedTimeEquals(hash[..written], _value);
    }

    /// <summary>"sha-256 AB:CD:...", ready for a=fingerprint.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Algorithm.Length + 1 + (_value.Length * 3));
        sb.Append(Algorithm).Append(' ');
        for (int i = 0; i < _value.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(':');
            }

            sb.Append(_value[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(DtlsFingerprint? other) =>
        other is not null && other.Algorithm == Algorithm && other._value.AsSpan().SequenceEqual(_value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DtlsFingerprint);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Algorithm, BitConverter.ToInt32(_value, 0));
}
