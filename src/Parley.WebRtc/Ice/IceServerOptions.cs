using System.Net;

namespace Parley.WebRtc.Ice;

/// <summary>Settings of an <see cref="IceServer"/>.</summary>
public sealed record IceServerOptions
{
    /// <summary>The WebRTC media port default (the field's habit, MediaMTX): 8189.</summary>
    public const int DefaultPort = 8189;

    /// <summary>Where the shared UDP socket binds; all interfaces, port 8189 by default (0 picks a free port).</summary>
    public IPEndPoint UdpEndPoint { get; init; } = new(IPAddress.Any, DefaultPort);

    /// <summary>
    /// Where the ICE-TCP passive listener binds (RFC 6544), for networks that block UDP; null disables it (the
    /// default). A hub usually sets the same port as UDP.
    /// </summary>
    public IPEndPoint? TcpEndPoint { get; init; }

    /// <summary>
    /// Addresses put into host candidates, e.g. the public address of a server behind 1:1 NAT or a container's host
    /// address. Empty (the default): the bound address, or every up, non-loopback interface address when bound to
    /// all interfaces.
    /// </summary>
    public IReadOnlyList<IPAddress> AdvertisedAddresses { get; init; } = [];

    /// <summary>A session without a valid check for this long is closed (RFC 7675 §5.1: 30 s).</summary>
    public TimeSpan ConsentTimeout { get; init; } = IceLiteAgent.DefaultConsentTimeout;

    /// <summary>How often consent is checked. Default 1 s.</summary>
    public TimeSpan ConsentCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock for consent freshness (tests inject a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
