using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Security.Srtp;

/// <summary>
/// AES_128_CM encryption with HMAC-SHA1 authentication (RFC 3711 §4.1.1, §4.2.1): the SRTP_AES128_CM_HMAC_SHA1_80
/// and _32 profiles. Allocates nothing per packet: the AES-ECB transforms and the HMAC states are created once.
/// </summary>
internal sealed class AesCmHmacSha1SrtpCipher : SrtpCipher
{
    //  RFC 3711 §3.1, the SRTP packet:
    //
    //    0                   1                   2                   3
    //    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
    //   |V=2|P|X|  CC   |M|     PT      |       sequence number         | |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
    //   |                           timestamp                           | |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
    //   |           synchronization source (SSRC) identifier            | |
    //   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+ |
    //   |            contributing source (CSRC) identifiers             | |
    //   |                               ....                            | |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
    //   |                   RTP extension (OPTIONAL)                    | |
    // +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
    // | |                          payload  ...                         | |
    // | |                               +-------------------------------+ |
    // | |                               | RTP padding   | RTP pad count | |
    // +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
    // | ~                     SRTP MKI (OPTIONAL)                       ~ |
    // | +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
    // | :                 authentication tag (RECOMMENDED)              : |
    // | +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
    // |                                                                   |
    // +- Encrypted Portion*                      Authenticated Portion ---+
    //
    //  The authentication tag is HMAC-SHA1(k_a, authenticated portion || ROC) truncated (§4.2). No MKI here.
    //
    //  RFC 3711 §3.4, the SRTCP packet: the first 8 bytes (V, P, RC, PT, length, SSRC of sender) stay clear,
    //  the rest of the compound packet is encrypted, then follow
    //
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |E|                         SRTCP index                         |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   ~                     SRTCP MKI (OPTIONAL)                      ~
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   :                     authentication tag                        :
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //
    //  and the tag covers everything before it, E/index word included.

    private const int HmacSha1Length = 20;
    private const int RtcpTag = 10;
    private const int RtcpClearBytes = 8;

    private readonly AesCounterMode _rtpCipher;
    private readonly AesCounterMode _rtcpCipher;
    private readonly IncrementalHash _rtpHmac;
    private readonly IncrementalHash _rtcpHmac;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;
    private readonly int _rtpTagLength;

    public AesCmHmacSha1SrtpCipher(SrtpSessionKeys keys, int rtpTagLength)
    {
        _rtpCipher = new AesCounterMode(keys.RtpKey);
        _rtcpCipher = new AesCounterMode(keys.RtcpKey);
        _rtpHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtpAuthKey);
        _rtcpHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.RtcpAuthKey);
        _rtpSalt = keys.RtpSalt;
        _rtcpSalt = keys.RtcpSalt;
        _rtpTagLength = rtpTagLength;
    }

    public override int RtpTagLength => _rtpTagLength;

    public override int RtcpTagLength => RtcpTag;

    public override void ProtectRtp(Span<byte> buffer, int length, int headerLength, uint ssrc, uint rolloverCounter, ushort sequenceNumber)
    {
        Span<byte> iv = stackalloc byte[16];
        CounterBlock(iv, _rtpSalt, ssrc, ((ulong)rolloverCounter << 16) | sequenceNumber);
        _rtpCipher.Apply(iv, buffer[headerLength..length]);

        Span<byte> mac = stackalloc byte[HmacSha1Length];
        RtpMac(buffer[..length], rolloverCounter, mac);
        mac[.._rtpTagLength].CopyTo(buffer[length..]);
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, uint rolloverCounter, ushort sequenceNumber)
    {
        int authenticated = packet.Length - _rtpTagLength;
        Span<byte> mac = stackalloc byte[HmacSha1Length];
        RtpMac(packet[..authenticated], rolloverCounter, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[.._rtpTagLength], packet[authenticated..]))
        {
            return false;
        }

        Span<byte> iv = stackalloc byte[16];
        CounterBlock(iv, _rtpSalt, ssrc, ((ulong)rolloverCounter << 16) | sequenceNumber);
        _rtpCipher.Apply(iv, packet[headerLength..authenticated]);
        return true;
    }

    public override int ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint index, bool encrypt)
    {
        if (encrypt)
        {
            Span<byte> iv = stackalloc byte[16];
            CounterBlock(iv, _rtcpSalt, ssrc, index);
            _rtcpCipher.Apply(iv, buffer[RtcpClearBytes..length]);
        }

        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], encrypt ? index | 0x8000_0000u : index);
        int authenticated = length + 4;
        Span<byte> mac = stackalloc byte[HmacSha1Length];
        _rtcpHmac.AppendData(buffer[..authenticated]);
        _rtcpHmac.TryGetHashAndReset(mac, out _);
        mac[..RtcpTag].CopyTo(buffer[authenticated..]);
        return authenticated + RtcpTag;
    }

    public override bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted)
    {
        int authenticated = packet.Length - RtcpTag;
        Span<byte> mac = stackalloc byte[HmacSha1Length];
        _rtcpHmac.AppendData(packet[..authenticated]);
        _rtcpHmac.TryGetHashAndReset(mac, out _);
        if (!CryptographicOperations.FixedTimeEquals(mac[..RtcpTag], packet[authenticated..]))
        {
            return false;
        }

        if (encrypted)
        {
            Span<byte> iv = stackalloc byte[16];
            CounterBlock(iv, _rtcpSalt, ssrc, index);
            _rtcpCipher.Apply(iv, packet[RtcpClearBytes..(authenticated - 4)]);
        }

        return true;
    }

    /// <summary>
    /// IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) (RFC 3711 §4.1.1), i the 48-bit SRTP packet index or
    /// the 31-bit SRTCP index.
    /// </summary>
    internal static void CounterBlock(Span<byte> iv, ReadOnlySpan<byte> salt, uint ssrc, ulong index)
    {
        iv.Clear();
        salt.CopyTo(iv);
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], BinaryPrimitives.ReadUInt32BigEndian(iv[4..]) ^ ssrc);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]) ^ (index << 16);
        BinaryPrimitives.WriteUInt64BigEndian(iv[8..], low);
    }

    private void RtpMac(ReadOnlySpan<byte> authenticated, uint rolloverCounter, Span<byte> mac)
    {
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, rolloverCounter);
        _rtpHmac.AppendData(authenticated);
        _rtpHmac.AppendData(roc);
        _rtpHmac.TryGetHashAndReset(mac, out _);
    }

    public override void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpHmac.Dispose();
        _rtcpHmac.Dispose();
    }
}
