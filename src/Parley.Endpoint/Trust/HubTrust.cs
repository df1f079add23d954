using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parley.Rtsp.Client;
using Parley.Security.Pinning;

namespace Parley.Endpoint.Trust;

/// <summary>
/// How the endpoint decides to trust a hub: rtsps:// certificates that chain to a trusted CA and match the host name
/// are accepted as they are; any other certificate (a hub's self-signed one) is pinned on first use in
/// <see cref="Parley.Security.Pinning.KnownHubs"/> and must stay the same afterwards, like ssh's known_hosts. Plain
/// rtsp:// to a host other than this one draws a one-time warning that the media travels unencrypted.
/// </summary>
public sealed class HubTrust
{
    private static readonly ConcurrentDictionary<string, bool> WarnedPlain = new(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<HubTrust> DefaultTrust = new(() => new HubTrust(new KnownHubs(KnownHubs.DefaultPath())));

    /// <summary>Uses <paramref name="knownHubs"/> for pins.</summary>
    /// <param name="knownHubs">The pin store.</param>
    /// <param name="acceptNewCertificate">Replace a changed pin instead of refusing the hub (the user said the change is expected).</param>
    public HubTrust(KnownHubs knownHubs, bool acceptNewCertificate = false)
    {
        ArgumentNullException.ThrowIfNull(knownHubs);
        KnownHubs = knownHubs;
        AcceptNewCertificate = acceptNewCertificate;
    }

    /// <summary>The default: the store at <see cref="KnownHubs.DefaultPath"/>, changed certificates refused.</summary>
    public static HubTrust Default => DefaultTrust.Value;

    /// <summary>The pin store.</summary>
    public KnownHubs KnownHubs { get; }

    /// <summary>Whether a changed certificate replaces its pin instead of being refused.</summary>
    public bool AcceptNewCertificate { get; }

    /// <summary>
    /// Whether media to <paramref name="url"/> would cross a network unencrypted: a plain rtsp:// URL whose host is
    /// not this machine (127.0.0.0/8, ::1, localhost).
    /// </summary>
    /// <param name="url">An rtsp:// or rtsps:// URL.</param>
    public static bool IsUnencryptedRemote(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return !string.Equals(url.Scheme, "rtsps", StringComparison.OrdinalIgnoreCase) && !url.IsLoopback;
    }

    /// <summary>
    /// Connects an <see cref="RtspClient"/> to <paramref name="url"/>, checking an rtsps:// hub's certificate as
    /// described on the type. Sets <see cref="RtspClientOptions.ServerCertificateValidation"/> of <paramref name="options"/>.
    /// </summary>
    /// <param name="url">rtsp:// or rtsps:// URL of the hub path.</param>
    /// <param name="options">Client settings.</param>
    /// <param name="logger">Where the first-use pin and the unencrypted warning go.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="RtspClientException">The connection failed; when the certificate was refused, the message says
    /// why in one line and the inner exception is a <see cref="HubCertificateException"/>.</exception>
    public async Task<RtspClient> ConnectAsync(Uri url, RtspClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (!string.Equals(url.Scheme, "rtsps", StringComparison.OrdinalIgnoreCase))
        {
            if (IsUnencryptedRemote(url) && WarnedPlain.TryAdd(url.Host, true))
            {
                logger.LogWarning("media to {Host} travels unencrypted over rtsp://; use rtsps://{Host}:8322{Path} (the hub's RTSPS port) to encrypt it", url.Host, url.Host, url.AbsolutePath);
            }

            return await RtspClient.ConnectAsync(url.ToString(), options, cancellationToken).ConfigureAwait(false);
        }

        string hub = $"{url.Host}:{(url.Port > 0 ? url.Port : 322)}";
        string? rejection = null;
        options.ServerCertificateValidation = (_, certificate, _, errors) => Validate(hub, certificate, errors, logger, ref rejection);
        try
        {
            return await RtspClient.ConnectAsync(url.ToString(), options, cancellationToken).ConfigureAwait(false);
        }
        catch (RtspClientException e) when (rejection is not null)
        {
            throw new RtspClientException(rejection, new HubCertificateException(rejection, e));
        }
    }

    private bool Validate(string hub, X509Certificate? certificate, SslPolicyErrors errors, ILogger logger, ref string? rejection)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            rejection = $"{hub} presented no TLS certificate; refusing the connection.";
            return false;
        }

        string fingerprint = KnownHubs.Fingerprint(certificate);
        KnownHubVerdict verdict;
        string? remembered;
        try
        {
            verdict = KnownHubs.Verify(hub, fingerprint, AcceptNewCertificate, out remembered);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            rejection = $"cannot check the certificate of {hub} against {KnownHubs.Path} ({e.Message}); set {Parley.Security.Pinning.KnownHubs.PathVariable} to a writable file.";
            return false;
        }

        switch (verdict)
        {
            case KnownHubVerdict.FirstSeen:
                logger.LogWarning("first connection to {Hub}, certificate SHA-256 {Fingerprint}; remembered in {File}", hub, fingerprint, KnownHubs.Path);
                return true;
            case KnownHubVerdict.Replaced:
                logger.LogWarning("the certificate of {Hub} changed from SHA-256 {Old} to {New}; accepted as asked and remembered in {File}", hub, remembered, fingerprint, KnownHubs.Path);
                return true;
            case KnownHubVerdict.Changed:
                rejection = $"the certificate of {hub} has CHANGED: {KnownHubs.Path} remembers SHA-256 {remembered}, the hub now presents {fingerprint}. "
                    + $"Someone may be intercepting the connection; if the hub's certificate was replaced on purpose, remove the line for {hub} from {KnownHubs.Path} or run again with --accept-new-certificate.";
                return false;
            default:
                return true;
        }
    }
}
