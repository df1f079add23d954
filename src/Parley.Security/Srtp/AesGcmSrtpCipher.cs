using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Security.Srtp;

/// <summary>
/// AEAD_AES_128_GCM for SRTP and SRTCP (RFC 7714): the RTP header is associated data, the payload (with padding)
/// is encrypted, and a 16-byte tag follows. Allocates nothing per packet; a tag mismatch is reported as false.
/// </summary>
internal sealed class AesGcmSrtpCipher : SrtpCipher
{
    //  RFC 7714 §8.1, the 12-byte IV of an SRTP packet, XORed with the 12-byte session salt:
    //
    //        0  0  0  0  0  0  0  0  0  0  1  1
    //        0  1  2  3  4  5  6  7  8  9  0  1
    //      +--+--+--+--+--+--+--+--+--+--+--+--+
    //      |00|00|    SSRC   |     ROC   | SEQ |---+
    //      +--+--+--+--+--+--+--+--+--+--+--+--+   |
    //                                              |
    //      +--+--+--+--+--+--+--+--+--+--+--+--+   |
    //      |         Encryption Salt           |->(+)
    //      +--+--+--+--+--+--+--+--+--+--+--+--+   |
    //                                              |
    //      +--+--+--+--+--+--+--+--+--+--+--+--+   |
    //      |       Initialization Vector       |<--+
    //      +--+--+--+--+--+--+--+--+--+--+--+--+
    //
    //  RFC 7714 §9.1, SRTCP: |00|00| SSRC |00|00|0+SRTCP index(31 bits)| XOR salt. The SRTCP packet is
    //  header(8 bytes) || ciphertext || tag(16) || E+SRTCP index(4); the associated data is the 8-byte header
    //  followed by the E+index word (§9.2), or, with E = 0, the whole RTCP packet followed by that word (§9.3).

    private const int TagLength = 16;
    private const int NonceLength = 12;
    private const int RtcpClearBytes = 8;

    private readonly AesGcm _rtp;
    private readonly AesGcm _rtcp;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;

    public AesGcmSrtpCipher(SrtpSessionKeys keys)
    {
        _rtp = new AesGcm(keys.RtpKey, TagLength);
        _rtcp = new AesGcm(keys.RtcpKey, TagLength);
        _rtpSalt = keys.RtpSalt;
        _rtcpSalt = keys.RtcpSalt;
    }

    public override int RtpTagLength => TagLength;

    public override int RtcpTagLength => TagLength;

    public override void ProtectRtp(Span<byte> buffer, int length, int headerLength, uint ssrc, uint rolloverCounter, ushort sequenceNumber)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtpNonce(nonce, ssrc, rolloverCounter, sequenceNumber);
        Span<byte> payload = buffer[headerLength..length];
        _rtp.Encrypt(nonce, payload, payload, buffer.Slice(length, TagLength), buffer[..headerLength]);
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, uint rolloverCounter, ushort sequenceNumber)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtpNonce(nonce, ssrc, rolloverCounter, sequenceNumber);
        Span<byte> payload = packet[headerLength..^TagLength];
        return TryDecrypt(_rtp, nonce, payload, packet[^TagLength..], packet[..headerLength]);
    }

    public override int ProtectRtcp(Span<byte> buffer, int length, uint ssrc, uint index, bool encrypt)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtcpNonce(nonce, ssrc, index);
        uint word = encrypt ? index | 0x8000_0000u : index;
        if (encrypt)
        {
            Span<byte> aad = stackalloc byte[RtcpClearBytes + 4];
            buffer[..RtcpClearBytes].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpClearBytes..], word);
            Span<byte> body = buffer[RtcpClearBytes..length];
            _rtcp.Encrypt(nonce, body, body, buffer.Slice(length, TagLength), aad);
        }
        else
        {
            // The associated data is the packet followed by the E/index word; lay it out contiguously first,
            // then move the word behind the tag where the wire format puts it.
            Span<byte> tag = stackalloc byte[TagLength];
            BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], word);
            _rtcp.Encrypt(nonce, [], [], tag, buffer[..(length + 4)]);
            tag.CopyTo(buffer[length..]);
        }

        BinaryPrimitives.WriteUInt32BigEndian(buffer[(length + TagLength)..], word);
        return length + TagLength + 4;
    }

    public override bool UnprotectRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RtcpNonce(nonce, ssrc, index);
        int plainLength = packet.Length - TagLength - 4;
        Span<byte> tag = stackalloc byte[TagLength];
        packet.Slice(plainLength, TagLength).CopyTo(tag);
        ReadOnlySpan<byte> word = packet[^4..];
        if (encrypted)
        {
            Span<byte> aad = stackalloc byte[RtcpClearBytes + 4];
            packet[..RtcpClearBytes].CopyTo(aad);
            word.CopyTo(aad[RtcpClearBytes..]);
            return TryDecrypt(_rtcp, nonce, packet[RtcpClearBytes..plainLength], tag, aad);
        }

        // E = 0: the associated data is the packet then the word; the tag (saved above) sits between them.
        word.CopyTo(packet[plainLength..]);
        return TryDecrypt(_rtcp, nonce, [], tag, packet[..(plainLength + 4)]);
    }

    private static bool TryDecrypt(AesGcm gcm, ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
    {
        try
        {
            gcm.Decrypt(nonce, data, tag, data, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The BCL reports a bad tag only by exception; wire input must not throw, so it becomes false here.
            return false;
        }
    }

    private void RtpNonce(Span<byte> nonce, uint ssrc, uint rolloverCounter, ushort sequenceNumber)
    {
        nonce[..2].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], rolloverCounter);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[10..], sequenceNumber);
        XorSalt(nonce, _rtpSalt);
    }

    private void RtcpNonce(Span<byte> nonce, uint ssrc, uint index)
    {
        nonce[..2].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        nonce[6..8].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index & 0x7FFF_FFFFu);
        XorSalt(nonce, _rtcpSalt);
    }

    private static void XorSalt(Span<byte> nonce, ReadOnlySpan<byte> salt)
    {
        for (int i = 0; i < NonceLength; i++)
        {
            nonce[i] ^= salt[i];
        }
    }

    public override void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
