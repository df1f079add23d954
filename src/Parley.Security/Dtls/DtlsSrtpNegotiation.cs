using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using SrtpProtectionProfile = Parley.Security.Srtp.SrtpProtectionProfile;

namespace Parley.Security.Dtls;

/// <summary>
/// What the DTLS-SRTP server and client peers share: cipher suites, credentials, the peer certificate check
/// against the SDP fingerprint, use_srtp profile choice and the keying material export.
/// </summary>
internal sealed class DtlsSrtpNegotiation
{
    // ECDHE with ECDSA certificates: what browsers offer for WebRTC (RFC 8827 §6.5 requires
    // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256); the CBC suite is for older peers.
    private static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    private readonly DtlsCertificate _certificate;
    private readonly DtlsFingerprint _expectedRemote;
    private readonly DtlsCounters _counters;

    public DtlsSrtpNegotiation(BcTlsCrypto crypto, DtlsCertificate certificate, DtlsFingerprint expectedRemote, DtlsSrtpOptions options, DtlsCounters counters)
    {
        Crypto = crypto;
        _certificate = certificate;
        _expectedRemote = expectedRemote;
        Options = options;
        _counters = counters;
    }

    public BcTlsCrypto Crypto { get; }

    public DtlsSrtpOptions Options { get; }

    public SrtpProtectionProfile? Selected { get; set; }

    public byte[]? KeyingMaterial { get; private set; }

    public static SignatureAndHashAlgorithm EcdsaSha256 => SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    public int[] SupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, CipherSuites);

    public UseSrtpData Offer() => new(Options.Profiles.Select(p => (int)p).ToArray(), TlsUtilities.EmptyBytes);

    public TlsCredentialedSigner Signer(TlsContext context) => new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context), Crypto, _certificate.PrivateKey,
        new Certificate([Crypto.CreateCertificate(_certificate.DerArray)]), EcdsaSha256);

    /// <summary>The server picks its most preferred profile that the client offered (RFC 5764 §4.1.1).</summary>
    public void SelectFromOffer(IDictionary<int, byte[]>? clientExtensions)
    {
        UseSrtpData? offer = clientExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        foreach (SrtpProtectionProfile p in Options.Profiles)
        {
            if (offer is not null && Array.IndexOf(offer.ProtectionProfiles, (int)p) >= 0)
            {
                Selected = p;
                return;
            }
        }

        _counters.CountNoCommonProfile();
        throw new TlsFatalAlert(AlertDescription.handshake_failure);
    }

    /// <summary>The client accepts exactly one profile, and only one it offered (RFC 5764 §4.1.1).</summary>
    public void AcceptAnswer(IDictionary<int, byte[]>? serverExtensions)
    {
        UseSrtpData? answer = serverExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
        if (answer is null || answer.ProtectionProfiles.Length != 1
            || !Options.Profiles.Contains((SrtpProtectionProfile)answer.ProtectionProfiles[0]))
        {
            _counters.CountNoCommonProfile();
            throw new TlsFatalAlert(AlertDescription.illegal_parameter);
        }

        Selected = (SrtpProtectionProfile)answer.ProtectionProfiles[0];
    }

    /// <summary>
    /// Refuses a peer whose end-entity certificate does not hash to the SDP fingerprint (RFC 5763 §5, RFC 8122 §5).
    /// The signature check (CertificateVerify, ServerKeyExchange) that proves the peer holds its key is
    /// BouncyCastle's.
    /// </summary>
    public void CheckPeerCertificate(Certificate? certificate)
    {
        if (certificate is null || certificate.IsEmpty || !_expectedRemote.Matches(certificate.GetCertificateAt(0).GetEncoded()))
        {
            _counters.CountFingerprintMismatch();
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    public void Export(TlsContext context)
    {
        SrtpProtectionProfile profile = Selected ?? throw new TlsFatalAlert(AlertDescription.internal_error);
        KeyingMaterial = context.ExportKeyingMaterial(DtlsSrtpKeys.ExporterLabel, null, DtlsSrtpKeys.KeyingMaterialLength(profile));
    }
}
