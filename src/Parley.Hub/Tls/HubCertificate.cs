using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Hub.Configuration;

namespace Parley.Hub.Tls;

/// <summary>
/// The hub's TLS certificate for RTSPS and HTTPS: loaded from the configured file, or generated once (self-signed,
/// ECDSA P-256, for a LAN) and kept on disk so its fingerprint stays the same across restarts. Clients of a
/// self-signed hub pin the SHA-256 fingerprint the hub prints at start.
/// </summary>
public static class HubCertificate
{
    /// <summary>Validity of a generated certificate.</summary>
    public static readonly TimeSpan GeneratedValidity = TimeSpan.FromDays(3650);

    /// <summary>Loads the configured certificate, or the generated one, generating it on first use.</summary>
    /// <param name="options">The tls section.</param>
    /// <param name="generated">True when this call created a new certificate file.</param>
    /// <exception cref="InvalidOperationException">The configured file cannot be read, has no private key, or the
    /// generated one cannot be written; the message names the file and what to do.</exception>
    public static X509Certificate2 LoadOrCreate(HubOptions.TlsSection options, out bool generated)
    {
        ArgumentNullException.ThrowIfNull(options);
        generated = false;
        if (options.Certificate.Length > 0)
        {
            return Load(options.Certificate, options.Key, options.Password);
        }

        string path = options.GeneratedCertificate;
        if (File.Exists(path))
        {
            return Load(path, "", "");
        }

        using var certificate = CreateSelfSigned(Dns.GetHostName(), DateTimeOffset.UtcNow);
        byte[] pfx = certificate.Export(X509ContentType.Pkcs12);
        try
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            // The private key is in this file: only the hub's user may read it.
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(path, fileOptions))
            {
                file.Write(pfx);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"cannot write the generated TLS certificate to '{path}' ({ex.Message}). Set tls.generatedCertificate to a writable path, or tls.certificate to your own certificate.", ex);
        }

        generated = true;
        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }

    /// <summary>
    /// Creates a self-signed server certificate: ECDSA P-256, SHA-256, subject "CN=Parley hub &lt;host&gt;", with
    /// subject alternative names localhost, <paramref name="hostName"/>, 127.0.0.1 and ::1, serverAuth usage.
    /// </summary>
    public static X509Certificate2 CreateSelfSigned(string hostName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Parley hub {hostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        if (!string.Equals(hostName, "localhost", StringComparison.OrdinalIgnoreCase) && Uri.CheckHostName(hostName) == UriHostNameType.Dns)
        {
            names.AddDnsName(hostName);
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(now.AddDays(-1), now + GeneratedValidity);
    }

    /// <summary>The SHA-256 fingerprint of the DER certificate as colon-separated upper-case hex ("AB:CD:...").</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        // The endpoint's known-hubs file compares against this text, so both come from one place.
        return Parley.Security.Pinning.KnownHubs.Fingerprint(certificate);
    }

    private static X509Certificate2 Load(string path, string keyPath, string password)
    {
        X509Certificate2 certificate;
        try
        {
            string extension = Path.GetExtension(path).ToUpperInvariant();
            if (extension is ".PFX" or ".P12")
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password.Length > 0 ? password : null);
            }
            else
            {
                string key = keyPath.Length > 0 ? keyPath : path;
                certificate = password.Length > 0
                    ? X509Certificate2.CreateFromEncryptedPemFile(path, password, key)
                    : X509Certificate2.CreateFromPemFile(path, key);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"cannot load the TLS certificate '{path}' ({ex.Message}). Give a PKCS#12 file (.pfx) or a PEM certificate with tls.key naming its PEM key.", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"the TLS certificate '{path}' has no private key. Set tls.key to the PEM key file.");
        }

        return certificate;
    }
}
