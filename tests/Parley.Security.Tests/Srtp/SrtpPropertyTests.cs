using FsCheck;
using FsCheck.Fluent;
using Parley.Security.Srtp;

namespace Parley.Security.Tests.Srtp;

public class SrtpPropertyTests
{
    private static readonly SrtpProtectionProfile[] AllProfiles =
        [SrtpProtectionProfile.Aes128CmHmacSha1_80, SrtpProtectionProfile.Aes128CmHmacSha1_32, SrtpProtectionProfile.AeadAes128Gcm];

    public sealed record PacketRun(SrtpProtectionProfile Profile, int Csrcs, int ExtensionWords, byte Padding, ushort FirstSequence, int Count, int Seed);

    [Fact]
    public void Protect_then_unprotect_round_trips_across_the_rollover_with_reordering()
    {
        var gen =
            from profile in Gen.Elements(AllProfiles)
            from csrcs in Gen.Choose(0, 15)
            from extensionWords in Gen.Choose(-1, 6)
            from padding in Gen.Choose(0, 8)
            from before in Gen.Choose(1, 300) // packets before the wrap
            from count in Gen.Choose(1, 400)
            from seed in Gen.Choose(0, int.MaxValue)
            select new PacketRun(profile, csrcs, extensionWords, (byte)padding, unchecked((ushort)(65536 - before)), count, seed);

        Prop.ForAll(Arb.From(gen), stream =>
        {
            var (sender, receiver) = SrtpContextTests.Pair(stream.Profile);
            using (sender)
            using (receiver)
            {
                var random = new Random(stream.Seed);
                var wire = new List<(byte[] Plain, byte[] Protected)>();
                for (int i = 0; i < stream.Count; i++)
                {
                    ushort seq = unchecked((ushort)(stream.FirstSequence + i));
                    byte[] plain = TestPackets.Rtp(seq, 0xABCD0000u + (uint)stream.Seed % 7, payloadLength: random.Next(0, 1400),
                        csrcs: stream.Csrcs, extensionWords: stream.ExtensionWords, padding: stream.Padding, seed: random.Next());
                    byte[] buffer = TestPackets.WithRoom(plain, sender.RtpOverhead);
                    if (!sender.TryProtectRtp(buffer, plain.Length, out int length) || length != plain.Length + sender.RtpOverhead)
                    {
                        return false;
                    }

                    wire.Add((plain, buffer));
                }

                // Deliver with local reordering: swap neighbours at random (well inside the replay window). The
                // first packet stays first, as it fixes the receiver's rollover counter (RFC 3711 §3.3.1).
                for (int i = 1; i + 1 < wire.Count; i++)
                {
                    if (random.Next(4) == 0)
                    {
                        (wire[i], wire[i + 1]) = (wire[i + 1], wire[i]);
                    }
                }

                foreach (var (plain, buffer) in wire)
                {
                    if (receiver.UnprotectRtp(buffer, buffer.Length, out int plainLength) != SrtpResult.Ok
                        || !buffer.AsSpan(0, plainLength).SequenceEqual(plain))
                    {
                        return false;
                    }
                }

                // And every packet, now received, is a replay.
                var (_, again) = wire[random.Next(wire.Count)];
                return receiver.Replays == 0 && receiver.UnprotectRtp(again, again.Length, out _) == SrtpResult.Replayed;
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_unprotect()
    {
        var gen =
            from profile in Gen.Elements(AllProfiles)
            from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
            from lengthCut in Gen.Choose(-2, 2)
            select (profile, bytes, lengthCut);

        var contexts = AllProfiles.ToDictionary(p => p, p => SrtpContextTests.Pair(p).Receiver);
        try
        {
            Prop.ForAll(Arb.From(gen), input =>
            {
                var receiver = contexts[input.profile];
                int length = input.bytes.Length + Math.Min(0, input.lengthCut); // also lengths that do not fit
                byte[] rtp = [.. input.bytes];
                byte[] rtcp = [.. input.bytes];
                if (input.bytes.Length > 0)
                {
                    rtp[0] = (byte)((rtp[0] & 0x3F) | 0x80); // mostly version 2, to get past the first check
                }

                return receiver.UnprotectRtp(rtp, length + Math.Max(0, input.lengthCut), out _) != SrtpResult.Ok
                    && receiver.UnprotectRtcp(rtcp, length, out _) != SrtpResult.Ok;
            }).QuickCheckThrowOnFailure();
        }
        finally
        {
            foreach (var context in contexts.Values)
            {
                context.Dispose();
            }
        }
    }
}
