using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Parley.Security.Mikey;
using Parley.Security.Srtp;

namespace Parley.Security.Tests.Mikey;

public class MikeyTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];
    private static readonly byte[] Salt = [.. Enumerable.Range(16, 14).Select(i => (byte)i)];

    [Fact]
    public void A_message_captured_from_gstreamer_parses_to_its_key_policy_and_crypto_session()
    {
        // GstSdp.MIKEYMessage.new_from_caps (GStreamer 1.22) for key 00..1d, aes-128-icm + hmac-sha1-32,
        // then add_cs_srtp(0, 0x11223344, roc 5): see TestData/gstreamer-mikey.b64.
        byte[] data = Convert.FromBase64String(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Mikey", "TestData", "gstreamer-mikey.b64")).Trim());
        Assert.True(MikeyReader.TryParse(data, out var message));
        Assert.Equal(MikeyDataType.PreSharedKeyInit, message!.DataType);
        Assert.Equal([new MikeyCryptoSession(0, 0x11223344, 5)], message.CryptoSessions);
        Assert.Equal(16, message.Rand.Length);
        Assert.True(MikeySrtpPolicy.TryGetKeys(message, out var profile, out var key, out var salt));
        Assert.Equal(SrtpProtectionProfile.Aes128CmHmacSha1_32, profile);
        Assert.Equal(Key, key);
        Assert.Equal(Salt, salt);
    }

    [Fact]
    public void What_we_write_gstreamer_turns_into_the_same_srtp_key_and_auth()
    {
        // The path rtspsrc takes: SDP a=key-mgmt parsed by gst_sdp_media_attributes_to_caps into srtpdec caps.
        var message = MikeySrtpPolicy.Create(SrtpProtectionProfile.Aes128CmHmacSha1_80, Key, Salt,
            [new MikeyCryptoSession(0, 0xCAFEBABE, 3)], DateTimeOffset.UtcNow);
        string base64 = Convert.ToBase64String(MikeyWriter.Write(message));
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""
            import sys, gi
            gi.require_version('GstSdp', '1.0'); gi.require_version('Gst', '1.0')
            from gi.repository import Gst, GstSdp
            Gst.init(None)
            sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\na=key-mgmt:mikey ' + sys.argv[1] + '\r\n'
            result, message = GstSdp.SDPMessage.new_from_text(sdp)
            caps = Gst.Caps.new_empty_simple('application/x-rtp')
            assert message.get_media(0).attributes_to_caps(caps) == GstSdp.SDPResult.OK
            print(caps.to_string())
            """.Replace("            ", "", StringComparison.Ordinal));
        start.ArgumentList.Add(base64);
        using var python = Process.Start(start)!;
        string stdout = python.StandardOutput.ReadToEnd();
        string stderr = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(20_000));
        Assert.True(python.ExitCode == 0, stderr);
        Assert.Contains($"srtp-key=(buffer){Convert.ToHexStringLower([.. Key, .. Salt])}", stdout, StringComparison.Ordinal);
        Assert.Contains("srtp-cipher=(string)aes-128-icm", stdout, StringComparison.Ordinal);
        Assert.Contains("srtp-auth=(string)hmac-sha1-80", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Written_messages_parse_back_to_the_same_fields()
    {
        var gen =
            from sessions in Gen.ListOf(Gen.Choose(0, 3).SelectMany(_ =>
                from policy in Gen.Choose(0, 255)
                from ssrc in ArbMap.Default.GeneratorFor<uint>()
                from roc in ArbMap.Default.GeneratorFor<uint>()
                select new MikeyCryptoSession((byte)policy, ssrc, roc)))
            from short32 in ArbMap.Default.GeneratorFor<bool>()
            from keySeed in Gen.Choose(0, int.MaxValue)
            select (Sessions: sessions.Take(8).ToArray(), Profile: short32 ? SrtpProtectionProfile.Aes128CmHmacSha1_32 : SrtpProtectionProfile.Aes128CmHmacSha1_80, Seed: keySeed);

        Prop.ForAll(Arb.From(gen), input =>
        {
            var random = new Random(input.Seed);
            byte[] key = new byte[16];
            byte[] salt = new byte[14];
            random.NextBytes(key);
            random.NextBytes(salt);
            var written = MikeySrtpPolicy.Create(input.Profile, key, salt, input.Sessions, DateTimeOffset.UnixEpoch.AddSeconds(input.Seed));
            byte[] bytes = MikeyWriter.Write(written);
            return MikeyReader.TryParse(bytes, out var read)
                && read!.CsbId == written.CsbId
                && read.CryptoSessions.SequenceEqual(written.CryptoSessions)
                && read.Timestamp == written.Timestamp
                && read.Rand.SequenceEqual(written.Rand)
                && MikeySrtpPolicy.TryGetKeys(read, out var profile, out var readKey, out var readSalt)
                && profile == input.Profile && readKey.SequenceEqual(key) && readSalt.SequenceEqual(salt)
                && MikeyWriter.Write(read).SequenceEqual(bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Truncated_or_corrupted_messages_are_refused_without_throwing_and_the_input_is_not_mutated()
    {
        byte[] valid = MikeyWriter.Write(MikeySrtpPolicy.Create(SrtpProtectionProfile.Aes128CmHmacSha1_80, Key, Salt,
            [new MikeyCryptoSession(0, 1, 0)], DateTimeOffset.UnixEpoch));
        var gen =
            from cut in Gen.Choose(0, valid.Length - 1)
            from flips in Gen.ListOf(Gen.Choose(0, valid.Length - 1))
            from value in Gen.Choose(0, 255)
            select (Cut: cut, Flips: flips.ToArray(), Value: (byte)value);

        for (int length = 0; length < valid.Length; length++)
        {
            Assert.False(MikeyReader.TryParse(valid.AsSpan(0, length), out _), $"a {length}-byte prefix parsed");
        }

        Prop.ForAll(Arb.From(gen), input =>
        {
            byte[] data = [.. valid];
            foreach (int at in input.Flips)
            {
                data[at] = input.Value;
            }

            byte[] copy = [.. data];
            bool parsed = MikeyReader.TryParse(data.AsSpan(0, input.Cut == 0 ? data.Length : input.Cut), out var message);
            // Whatever the verdict, a parsed message is whole and the caller's bytes are untouched.
            return (parsed ? message is not null : message is null) && data.SequenceEqual(copy);
        }).QuickCheckThrowOnFailure();
    }
}
