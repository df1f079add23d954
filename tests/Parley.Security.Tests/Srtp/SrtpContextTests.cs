using System.Security.Cryptography;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;
using Parley.Security.Srtp;

namespace Parley.Security.Tests.Srtp;

public class SrtpContextTests
{
    public static readonly TheoryData<SrtpProtectionProfile> Profiles =
    [
        SrtpProtectionProfile.Aes128CmHmacSha1_80,
        SrtpProtectionProfile.Aes128CmHmacSha1_32,
        SrtpProtectionProfile.AeadAes128Gcm,
    ];

    internal static (byte[] Key, byte[] Salt) MasterKeys(SrtpProtectionProfile profile) =>
        (RandomNumberGenerator.GetBytes(SrtpProtectionProfiles.MasterKeyLength(profile)),
         RandomNumberGenerator.GetBytes(SrtpProtectionProfiles.MasterSaltLength(profile)));

    internal static (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpProtectionProfile profile, int maxSources = SrtpContext.DefaultMaxSources)
    {
        var (key, salt) = MasterKeys(profile);
        return (new SrtpContext(profile, key, salt, maxSources), new SrtpContext(profile, key, salt, maxSources));
    }

    /// <summary>
    /// A pair with fixed keys, for assertions about single ciphertext bytes: with random keys a keystream byte is
    /// 0 once in 256 runs and the byte comes out unchanged.
    /// </summary>
    private static (SrtpContext Sender, SrtpContext Receiver) FixedKeyPair(SrtpProtectionProfile profile)
    {
        var random = new Random(42);
        byte[] key = new byte[SrtpProtectionProfiles.MasterKeyLength(profile)];
        byte[] salt = new byte[SrtpProtectionProfiles.MasterSaltLength(profile)];
        random.NextBytes(key);
        random.NextBytes(salt);
        return (new SrtpContext(profile, key, salt), new SrtpContext(profile, key, salt));
    }

    private static byte[] Protect(SrtpContext sender, byte[] rtp)
    {
        byte[] buffer = TestPackets.WithRoom(rtp);
        Assert.True(sender.TryProtectRtp(buffer, rtp.Length, out int length));
        Assert.Equal(rtp.Length + sender.RtpOverhead, length);
        return buffer[..length];
    }

    private static byte[] ProtectRtcp(SrtpContext sender, byte[] rtcp)
    {
        byte[] buffer = TestPackets.WithRoom(rtcp);
        Assert.True(sender.TryProtectRtcp(buffer, rtcp.Length, out int length));
        Assert.Equal(rtcp.Length + sender.RtcpOverhead, length);
        return buffer[..length];
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Replayed_rtp_packet_is_rejected_and_counted(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] wire = Protect(sender, TestPackets.Rtp(1000));
            byte[] copy = [.. wire];
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire, wire.Length, out _));
            Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(copy, copy.Length, out _));
            Assert.Equal(1, receiver.Replays);
            Assert.Equal(0, receiver.AuthenticationFailures);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void A_flipped_bit_anywhere_fails_authentication_is_counted_and_moves_no_state(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] rtp = TestPackets.Rtp(4242, csrcs: 2, extensionWords: 2, payloadLength: 40, padding: 3);
            byte[] wire = Protect(sender, rtp);
            int malformed = 0;
            int extensionLength = 12 + (4 * 2) + 2; // the header extension's length field, after two CSRCs
            for (int i = 0; i < wire.Length; i++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    byte[] forged = [.. wire];
                    forged[i] ^= (byte)(1 << bit);
                    SrtpResult result = receiver.UnprotectRtp(forged, forged.Length, out _);
                    bool shapesHeader = i == 0 || i == extensionLength || i == extensionLength + 1;
                    if (shapesHeader && result == SrtpResult.Malformed)
                    {
                        malformed++; // version bits, or a CSRC count, X bit or extension length that no longer fits
                        continue;
                    }

                    Assert.True(result == SrtpResult.AuthenticationFailed, $"byte {i} bit {bit}: {result}");
                }
            }

            Assert.Equal((wire.Length * 8) - malformed, receiver.AuthenticationFailures);
            Assert.Equal(malformed, receiver.MalformedPackets);
            Assert.Equal(0, receiver.Replays);

            // None of the forgeries created state or moved the index: the genuine packet still unprotects.
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire, wire.Length, out int plainLength));
            Assert.Equal(rtp, wire[..plainLength]);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Forged_packet_far_ahead_does_not_move_the_rollover_counter(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            for (ushort seq = 60000; seq < 60003; seq++)
            {
                byte[] wire = Protect(sender, TestPackets.Rtp(seq));
                Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire, wire.Length, out _));
            }

            // A forgery 30000 ahead would, if accepted, move the receiver across the wrap (ROC + 1).
            byte[] forged = Protect(sender, TestPackets.Rtp(60003));
            forged[2] = 0x2D; // sequence number 0x2D..: about 11500, i.e. past 65535
            forged[^1] ^= 1;
            Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtp(forged, forged.Length, out _));

            byte[] next = Protect(sender, TestPackets.Rtp(60004));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(next, next.Length, out _));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rollover_counter_advances_at_the_wrap_and_enters_the_cipher(SrtpProtectionProfile profile)
    {
        var (key, salt) = MasterKeys(profile);
        using var sender = new SrtpContext(profile, key, salt);
        using var receiver = new SrtpContext(profile, key, salt);
        using var stranger = new SrtpContext(profile, key, salt);
        {
            byte[] afterWrap = [];
            for (int i = 0; i < 100; i++)
            {
                ushort seq = unchecked((ushort)(65500 + i));
                byte[] wire = Protect(sender, TestPackets.Rtp(seq, seed: i));
                afterWrap = [.. wire];
                Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire, wire.Length, out int plainLength));
                Assert.Equal(TestPackets.Rtp(seq, seed: i), wire[..plainLength]);
            }

            // The last packet (sequence number 63) was protected with ROC 1. A receiver that never saw the wrap
            // guesses ROC 0 and so must fail: the ROC is really part of the authentication/encryption.
            Assert.Equal(SrtpResult.AuthenticationFailed, stranger.UnprotectRtp(afterWrap, afterWrap.Length, out _));
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Reordering_within_the_window_is_accepted_and_older_packets_are_replays(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            var wire = Enumerable.Range(0, 300).Select(i => Protect(sender, TestPackets.Rtp(unchecked((ushort)(65400 + i)), seed: i))).ToArray();
            // The first packet fixes the receiver's ROC at 0 (RFC 3711 §3.3.1); the jump then crosses the wrap.
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire[0], wire[0].Length, out _));
            byte[] first = [.. wire[0]];
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire[299], wire[299].Length, out _));
            // 299 - 128 = 171 is the oldest index the 128-packet window still holds (RFC 3711 §3.3.2).
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire[172], wire[172].Length, out _));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire[200], wire[200].Length, out _));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire[298], wire[298].Length, out _));
            Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(wire[171], wire[171].Length, out _));
            Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(first, first.Length, out _));
            Assert.Equal(2, receiver.Replays);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Csrcs_and_header_extension_stay_clear_and_padding_is_encrypted(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = FixedKeyPair(profile);
        using (sender)
        using (receiver)
        {
            byte[] rtp = TestPackets.Rtp(7, csrcs: 3, extensionWords: 2, payloadLength: 50, padding: 4);
            Assert.True(RtpPacketView.TryParse(rtp, out var view));
            int headerLength = view.HeaderLength;
            Assert.Equal(12 + 12 + 4 + 8, headerLength);

            byte[] wire = Protect(sender, rtp);
            Assert.Equal(rtp[..headerLength], wire[..headerLength]);
            Assert.NotEqual(rtp[headerLength..], wire[headerLength..rtp.Length]);
            Assert.NotEqual(rtp[^1], wire[rtp.Length - 1]); // the padding count is encrypted too (RFC 3711 §3.1)

            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire, wire.Length, out int plainLength));
            Assert.Equal(rtp, wire[..plainLength]);
            Assert.True(RtpPacketView.TryParse(wire.AsSpan(0, plainLength), out var back));
            Assert.Equal(4, back.PaddingLength);
            Assert.Equal(3, back.CsrcCount);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtcp_round_trips_encrypted_and_authenticated_only_and_rejects_replays_and_tampering(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] rtcp = TestPackets.Rtcp();
            byte[] encrypted = ProtectRtcp(sender, rtcp);
            Assert.Equal(rtcp[..8], encrypted[..8]);
            Assert.NotEqual(rtcp[8..], encrypted[8..rtcp.Length]);

            sender.EncryptRtcp = false;
            byte[] clear = ProtectRtcp(sender, rtcp);
            Assert.Equal(rtcp, clear[..rtcp.Length]); // RFC 3711 §3.4: E = 0 leaves the packet readable

            byte[] replay = [.. encrypted];
            byte[] tampered = [.. clear];
            tampered[12] ^= 0x40;
            Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtcp(tampered, tampered.Length, out _));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(encrypted, encrypted.Length, out int n1));
            Assert.Equal(rtcp, encrypted[..n1]);
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(clear, clear.Length, out int n2));
            Assert.Equal(rtcp, clear[..n2]);
            Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtcp(replay, replay.Length, out _));
            Assert.Equal(1, receiver.Replays);
            Assert.Equal(1, receiver.AuthenticationFailures);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Short_or_foreign_input_is_malformed_and_counted(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] wire = Protect(sender, TestPackets.Rtp(1, csrcs: 4, payloadLength: 0));
            Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(wire, 12, out _));
            Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(wire, wire.Length - 1 - receiver.RtpOverhead, out _)); // CSRCs cut
            Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(wire, wire.Length + 1, out _)); // length past the buffer
            Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(wire, -1, out _));
            byte[] notRtp = new byte[64];
            Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(notRtp, notRtp.Length, out _));
            Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtcp(notRtp, notRtp.Length, out _));
            Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtcp(wire, 8 + receiver.RtcpOverhead - 1, out _));
            Assert.Equal(7, receiver.MalformedPackets);
        }
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Protect_without_room_for_the_tag_fails_and_leaves_the_buffer_alone(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] rtp = TestPackets.Rtp(1);
            byte[] buffer = TestPackets.WithRoom(rtp, sender.RtpOverhead - 1);
            Assert.False(sender.TryProtectRtp(buffer, rtp.Length, out _));
            Assert.Equal(rtp, buffer[..rtp.Length]);

            byte[] rtcp = TestPackets.Rtcp();
            byte[] rtcpBuffer = TestPackets.WithRoom(rtcp, sender.RtcpOverhead - 1);
            Assert.False(sender.TryProtectRtcp(rtcpBuffer, rtcp.Length, out _));
            Assert.Equal(rtcp, rtcpBuffer[..rtcp.Length]);
            Assert.False(sender.TryProtectRtp(new byte[40], 11, out _));
        }
    }

    [Fact]
    public void New_sources_beyond_the_limit_are_refused_and_counted()
    {
        var (sender, receiver) = Pair(SrtpProtectionProfile.Aes128CmHmacSha1_80, maxSources: 2);
        using var wideSender = new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, new byte[16], new byte[14]);
        using (sender)
        using (receiver)
        {
            for (uint ssrc = 1; ssrc <= 2; ssrc++)
            {
                byte[] wire = Protect(sender, TestPackets.Rtp(1, ssrc));
                Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(wire, wire.Length, out _));
            }

            byte[] third = TestPackets.WithRoom(TestPackets.Rtp(1, 3));
            Assert.False(sender.TryProtectRtp(third, third.Length - 64, out _));

            // Forged packets of new SSRCs never take a slot: the limit only counts authenticated sources.
            byte[] forged = Protect(wideSender, TestPackets.Rtp(1, 3));
            Assert.Equal(SrtpResult.SourceLimitReached, receiver.UnprotectRtp(forged, forged.Length, out _));
            Assert.Equal(1, receiver.SourceLimitRejections);
        }
    }

    [Fact]
    public void Wrong_key_or_salt_length_is_refused_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProtectionProfile.AeadAes128Gcm, new byte[16], new byte[14]));
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, new byte[16], new byte[12]));
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, new byte[15], new byte[14]));
        Assert.Throws<ArgumentException>(() => new SrtpContext((SrtpProtectionProfile)3, new byte[16], new byte[14]));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Protect_and_unprotect_of_a_1200_byte_packet_allocate_nothing(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        using (sender)
        using (receiver)
        {
            byte[] rtp = TestPackets.Rtp(0, payloadLength: 1200 - 12);
            byte[] rtcp = TestPackets.Rtcp();
            byte[] buffer = new byte[1300];
            ushort seq = 0;
            int failures = 0; // counted, not asserted, inside the measured loop: xunit's asserts allocate
            long allocated = Allocations.SteadyState(() =>
            {
                for (int i = 0; i < 200; i++)
                {
                    rtp.CopyTo(buffer, 0);
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), seq++);
                    bool ok = sender.TryProtectRtp(buffer, rtp.Length, out int length)
                        && receiver.UnprotectRtp(buffer, length, out _) == SrtpResult.Ok;
                    rtcp.CopyTo(buffer, 0);
                    ok &= sender.TryProtectRtcp(buffer, rtcp.Length, out length)
                        && receiver.UnprotectRtcp(buffer, length, out _) == SrtpResult.Ok;
                    failures += ok ? 0 : 1;
                }
            });
            Assert.Equal(0, failures);
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void A_forgotten_source_frees_its_slot_and_starts_over()
    {
        var (key, salt) = MasterKeys(SrtpProtectionProfile.AeadAes128Gcm);
        using var sender = new SrtpContext(SrtpProtectionProfile.AeadAes128Gcm, key, salt);
        using var receiver = new SrtpContext(SrtpProtectionProfile.AeadAes128Gcm, key, salt, maxSources: 1);
        {
            byte[] first = Protect(sender, TestPackets.Rtp(10, ssrc: 1));
            byte[] replay = [.. first];
            byte[] other = Protect(sender, TestPackets.Rtp(10, ssrc: 2));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(first, first.Length, out _));
            Assert.Equal(SrtpResult.SourceLimitReached, receiver.UnprotectRtp([.. other], other.Length, out _));
            Assert.True(receiver.ForgetReceivedSource(1));
            Assert.False(receiver.ForgetReceivedSource(1));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(other, other.Length, out _));
            Assert.True(receiver.ForgetReceivedSource(2));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(replay, replay.Length, out _)); // forgotten, so not a replay
        }
    }
}
