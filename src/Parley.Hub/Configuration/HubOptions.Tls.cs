namespace Parley.Hub.Configuration;

public sealed partial class HubOptions
{
    /// <summary>The hub certificate of RTSPS and HTTPS (used when rtsp.tls or http.tls is on).</summary>
    public TlsSection Tls { get; } = new();

    /// <summary>
    /// Where the hub's TLS certificate comes from: a file named by <see cref="Certificate"/>, or, when that is empty,
    /// a self-signed ECDSA P-256 certificate generated on first start and kept in <see cref="GeneratedCertificate"/>
    /// so clients that pinned its SHA-256 fingerprint keep trusting it across restarts.
    /// </summary>
    public sealed class TlsSection
    {
        /// <summary>A PKCS#12 file (.pfx/.p12) or a PEM certificate (chain) file; empty generates one.</summary>
        public string Certificate { get; set; } = "";

        /// <summary>The PEM private key file of a PEM <see cref="Certificate"/>; empty when the PEM file holds the key too.</summary>
        public string Key { get; set; } = "";

        /// <summary>Password of a PKCS#12 file or of an encrypted PEM key; empty for none.</summary>
        public string Password { get; set; } = "";

        /// <summary>
        /// Where the generated certificate is kept (PKCS#12). The loader puts it next to the configuration file when
        /// one is loaded; otherwise parley-tls.pfx in the working directory.
        /// </summary>
        public string GeneratedCertificate { get; set; } = "parley-tls.pfx";
    }
}
