using Parley.Security.Srtp;

namespace Parley.Security.Dtls;

/// <summary>
/// The SRTP master keys and salts a DTLS-SRTP handshake produced (RFC 5764 §4.2): the keying material exported
/// with the label "EXTRACTOR-dtls_srtp" (RFC 5705), split into client and server write keys and salts.
/// </summary>
public sealed class DtlsSrtpKeys
{
    /// <summary>The RFC 5705 exporter label for DTLS-SRTP (RFC 5764 §4.2).</summary>
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    private readonly byte[] _material;
    private readonly int _keyLength;
    private readonly int _saltLength;

    private DtlsSrtpKeys(SrtpProtectionProfile profile, byte[] material)
    {
        Profile = profile;
        _material = material;
        _keyLength = SrtpProtectionProfiles.MasterKeyLength(profile);
        _saltLength = SrtpProtectionProfiles.MasterSaltLength(profile);
    }

    /// <summary>The SRTP protection profile the use_srtp extension negotiated.</summary>
    public SrtpProtectionProfile Profile { get; }

    /// <summary>The exported keying material as it came from the exporter: 2 * (key + salt) bytes.</summary>
    public ReadOnlySpan<byte> KeyingMaterial => _material;

    /// <summary>client_write_SRTP_master_key: protects what the DTLS client sends.</summary>
    public ReadOnlySpan<byte> ClientWriteKey => _material.AsSpan(0, _keyLength);

    /// <summary>server_write_SRTP_master_key: protects what the DTLS server sends.</summary>
    public ReadOnlySpan<byte> ServerWriteKey => _material.AsSpan(_keyLength, _keyLength);

    /// <summary>client_write_SRTP_master_salt.</summary>
    public ReadOnlySpan<byte> ClientWriteSalt => _material.AsSpan(2 * _keyLength, _saltLength);

    /// <summary>server_write_SRTP_master_salt.</summary>
    public ReadOnlySpan<byte> ServerWriteSalt => _material.AsSpan((2 * _keyLength) + _saltLength, _saltLength);

    /// <summary>Bytes to export for <paramref name="profile"/>: 2 * (16 + 14) = 60 for AES-CM, 2 * (16 + 12) = 56 for GCM.</summary>
    public static int KeyingMaterialLength(SrtpProtectionProfile profile) =>
        2 * (SrtpProtectionProfiles.MasterKeyLength(profile) + SrtpProtectionProfiles.MasterSaltLength(profile));

    //  RFC 5764 §4.2:
    //    client_write_SRTP_master_key[SRTPSecurityParams.master_key_len];
    //    server_write_SRTP_master_key[SRTPSecurityParams.master_key_len];
    //    client_write_SRTP_master_salt[SRTPSecurityParams.master_salt_len];
    //    server_write_SRTP_master_salt[SRTPSecurityParams.master_salt_len];

    /// <summary>Splits exported keying material for <paramref name="profile"/> (copied).</summary>
    /// <exception cref="ArgumentException">Unsupported profile, or the material is not <see cref="KeyingMaterialLength"/> bytes.</exception>
    public static DtlsSrtpKeys FromKeyingMaterial(SrtpProtectionProfile profile, ReadOnlySpan<byte> material)
    {
        if (!SrtpProtectionProfiles.IsSupported(profile))
        {
            throw new ArgumentException($"Unsupported SRTP protection profile {profile}.", nameof(profile));
        }

        if (material.Length != KeyingMaterialLength(profile))
        {
            throw new ArgumentException($"{profile} needs {KeyingMaterialLength(profile)} bytes of keying material, got {material.Length}.", nameof(material));
        }

        return new DtlsSrtpKeys(profile, material.ToArray());
    }

    /// <summary>
    /// The context that protects what this side sends: keyed with the server write key and salt when
    /// <paramref name="localRole"/> is <see cref="DtlsRole.Server"/>, the client's otherwise.
    /// </summary>
    public SrtpContext CreateSendContext(DtlsRole localRole) => localRole == DtlsRole.Server
        ? new SrtpContext(Profile, ServerWriteKey, ServerWriteSalt)
        : new SrtpContext(Profile, ClientWriteKey, ClientWriteSalt);

    /// <summary>The context that unprotects what the peer sends: the other direction's key and salt.</summary>
    public SrtpContext CreateReceiveContext(DtlsRole localRole) =>
        CreateSendContext(localRole == DtlsRole.Server ? DtlsRole.Client : DtlsRole.Server);
}
