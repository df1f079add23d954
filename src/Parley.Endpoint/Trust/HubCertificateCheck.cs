using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parley.Security.Pinning;

namespace Parley.Endpoint.Trust;

/// <summary>
/// The TLS certificate check of one connection to a hub (rtsps:// or wss://), made by <see cref="HubTrust.Check"/>:
/// a certificate that chains to a trusted CA and matches the host name passes; any other is pinned on first use in
/// <see cref="KnownHubs"/> and must stay the same afterwards. <see cref="Validate"/> fits
/// <see cref="RemoteCertificateValidationCallback"/>; when it refuses, <see cref="Rejection"/> says why in one line.
/// </summary>
public sealed class HubCertificateCheck
{
    private readonly HubTrust _trust;
    private readonly ILogger _logger;

    internal HubCertificateCheck(HubTrust trust, string hub, ILogger logger)
    {
        _trust = trust;
        Hub = hub;
        _logger = logger;
    }

    /// <summary>The pin key, host:port.</summary>
    public string Hub { get; }

    /// <summary>Why the last certificate was refused; null while none was.</summary>
    public string? Rejection { get; private set; }

    /// <summary>Accepts or refuses the hub's certificate as described on the type; logs a first-use pin and an accepted change.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Refuse($"{Hub} presented no TLS certificate; refusing the connection.");
        }

        var knownHubs = _trust.KnownHubs;
        string fingerprint = KnownHubs.Fingerprint(certificate);
        KnownHubVerdict verdict;
        string? remembered;
        try
        {
            verdict = knownHubs.Verify(Hub, fingerprint, _trust.AcceptNewCertificate, out remembered);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refuse($"cannot check the certificate of {Hub} against {knownHubs.Path} ({e.Message}); set {KnownHubs.PathVariable} to a writable file.");
        }

        switch (verdict)
        {
            case KnownHubVerdict.FirstSeen:
                _logger.LogWarning("first connection to {Hub}, certificate SHA-256 {Fingerprint}; remembered in {File}", Hub, fingerprint, knownHubs.Path);
                return true;
            case KnownHubVerdict.Replaced:
                _logger.LogWarning("the certificate of {Hub} changed from SHA-256 {Old} to {New}; accepted as asked and remembered in {File}", Hub, remembered, fingerprint, knownHubs.Path);
                return true;
            case KnownHubVerdict.Changed:
                return Refuse($"the certificate of {Hub} has CHANGED: {knownHubs.Path} remembers SHA-256 {remembered}, the hub now presents {fingerprint}. "
                    + $"Someone may be intercepting the connection; if the hub's certificate was replaced on purpose, remove the line for {Hub} from {knownHubs.Path} or run again with --accept-new-certificate.");
            default:
                return true;
        }
    }

    private bool Refuse(string reason)
    {
        Rejection = reason;
        return false;
    }
}
