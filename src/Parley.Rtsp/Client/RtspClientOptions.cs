using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace Parley.Rtsp.Client;

/// <summary>How an <see cref="RtspClient"/> asks the server to carry media (RFC 2326 §12.39).</summary>
public enum RtspClientTransport
{
    /// <summary>Interleaved on the RTSP TCP connection, channels 2i (RTP) and 2i+1 (RTCP) for media i (RFC 2326 §10.12).</summary>
    Tcp,

    /// <summary>UDP unicast, one even/odd local port pair per media (RFC 3550 §11).</summary>
    Udp,
}

/// <summary>Settings of an <see cref="RtspClient"/>.</summary>
public sealed class RtspClientOptions
{
    /// <summary>Media transport to request in SETUP. Default <see cref="RtspClientTransport.Tcp"/>.</summary>
    public RtspClientTransport Transport { get; set; } = RtspClientTransport.Tcp;

    /// <summary>Where received RTP and RTCP go; null drops them (e.g. when only publishing).</summary>
    public IRtspMediaReceiver? Receiver { get; set; }

    /// <summary>Time allowed for the TCP (and TLS) connection. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for each response. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Interval between keep-alive requests (GET_PARAMETER, or OPTIONS when the server refuses GET_PARAMETER) while
    /// playing or recording; null means half the session timeout the server announced (60 s when it announced none,
    /// RFC 2326 §12.37).
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>
    /// Range header of PLAY and RECORD (RFC 2326 §12.29). Default "npt=0.000-", as ffmpeg and GStreamer send; null
    /// sends none, which joins a live presentation where it is now: a server sharing one media among its readers
    /// (gst-rtsp-server) may otherwise seek it for every new reader.
    /// </summary>
    public string? PlayRange { get; set; } = "npt=0.000-";

    /// <summary>
    /// A bearer token (a Parley join token) sent as <c>Authorization: Bearer</c> (RFC 6750 §2.1) on every request;
    /// the URL's user and password then go unused. Null sends none. Keep it to rtsps:// or
    /// loopback: on plain RTSP anyone on the path can read and replay it.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>User-Agent header value (RFC 2326 §12.41).</summary>
    public string UserAgent { get; set; } = "Parley";

    /// <summary>
    /// Local address UDP media sockets bind to; null means the local address of the RTSP TCP connection, the
    /// interface through which the server reaches this host.
    /// </summary>
    public IPAddress? UdpBindAddress { get; set; }

    /// <summary>Socket receive buffer for UDP media, in bytes. Default 1 MiB (a video key frame arrives in a burst).</summary>
    public int UdpReceiveBufferSize { get; set; } = 1 << 20;

    /// <summary>Limits for parsing the server's responses.</summary>
    public RtspParseLimits ParseLimits { get; set; } = RtspParseLimits.Default;

    /// <summary>
    /// Certificate check for rtsps:// URLs; null uses the platform's default validation (a trusted chain and a
    /// matching host name).
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>Clock for timeouts and keep-alives; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Logger for protocol events (requests at debug, failures at warning); null logs nothing.</summary>
    public ILogger? Logger { get; set; }
}
