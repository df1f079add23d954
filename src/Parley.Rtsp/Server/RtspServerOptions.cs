using System.Net;
using System.Security.Cryptography.X509Certificates;
using Parley.Security.Access;

namespace Parley.Rtsp.Server;

/// <summary>Settings of an <see cref="RtspServer"/>. Defaults follow the field's habits (MediaMTX).</summary>
public sealed record RtspServerOptions
{
    /// <summary>Address the TCP listener and the UDP media sockets bind to (all IPv4 interfaces by default).</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>RTSP TCP port; 0 lets the OS choose (tests).</summary>
    public int Port { get; init; } = 8554;

    /// <summary>
    /// RTSPS TCP port (RTSP inside TLS 1.2/1.3); 0 lets the OS choose (tests). Only listened on when
    /// <see cref="TlsCertificate"/> is set. MediaMTX's default, 8322.
    /// </summary>
    public int TlsPort { get; init; } = 8322;

    /// <summary>
    /// The server certificate, with its private key, for RTSPS; null serves plain RTSP only. RTSPS readers that
    /// play over UDP get SRTP (RTP/SAVP) keyed with MIKEY in the SDP; TCP-interleaved media rides inside TLS.
    /// </summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>
    /// Who the plain RTSP port serves. <see cref="PlaintextMode.Allow"/> by default for a server built alone; the hub
    /// passes rtsp.plaintext (loopback by default). A client it does not serve gets 403 to every request, with the
    /// rtsps:// URL to use in X-Parley-Error and the body.
    /// </summary>
    public PlaintextMode Plaintext { get; init; } = PlaintextMode.Allow;

    /// <summary>How long a client has to finish the TLS handshake before the connection is dropped.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>UDP port for RTP (even); 0 picks a free even/odd pair. RTCP uses <see cref="RtcpPort"/>.</summary>
    public int RtpPort { get; init; } = 8000;

    /// <summary>UDP port for RTCP, normally <see cref="RtpPort"/> + 1; ignored when <see cref="RtpPort"/> is 0.</summary>
    public int RtcpPort { get; init; } = 8001;

    /// <summary>
    /// A session with no request, RTP or RTCP from its client for this long is closed (RFC 2326 §12.37: the
    /// Session header announces it as "timeout=60").
    /// </summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A TCP write that makes no progress for this long closes the session (a stuck reader).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many request bytes, headers and body bytes a client may send.</summary>
    public RtspParseLimits Limits { get; init; } = RtspParseLimits.Default;

    /// <summary>
    /// Who may read and publish; null lets everyone (the server alone has no users). See
    /// <see cref="IRtspAccessControl"/>.
    /// </summary>
    public IRtspAccessControl? AccessControl { get; init; }

    /// <summary>The realm of the authentication challenges; Digest HA1 values are computed with it (RFC 2617 §3.2.1).</summary>
    public string AuthRealm { get; init; } = "Parley";

    /// <summary>Offer Digest (MD5) beside Basic in 401 challenges; clients pick Digest when offered.</summary>
    public bool OfferDigest { get; init; } = true;

    /// <summary>
    /// TCP connections one client address may hold at once; the next is closed on accept. 0 means no limit.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; }

    /// <summary>
    /// A connection without a session that completes no request for this long is closed: it stops a client that
    /// opens connections and sends nothing, or sends a request a byte at a time (slow loris).
    /// </summary>
    public TimeSpan IdleConnectionTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Value of the Server header.</summary>
    public string ServerName { get; init; } = "Parley";
}
