using System.CommandLine;
using Parley.Endpoint.Trust;
using Parley.Security.Pinning;

namespace Parley.Cli;

/// <summary>The `--accept-new-certificate` flag of send, view and call, and the <see cref="HubTrust"/> it selects.</summary>
internal static class HubTrustOption
{
    public static Option<bool> Create() => new("--accept-new-certificate")
    {
        Description = $"rtsps:// only: accept a hub certificate that differs from the one remembered in the known-hubs file ({KnownHubs.PathVariable} or ~/.config/parley/known_hubs) and remember the new one",
    };

    public static HubTrust Trust(bool acceptNewCertificate) =>
        acceptNewCertificate ? new HubTrust(new KnownHubs(KnownHubs.DefaultPath()), acceptNewCertificate: true) : HubTrust.Default;
}
