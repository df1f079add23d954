namespace Parley.Security.Srtp;

/// <summary>
/// The six session keys and salts of one SRTP cryptographic context (RFC 3711 §4.3.1): encryption key, salt and
/// (HMAC-SHA1 profiles only) authentication key, once for SRTP and once for SRTCP.
/// </summary>
internal sealed class SrtpSessionKeys
{
    public SrtpSessionKeys(byte[] rtpKey, byte[] rtpSalt, byte[] rtpAuthKey, byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuthKey)
    {
        RtpKey = rtpKey;
        RtpSalt = rtpSalt;
        RtpAuthKey = rtpAuthKey;
        RtcpKey = rtcpKey;
        RtcpSalt = rtcpSalt;
        RtcpAuthKey = rtcpAuthKey;
    }

    /// <summary>k_e for SRTP, 16 bytes.</summary>
    public byte[] RtpKey { get; }

    /// <summary>k_s for SRTP: 14 bytes (AES-CM) or 12 (GCM).</summary>
    public byte[] RtpSalt { get; }

    /// <summary>k_a for SRTP: 20 bytes (HMAC-SHA1, RFC 3711 §8.2) or empty (GCM).</summary>
    public byte[] RtpAuthKey { get; }

    /// <summary>The SRTCP encryption key, 16 bytes.</summary>
    public byte[] RtcpKey { get; }

    /// <summary>The SRTCP salt, same length as <see cref="RtpSalt"/>.</summary>
    public byte[] RtcpSalt { get; }

    /// <summary>The SRTCP authentication key, 20 bytes or empty.</summary>
    public byte[] RtcpAuthKey { get; }

    /// <summary>Derives all six from the master key and salt with the AES-CM PRF, kdr = 0 (RFC 3711 §4.3, RFC 7714 §11).</summary>
    /// <exception cref="ArgumentException">The key or salt length does not fit <paramref name="profile"/>.</exception>
    public static SrtpSessionKeys Derive(SrtpProtectionProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (!SrtpProtectionProfiles.IsSupported(profile))
        {
            throw new ArgumentException($"Unsupported SRTP protection profile {profile}.", nameof(profile));
        }

        SrtpKeyDerivation.ValidateMaster(masterKey, masterSalt);
        int keyLength = SrtpProtectionProfiles.MasterKeyLength(profile);
        int saltLength = SrtpProtectionProfiles.MasterSaltLength(profile);
        if (masterKey.Length != keyLength || masterSalt.Length != saltLength)
        {
            throw new ArgumentException(
                $"{profile} needs a {keyLength}-byte master key and a {saltLength}-byte master salt; got {masterKey.Length} and {masterSalt.Length}.");
        }

        int authLength = SrtpProtectionProfiles.IsAead(profile) ? 0 : 20;
        using var prf = new AesCounterMode(masterKey);
        return new SrtpSessionKeys(
            Derive(prf, masterSalt, SrtpKeyLabel.RtpEncryption, keyLength),
            Derive(prf, masterSalt, SrtpKeyLabel.RtpSalt, saltLength),
            Derive(prf, masterSalt, SrtpKeyLabel.RtpAuthentication, authLength),
            Derive(prf, masterSalt, SrtpKeyLabel.RtcpEncryption, keyLength),
            Derive(prf, masterSalt, SrtpKeyLabel.RtcpSalt, saltLength),
            Derive(prf, masterSalt, SrtpKeyLabel.RtcpAuthentication, authLength));
    }

    private static byte[] Derive(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, SrtpKeyLabel label, int length)
    {
        byte[] output = new byte[length];
        SrtpKeyDerivation.Derive(prf, masterSalt, label, output);
        return output;
    }
}
