namespace Parley.Security.Srtp;

/// <summary>
/// The SRTP protection profiles Parley implements. The numeric values are the DTLS-SRTP profile identifiers
/// (RFC 5764 §4.1.2 for the AES-CM profiles, RFC 7714 §14.2 for AEAD_AES_128_GCM), so a value negotiated in
/// the DTLS use_srtp extension converts directly.
/// </summary>
public enum SrtpProtectionProfile
{
    /// <summary>
    /// SRTP_AES128_CM_HMAC_SHA1_80: AES-128 counter mode (RFC 3711 §4.1.1), HMAC-SHA1 authentication (§4.2.1)
    /// with an 80-bit tag on SRTP and SRTCP. 16-byte master key, 14-byte master salt. The WebRTC baseline.
    /// </summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>
    /// SRTP_AES128_CM_HMAC_SHA1_32: as <see cref="Aes128CmHmacSha1_80"/> but with a 32-bit tag on SRTP; SRTCP
    /// keeps the 80-bit tag (RFC 5764 §4.1.2).
    /// </summary>
    Aes128CmHmacSha1_32 = 0x0002,

    /// <summary>
    /// AEAD_AES_128_GCM: AES-128 in Galois/Counter Mode with a 16-byte tag on SRTP and SRTCP (RFC 7714 §5, §8,
    /// §9). 16-byte master key, 12-byte master salt; keys derived by the RFC 3711 AES-CM PRF (RFC 7714 §11).
    /// </summary>
    AeadAes128Gcm = 0x0007,
}

/// <summary>The sizes each <see cref="SrtpProtectionProfile"/> fixes, in bytes.</summary>
public static class SrtpProtectionProfiles
{
    /// <summary>True when <paramref name="profile"/> is one of the profiles this library implements.</summary>
    public static bool IsSupported(SrtpProtectionProfile profile) =>
        profile is SrtpProtectionProfile.Aes128CmHmacSha1_80 or SrtpProtectionProfile.Aes128CmHmacSha1_32
            or SrtpProtectionProfile.AeadAes128Gcm;

    /// <summary>True for the AEAD profile (RFC 7714), false for AES-CM with HMAC-SHA1 (RFC 3711).</summary>
    public static bool IsAead(SrtpProtectionProfile profile) => profile == SrtpProtectionProfile.AeadAes128Gcm;

    /// <summary>The master key length: 16 bytes (AES-128) for every supported profile.</summary>
    public static int MasterKeyLength(SrtpProtectionProfile profile) => 16;

    /// <summary>The master salt length: 14 bytes for AES-CM (RFC 3711 §8.2), 12 for AES-GCM (RFC 7714 §12).</summary>
    public static int MasterSaltLength(SrtpProtectionProfile profile) => IsAead(profile) ? 12 : 14;

    /// <summary>
    /// The bytes SRTP adds to an RTP packet: the authentication tag, 10 (…_80), 4 (…_32) or 16 (GCM). The
    /// caller's buffer needs this much room after the RTP packet (RFC 3711 §3.1, RFC 7714 §8.2).
    /// </summary>
    public static int RtpOverhead(SrtpProtectionProfile profile) => profile switch
    {
        SrtpProtectionProfile.Aes128CmHmacSha1_32 => 4,
        SrtpProtectionProfile.AeadAes128Gcm => 16,
        _ => 10,
    };

    /// <summary>
    /// The bytes SRTCP adds to an RTCP compound packet: the 4-byte E flag and SRTCP index plus the tag, 10 bytes
    /// for both AES-CM profiles and 16 for GCM, so 14 or 20 (RFC 3711 §3.4, RFC 5764 §4.1.2, RFC 7714 §9).
    /// </summary>
    public static int RtcpOverhead(SrtpProtectionProfile profile) => 4 + (IsAead(profile) ? 16 : 10);
}
