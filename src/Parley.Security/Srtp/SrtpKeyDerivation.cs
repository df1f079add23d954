namespace Parley.Security.Srtp;

/// <summary>The key derivation labels of RFC 3711 §4.3.1 and §4.3.2: which session key or salt to derive.</summary>
public enum SrtpKeyLabel : byte
{
    /// <summary>0x00: the SRTP session encryption key k_e.</summary>
    RtpEncryption = 0x00,

    /// <summary>0x01: the SRTP session authentication key k_a (HMAC-SHA1 profiles only).</summary>
    RtpAuthentication = 0x01,

    /// <summary>0x02: the SRTP session salt k_s.</summary>
    RtpSalt = 0x02,

    /// <summary>0x03: the SRTCP session encryption key.</summary>
    RtcpEncryption = 0x03,

    /// <summary>0x04: the SRTCP session authentication key.</summary>
    RtcpAuthentication = 0x04,

    /// <summary>0x05: the SRTCP session salt.</summary>
    RtcpSalt = 0x05,
}

/// <summary>
/// The SRTP key derivation function (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3) and a key derivation rate of 0:
/// session keys and salts are derived once from the master key and master salt. The same KDF serves
/// AEAD_AES_128_GCM (RFC 7714 §11), whose 12-byte master salt is first multiplied by 2^16 (erratum 4938).
/// </summary>
public static class SrtpKeyDerivation
{
    private const int SaltBits112Bytes = 14;

    /// <summary>
    /// Derives one session key or salt: the AES-CM keystream under <paramref name="masterKey"/> starting at the
    /// counter block x * 2^16, where x = (label || 48 zero bits) XOR master salt (RFC 3711 §4.3.1, B.3).
    /// </summary>
    /// <param name="masterKey">The master key, 16 bytes (AES-128).</param>
    /// <param name="masterSalt">The master salt: 14 bytes (RFC 3711) or 12 bytes (RFC 7714).</param>
    /// <param name="label">Which key or salt.</param>
    /// <param name="output">Receives the derived bytes; its length is the key length wanted (e.g. 16, 20, 14, 12).</param>
    /// <exception cref="ArgumentException">The key is not 16, 24 or 32 bytes or the salt not 12 or 14 bytes.</exception>
    public static void DeriveSessionKey(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, SrtpKeyLabel label, Span<byte> output)
    {
        ValidateMaster(masterKey, masterSalt);
        using var prf = new AesCounterMode(masterKey);
        Derive(prf, masterSalt, label, output);
    }

    /// <summary>Derives with an already keyed PRF (<see cref="AesCounterMode"/> under the master key).</summary>
    internal static void Derive(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, SrtpKeyLabel label, Span<byte> output)
    {
        // x is 112 bits: the master salt (a 96-bit salt times 2^16, i.e. two zero bytes on the right) XOR the
        // 56-bit key_id = label || (index DIV kdr), right-aligned; with kdr = 0 the index part is zero, so only the
        // label byte, at offset 14 - 7, changes. The counter block is x * 2^16.
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[SaltBits112Bytes - 7] ^= (byte)label;
        prf.Keystream(iv, output);
    }

    internal static void ValidateMaster(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException($"An SRTP master key is 16, 24 or 32 bytes (AES); got {masterKey.Length}.", nameof(masterKey));
        }

        if (masterSalt.Length is not (12 or 14))
        {
            throw new ArgumentException($"An SRTP master salt is 14 bytes (RFC 3711) or 12 bytes (RFC 7714); got {masterSalt.Length}.", nameof(masterSalt));
        }
    }
}
