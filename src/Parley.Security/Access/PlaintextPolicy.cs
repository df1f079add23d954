using System.Net;

namespace Parley.Security.Access;

/// <summary>Who may use a protocol's unencrypted port (plain HTTP 8080, plain RTSP 8554).</summary>
public enum PlaintextMode
{
    /// <summary>Loopback clients only (127.0.0.0/8, ::1 and their IPv4-mapped forms): the default.</summary>
    Loopback,

    /// <summary>Every client: a LAN where eavesdropping is accepted, or old players without TLS.</summary>
    Allow,

    /// <summary>No client: the plain port only points to the encrypted one.</summary>
    Off,
}

/// <summary>
/// The one decision behind "secure by default, still usable": media, pages and credentials that leave the machine
/// travel encrypted, while a client on the same machine (whose traffic never reaches a wire) may keep using the
/// plain ports. A pure function of the mode and the client's address, so it is tested without a second machine.
/// </summary>
public static class PlaintextPolicy
{
    /// <summary>True when a client at <paramref name="remote"/> may be served without encryption under <paramref name="mode"/>.</summary>
    public static bool Permits(PlaintextMode mode, IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return mode switch
        {
            PlaintextMode.Allow => true,
            PlaintextMode.Loopback => IsLoopback(remote),
            _ => false,
        };
    }

    /// <summary>True for 127.0.0.0/8 and ::1, also when written as IPv4-mapped IPv6 (::ffff:127.0.0.1, as a dual-mode socket reports it).</summary>
    public static bool IsLoopback(IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
    }

    /// <summary>Reads "loopback", "allow" or "off" (any case); false for anything else.</summary>
    public static bool TryParse(string value, out PlaintextMode mode)
    {
        mode = PlaintextMode.Loopback;
        switch (value.Trim().ToUpperInvariant())
        {
            case "LOOPBACK":
                return true;
            case "ALLOW":
                mode = PlaintextMode.Allow;
                return true;
            case "OFF":
                mode = PlaintextMode.Off;
                return true;
            default:
                return false;
        }
    }
}
