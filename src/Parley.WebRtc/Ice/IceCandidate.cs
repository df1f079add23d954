using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Parley.WebRtc.Ice;

/// <summary>The transport of a candidate.</summary>
public enum IceTransportProtocol
{
    /// <summary>UDP (RFC 8445).</summary>
    Udp,

    /// <summary>TCP with RFC 4571 framing (ICE-TCP, RFC 6544).</summary>
    Tcp,
}

/// <summary>
/// A host candidate this server advertises (RFC 8445 §5.1.1.1): an address and port where its UDP mux or ICE-TCP
/// listener receives checks. Lite agents only have host candidates (RFC 8445 §2.5).
/// </summary>
/// <param name="Foundation">Equal for candidates of the same type, base address and transport (RFC 8445 §5.1.1.3).</param>
/// <param name="Protocol">UDP, or TCP (always tcptype passive here: the server never connects out, RFC 6544 §4.5).</param>
/// <param name="Priority">RFC 8445 §5.1.2.1 (RFC 6544 §4.2 for TCP).</param>
/// <param name="Address">The advertised address: a configured public one, or the bound local one.</param>
/// <param name="Port">The advertised port.</param>
public sealed record IceCandidate(string Foundation, IceTransportProtocol Protocol, uint Priority, IPAddress Address, int Port)
{
    /// <summary>The only component WebRTC uses with rtcp-mux (RFC 8843): 1.</summary>
    public const int Component = 1;

    /// <summary>The host type preference RFC 8445 §5.1.2.2 recommends: 126.</summary>
    public const int HostTypePreference = 126;

    /// <summary>
    /// priority = 2^24 * type preference + 2^8 * local preference + (256 - component) (RFC 8445 §5.1.2.1).
    /// </summary>
    /// <param name="typePreference">0-126.</param>
    /// <param name="localPreference">0-65535: orders the candidates of one type.</param>
    /// <param name="component">1-256.</param>
    public static uint ComputePriority(int typePreference, int localPreference, int component = Component) =>
        (uint)((typePreference << 24) + (localPreference << 8) + (256 - component));

    /// <summary>
    /// Host candidates for each advertised address: UDP at <paramref name="udpPort"/>, and when
    /// <paramref name="tcpPort"/> is given a passive TCP one, ranked below UDP. The local preference of TCP follows
    /// RFC 6544 §4.2 (direction preference passive = 4, shifted by 13), UDP gets 65535; later addresses rank lower.
    /// </summary>
    public static IReadOnlyList<IceCandidate> ForHost(IReadOnlyList<IPAddress> addresses, int udpPort, int? tcpPort)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var list = new List<IceCandidate>();
        for (int i = 0; i < addresses.Count; i++)
        {
            IPAddress address = addresses[i];
            list.Add(new IceCandidate($"{i + 1}", IceTransportProtocol.Udp, ComputePriority(HostTypePreference, 65535 - i), address, udpPort));
            if (tcpPort is int port)
            {
                // RFC 6544 §4.2: local preference = 2^13 * direction-pref + other-pref; passive host = 4.
                int localPreference = (4 << 13) + (8191 - i);
                list.Add(new IceCandidate($"{i + 101}", IceTransportProtocol.Tcp, ComputePriority(HostTypePreference - 36, localPreference), address, port));
            }
        }

        return list;
    }

    /// <summary>
    /// The value of an a=candidate line without the "a=" (RFC 8839 §5.1; RFC 6544 §4.5 adds tcptype), e.g.
    /// "candidate:1 1 udp 2130706431 203.0.113.7 8189 typ host" or
    /// "candidate:101 1 tcp 1518280447 203.0.113.7 8189 typ host tcptype passive".
    /// </summary>
    public string ToSdpAttribute()
    {
        string address = Address.IsIPv4MappedToIPv6 ? Address.MapToIPv4().ToString() : Address.ToString();
        string text = string.Create(CultureInfo.InvariantCulture,
            $"candidate:{Foundation} {Component} {(Protocol == IceTransportProtocol.Udp ? "udp" : "tcp")} {Priority} {address} {Port} typ host");
        return Protocol == IceTransportProtocol.Tcp ? text + " tcptype passive" : text;
    }

    /// <summary>True for an IPv6 address (the SDP connection line and ordering differ).</summary>
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6 && !Address.IsIPv4MappedToIPv6;
}
