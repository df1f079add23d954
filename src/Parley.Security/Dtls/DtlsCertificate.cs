using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Parley.Security.Dtls;

/// <summary>
/// A self-signed ECDSA P-256 certificate and its private key for DTLS-SRTP. WebRTC authenticates it by the
/// fingerprint in the SDP, not by a CA (RFC 8827 §6.5, RFC 5763 §5), so one generated per process is enough.
/// </summary>
public sealed class DtlsCertificate
{
    private readonly byte[] _der;

    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey)
    {
        _der = der;
        PrivateKey = privateKey;
        Fingerprint = DtlsFingerprint.Sha256(der);
    }

    /// <summary>The DER-encoded X.509 certificate.</summary>
    public ReadOnlySpan<byte> DerEncoded => _der;

    /// <summary>The SHA-256 fingerprint for a=fingerprint.</summary>
    public DtlsFingerprint Fingerprint { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    internal byte[] DerArray => _der;

    /// <summary>
    /// Generates a key pair on P-256 and a self-signed certificate (SHA256withECDSA), valid from one day ago (clock
    /// skew) for <paramref name="validity"/>, 30 days by default.
    /// </summary>
    /// <param name="commonName">The subject and issuer CN; browsers ignore it.</param>
    /// <param name="validity">How long the certificate stays valid.</param>
    public static DtlsCertificate Generate(string commonName = "parley", TimeSpan? validity = null)
    {
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator("EC");
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        AsymmetricCipherKeyPair keyPair = generator.GenerateKeyPair();

        var name = new X509Name("CN=" + commonName);
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(new BigInteger(62, random).Add(BigInteger.One));
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        DateTime now = DateTime.UtcNow;
        builder.SetNotBefore(now.AddDays(-1));
        builder.SetNotAfter(now.Add(validity ?? TimeSpan.FromDays(30)));
        builder.SetPublicKey(keyPair.Public);
        X509Certificate certificate = builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keyPair.Private, random));
        return new DtlsCertificate(certificate.GetEncoded(), keyPair.Private);
    }
}
