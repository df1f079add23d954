using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Rtsp.Client;
using Parley.Security.Pinning;

namespace Parley.Endpoint.Trust;

/// <summary>
/// How the endpoint decides to trust a hub: rtsps:// certificates that chain to a trusted CA and match the host name
/// are accepted as they are; any other certificate (a hub's self-signed one) is pinned on first use in
/// <see cref="Parley.Security.Pinning.KnownHubs"/> and must stay the same afterwards, like ssh's known_hosts. Plain
/// rtsp:// to a host other than this one draws a one-time warning that the media travels unencrypted. The same check
/// serves the room control socket over wss:// (<see cref="Check"/>).
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

        var check = Check($"{url.Host}:{(url.Port > 0 ? url.Port : 322)}", logger);
        options.ServerCertificateValidation = check.Validate;
        try
        {
            return await RtspClient.ConnectAsync(url.ToString(), options, cancellationToken).ConfigureAwait(false);
        }
        catch (RtspClientException e) when (check.Rejection is { } rejection)
        {
            throw new RtspClientException(rejection, new HubCertificateException(rejection, e));
        }
    }

    /// <summary>A certificate check for one TLS connection to <paramref name="hub"/> (the pin key, host:port).</summary>
    /// <param name="hub">host:port of the hub's TLS port.</param>
    /// <param name="logger">Where a first-use pin and an accepted change are logged.</param>
    public HubCertificateCheck Check(string hub, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(hub);
        ArgumentNullException.ThrowIfNull(logger);
        return new HubCertificateCheck(this, hub, logger);
    }
}
