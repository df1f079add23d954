using Parley.Security.Srtp;

namespace Parley.Security.Dtls;

/// <summary>Settings of a <see cref="DtlsSrtpTransport"/>.</summary>
public sealed record DtlsSrtpOptions
{
    /// <summary>
    /// SRTP profiles in order of preference, offered (client) or picked from the peer's offer (server) in the
    /// use_srtp extension (RFC 5764 §4.1.1). Default: AEAD_AES_128_GCM (RFC 7714 §14.2), then
    /// SRTP_AES128_CM_HMAC_SHA1_80, the profile every WebRTC endpoint has (RFC 8827 §6.5).
    /// </summary>
    public IReadOnlyList<SrtpProtectionProfile> Profiles { get; init; } =
        [SrtpProtectionProfile.AeadAes128Gcm, SrtpProtectionProfile.Aes128CmHmacSha1_80];

    /// <summary>The whole handshake must finish within this time (retransmissions included). Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest datagram the handshake writes, in bytes; larger flights are fragmented (RFC 6347 §4.2.3). 1200
    /// leaves room for IPv6, UDP and ICE-TCP framing on any path WebRTC runs on. Default 1200.
    /// </summary>
    public int MaxDatagramSize { get; init; } = 1200;

    /// <summary>Incoming datagrams queued before the DTLS thread reads them; more are dropped. Default 64.</summary>
    public int ReceiveQueueCapacity { get; init; } = 64;
}
