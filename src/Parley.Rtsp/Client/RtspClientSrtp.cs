using Parley.Rtp.Sdp;
using Parley.Security.Mikey;
using Parley.Security.Srtp;

namespace Parley.Rtsp.Client;

/// <summary>
/// SRTP for an RTSP client that plays RTP/SAVP over UDP: the keys come from the SDP's <c>a=key-mgmt:mikey</c>
/// (RFC 4567 §3.1, media level before session level), as an RTSPS server sends them inside TLS. One context
/// unprotects RTP and another RTCP, because each receive loop owns one and contexts are single-threaded per direction.
/// </summary>
internal sealed class RtspClientSrtp : IDisposable
{
    private RtspClientSrtp(SrtpContext rtp, SrtpContext rtcp)
    {
        Rtp = rtp;
        Rtcp = rtcp;
    }

    /// <summary>Unprotects SRTP packets (RTP receive loop only).</summary>
    public SrtpContext Rtp { get; }

    /// <summary>Unprotects SRTCP packets (RTCP receive loop only).</summary>
    public SrtpContext Rtcp { get; }

    /// <summary>
    /// Builds the contexts from <paramref name="media"/>'s (or the session's) MIKEY key management, with each
    /// crypto session's ROC as the initial rollover counter of its SSRC. False when there is no usable MIKEY message.
    /// </summary>
    public static bool TryCreate(SdpMedia media, SdpSession? session, out RtspClientSrtp? srtp, out string? error)
    {
        srtp = null;
        string? value = media.Attributes.Get("key-mgmt") ?? session?.Attributes.Get("key-mgmt");
        if (value is null || !value.StartsWith("mikey ", StringComparison.OrdinalIgnoreCase))
        {
            error = "the SDP offers RTP/SAVP without an a=key-mgmt:mikey attribute";
            return false;
        }

        byte[] data;
        try
        {
            data = Convert.FromBase64String(value[6..].Trim());
        }
        catch (FormatException)
        {
            error = "the a=key-mgmt MIKEY data is not base64";
            return false;
        }

        if (!MikeyReader.TryParse(data, out var message) || !MikeySrtpPolicy.TryGetKeys(message!, out var profile, out var key, out var salt))
        {
            error = "the a=key-mgmt MIKEY message is malformed or asks for an unsupported SRTP policy";
            return false;
        }

        var rtp = new SrtpContext(profile, key, salt);
        foreach (var cs in message!.CryptoSessions)
        {
            if (cs.Ssrc != 0)
            {
                rtp.SetInitialRolloverCounter(cs.Ssrc, cs.RolloverCounter);
            }
        }

        srtp = new RtspClientSrtp(rtp, new SrtpContext(profile, key, salt));
        error = null;
        return true;
    }

    /// <summary>Unprotects in place; the plain length, or -1 when the packet must be dropped (counted by the context).</summary>
    public int Unprotect(bool rtcp, Span<byte> packet) =>
        (rtcp ? Rtcp.UnprotectRtcp(packet, packet.Length, out int plain) : Rtp.UnprotectRtp(packet, packet.Length, out plain)) == SrtpResult.Ok
            ? plain
            : -1;

    public void Dispose()
    {
        Rtp.Dispose();
        Rtcp.Dispose();
    }
}
