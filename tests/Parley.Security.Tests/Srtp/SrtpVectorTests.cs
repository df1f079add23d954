using Parley.Security.Srtp;

namespace Parley.Security.Tests.Srtp;

/// <summary>
/// Published known-answer vectors: RFC 3711 Appendix B.2 (AES-CM keystream) and B.3 (key derivation), the
/// libsrtp reference packets for AES_CM_128_HMAC_SHA1_80 (test/srtp_driver.c, srtp_validate), and RFC 7714 §16
/// and §17 (AEAD_AES_128_GCM SRTP and SRTCP).
/// </summary>
public class SrtpVectorTests
{
    // RFC 3711 B.3 and libsrtp's srtp_validate share this master key and salt.
    private static readonly byte[] CmMasterKey = Hex.Bytes("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] CmMasterSalt = Hex.Bytes("0EC675AD498AFEEBB6960B3AABE6");

    // RFC 7714 §16/§17 give the session key and salt directly (the KDF is not part of those vectors).
    private static readonly byte[] GcmKey = Hex.Bytes("000102030405060708090a0b0c0d0e0f");
    private static readonly byte[] GcmSalt = Hex.Bytes("517569642070726f2071756f"); // "Quid pro quo"

    private static readonly byte[] GcmRtp = Hex.Bytes("""
        8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
        69736120 696e2070 61727465 73207472 6573
        """);

    private static readonly byte[] GcmSrtp = Hex.Bytes("""
        8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
        0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439
        0cce
        """);

    private static readonly byte[] GcmRtcp = Hex.Bytes("""
        81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef deadbeef
        """);

    // RFC 7714 §17.1: SRTCP index 0x5d4, E = 1.
    private static readonly byte[] GcmSrtcpEncrypted = Hex.Bytes("""
        81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
        c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
        45d9eade 800005d4
        """);

    // RFC 7714 §17.3: the same packet authenticated only, E = 0.
    private static readonly byte[] GcmSrtcpAuthenticatedOnly = Hex.Bytes("""
        81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790
        125f62b3 000005d4
        """);

    [Fact]
    public void Aes_cm_keystream_matches_rfc3711_b2()
    {
        byte[] sessionKey = Hex.Bytes("2B7E151628AED2A6ABF7158809CF4F3C");
        byte[] sessionSalt = Hex.Bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
        byte[] iv = new byte[16];
        AesCmHmacSha1SrtpCipher.CounterBlock(iv, sessionSalt, ssrc: 0, index: 0);
        Assert.Equal(Hex.Bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), iv);

        using var cipher = new AesCounterMode(sessionKey);
        byte[] keystream = new byte[1044512]; // the whole segment of B.2: 65282 blocks
        cipher.Keystream(iv, keystream);
        Assert.Equal(Hex.Bytes("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0"), keystream[..48]);
        Assert.Equal(Hex.Bytes("EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE 6A2CC3787889374FBEB4C81B17BA6C44"), keystream[^48..]);
    }

    [Fact]
    public void Key_derivation_matches_rfc3711_b3()
    {
        byte[] cipherKey = new byte[16];
        byte[] cipherSalt = new byte[14];
        byte[] authKey = new byte[94]; // B.3 derives 94 bytes to show the counter running over six blocks
        SrtpKeyDerivation.DeriveSessionKey(CmMasterKey, CmMasterSalt, SrtpKeyLabel.RtpEncryption, cipherKey);
        SrtpKeyDerivation.DeriveSessionKey(CmMasterKey, CmMasterSalt, SrtpKeyLabel.RtpSalt, cipherSalt);
        SrtpKeyDerivation.DeriveSessionKey(CmMasterKey, CmMasterSalt, SrtpKeyLabel.RtpAuthentication, authKey);

        Assert.Equal(Hex.Bytes("C61E7A93744F39EE10734AFE3FF7A087"), cipherKey);
        Assert.Equal(Hex.Bytes("30CBBC08863D8C85D49DB34A9AE1"), cipherSalt);
        Assert.Equal(Hex.Bytes("""
            CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE E049646C43D9327AD175578EF7227098
            6371C10C9A369AC2F94A8C5FBCDDDC25 6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2
            """), authKey);
    }

    [Fact]
    public void Gcm_key_derivation_pads_the_96_bit_master_salt_by_two_zero_bytes()
    {
        // RFC 7714 §11 with erratum 4938: the 12-byte salt times 2^16 is the 14-byte salt of the RFC 3711 KDF.
        byte[] salt12 = Hex.Bytes("a0a1a2a3a4a5a6a7a8a9aaab");
        byte[] salt14 = [.. salt12, 0, 0];
        foreach (SrtpKeyLabel label in Enum.GetValues<SrtpKeyLabel>())
        {
            byte[] a = new byte[16];
            byte[] b = new byte[16];
            SrtpKeyDerivation.DeriveSessionKey(GcmKey, salt12, label, a);
            SrtpKeyDerivation.DeriveSessionKey(GcmKey, salt14, label, b);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Aes_cm_hmac_sha1_80_rtp_matches_the_libsrtp_reference_packet()
    {
        byte[] plain = Hex.Bytes("800f1234decafbadcafebabe abababababababababababababababab");
        byte[] expected = Hex.Bytes("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb");
        using var sender = new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, CmMasterKey, CmMasterSalt);
        byte[] buffer = new byte[64];
        plain.CopyTo(buffer, 0);
        Assert.True(sender.TryProtectRtp(buffer, plain.Length, out int length));
        Assert.Equal(expected, buffer[..length]);

        using var receiver = new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, CmMasterKey, CmMasterSalt);
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(buffer, length, out int plainLength));
        Assert.Equal(plain, buffer[..plainLength]);
    }

    [Fact]
    public void Aes_cm_hmac_sha1_32_tag_is_the_first_four_bytes_of_the_80_bit_tag()
    {
        // RFC 3711 §4.2: the tag is the leftmost n_tag bits of the HMAC, so _32 and _80 share a prefix.
        byte[] plain = Hex.Bytes("800f1234decafbadcafebabe abababababababababababababababab");
        using var sender = new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_32, CmMasterKey, CmMasterSalt);
        byte[] buffer = new byte[64];
        plain.CopyTo(buffer, 0);
        Assert.True(sender.TryProtectRtp(buffer, plain.Length, out int length));
        Assert.Equal(Hex.Bytes("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc"), buffer[..length]);
    }

    [Fact]
    public void Aes_cm_hmac_sha1_80_rtcp_matches_the_libsrtp_reference_packet()
    {
        // libsrtp numbers SRTCP packets from 1, Parley (like RFC 3711's initial index) from 0: one packet first.
        byte[] plain = Hex.Bytes("81c8000bcafebabe abababababababababababababababab");
        byte[] expected = Hex.Bytes("81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798");
        using var sender = new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, CmMasterKey, CmMasterSalt);
        byte[] buffer = new byte[64];
        plain.CopyTo(buffer, 0);
        Assert.True(sender.TryProtectRtcp(buffer, plain.Length, out _));
        plain.CopyTo(buffer, 0);
        Assert.True(sender.TryProtectRtcp(buffer, plain.Length, out int length));
        Assert.Equal(expected, buffer[..length]);

        using var receiver = new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, CmMasterKey, CmMasterSalt);
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(buffer, length, out int plainLength));
        Assert.Equal(plain, buffer[..plainLength]);
    }

    [Fact]
    public void Gcm_rtp_matches_rfc7714_16_1()
    {
        using var sender = GcmContext();
        byte[] buffer = new byte[128];
        GcmRtp.CopyTo(buffer, 0);
        Assert.True(sender.TryProtectRtp(buffer, GcmRtp.Length, out int length));
        Assert.Equal(GcmSrtp, buffer[..length]);

        using var receiver = GcmContext();
        byte[] wire = [.. GcmSrtp];
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire, wire.Length, out int plainLength));
        Assert.Equal(GcmRtp, wire[..plainLength]);
    }

    [Fact]
    public void Gcm_rtcp_matches_rfc7714_17_1_and_17_3()
    {
        using var encrypting = GcmContext();
        using var authenticating = GcmContext();
        authenticating.EncryptRtcp = false;
        byte[] buffer = new byte[128];
        int length = 0;
        for (int i = 0; i <= 0x5d4; i++) // the vectors use SRTCP index 0x5d4
        {
            GcmRtcp.CopyTo(buffer, 0);
            Assert.True(encrypting.TryProtectRtcp(buffer, GcmRtcp.Length, out length));
        }

        Assert.Equal(GcmSrtcpEncrypted, buffer[..length]);
        for (int i = 0; i <= 0x5d4; i++)
        {
            GcmRtcp.CopyTo(buffer, 0);
            Assert.True(authenticating.TryProtectRtcp(buffer, GcmRtcp.Length, out length));
        }

        Assert.Equal(GcmSrtcpAuthenticatedOnly, buffer[..length]);

        foreach (byte[] vector in new[] { GcmSrtcpEncrypted, GcmSrtcpAuthenticatedOnly })
        {
            byte[] wire = [.. vector];
            using var fresh = GcmContext();
            Assert.Equal(SrtpResult.Ok, fresh.UnprotectRtcp(wire, wire.Length, out int plainLength));
            Assert.Equal(GcmRtcp, wire[..plainLength]);
        }
    }

    private static SrtpContext GcmContext() =>
        new(SrtpProtectionProfile.AeadAes128Gcm, new SrtpSessionKeys(GcmKey, GcmSalt, [], GcmKey, GcmSalt, []));
}
