using System.Net;
using System.Net.Sockets;
using Parley.Rtp.Sdp;

namespace Parley.Rtsp.Client;

/// <summary>One media description of the client's session (an m= line of the SDP) and how it is carried.</summary>
public sealed class RtspClientMedia
{
    internal RtspClientMedia(int index, SdpMedia description, string controlUrl)
    {
        Index = index;
        Description = description;
        ControlUrl = controlUrl;
    }

    /// <summary>Position of the media description in the SDP (0-based), the index used by <see cref="IRtspMediaReceiver"/>.</summary>
    public int Index { get; }

    /// <summary>The media description (codec, payload types, control).</summary>
    public SdpMedia Description { get; }

    /// <summary>The absolute URL SETUP was (or will be) sent to (RFC 2326 §C.1.1).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1056:URI-like properties should not be strings", Justification = "Wire text.")]
    public string ControlUrl { get; }

    /// <summary>The Transport the server answered to SETUP; null before SETUP.</summary>
    public RtspTransport? Transport { get; internal set; }

    /// <summary>True once SETUP for this media succeeded.</summary>
    public bool IsSetUp => Transport is not null;

    /// <summary>Local UDP endpoint receiving RTP (its port is even; RTCP uses the next port); null over TCP.</summary>
    public IPEndPoint? LocalRtpEndPoint => RtpSocket?.LocalEndPoint as IPEndPoint;

    internal Socket? RtpSocket { get; set; }

    /// <summary>SRTP contexts when the media plays as RTP/SAVP over UDP; null otherwise.</summary>
    internal RtspClientSrtp? Srtp { get; set; }

    /// <summary>SRTP packets of this media that failed to unprotect (authentication, replay, malformed), dropped.</summary>
    public long SrtpFailures => Srtp is { } srtp
        ? srtp.Rtp.AuthenticationFailures + srtp.Rtp.Replays + srtp.Rtp.MalformedPackets + srtp.Rtcp.AuthenticationFailures + srtp.Rtcp.Replays + srtp.Rtcp.MalformedPackets
        : 0;

    internal Socket? RtcpSocket { get; set; }

    internal SocketAddress? ServerRtpAddress { get; set; }

    internal SocketAddress? ServerRtcpAddress { get; set; }

    internal byte RtpChannel { get; set; }

    internal byte RtcpChannel { get; set; }
}
