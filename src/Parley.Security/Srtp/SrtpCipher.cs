namespace Parley.Security.Srtp;

/// <summary>
/// The per-packet transform of one protection profile for one direction: encryption plus the authentication tag,
/// given the packet index the context has already worked out. Not thread safe; allocates nothing per packet.
/// </summary>
internal abstract class SrtpCipher : IDisposable
{
    /// <summary>The authentication tag length of SRTP packets, bytes.</summary>
    public abstract int RtpTagLength { get; }

    /// <summary>The authentication tag length of SRTCP packets, bytes (excluding the 4-byte E/index word).</summary>
    public abstract int RtcpTagLength { get; }

    /// <summary>
    /// Encrypts <c>buffer[headerLength..length]</c> in place and writes the tag at <c>buffer[length..]</c>, which
    /// the caller has checked to be <see cref="RtpTagLength"/> bytes long.
    /// </summary>
    public abstract void ProtectRtp(Span<byte> buffer, int length, int headerLength, uint ssrc, uint rolloverCounter, ushort sequenceNumber);

    /// <summary>
    /// Verifies the tag at the end of <paramref name="packet"/> (the whole SRTP packet) and, when it matches,
    /// decrypts the payload in place. False when the tag does not match.
    /// </summary>
    public abstract bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, uint rolloverCounter, ushort sequenceNumber);

    /// <summary>
    /// Protects the RTCP compound packet <c>buffer[..length]</c> with SRTCP index <paramref name="index"/>,
    /// encrypting when <paramref name="encrypt"/> (the E flag); returns the protected length, <c>length</c> plus
    /// 4 plus <see cref="RtcpTagLength"/>, which the caller has checked fits.
    /// </summary>
    public abstract int ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint index, bool encrypt);

    /// <summary>
    /// Verifies the SRTCP packet <paramref name="packet"/> (exactly its length) and decrypts it in place when
    /// <paramref name="encrypted"/>. False when the tag does not match.
    /// </summary>
    public abstract bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted);

    /// <inheritdoc />
    public abstract void Dispose();

    /// <summary>Creates the transform of <paramref name="profile"/> keyed with <paramref name="keys"/>.</summary>
    public static SrtpCipher Create(SrtpProtectionProfile profile, SrtpSessionKeys keys) =>
        SrtpProtectionProfiles.IsAead(profile)
            ? new AesGcmSrtpCipher(keys)
            : new AesCmHmacSha1SrtpCipher(keys, SrtpProtectionProfiles.RtpOverhead(profile));
}
