using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Parley.Rtp.Stun;

namespace Parley.Rtp.Tests.Stun;

public class StunPropertyTests
{
    private static readonly Gen<IPEndPoint> EndPoints =
        from v6 in Gen.Elements(false, true)
        from bytes in Gen.ArrayOf(TestData.Bytes, v6 ? 16 : 4)
        from port in Gen.Choose(0, 65535)
        select new IPEndPoint(new IPAddress(bytes), port);

    private static readonly Gen<string> Usernames =
        Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/:".ToCharArray()))
            .Select(c => new string(c));

    [Fact]
    public void Any_bytes_never_throw_and_are_not_mutated()
    {
        Prop.ForAll(Arb.From(TestData.ByteArraysOf(0, 200)), bytes =>
        {
            byte[] copy = (byte[])bytes.Clone();
            if (StunMessageView.TryParse(bytes, out var m))
            {
                _ = m.Type;
                _ = m.Username;
                _ = m.TryGetXorMappedAddress(out _);
                _ = m.TryGetErrorCode(out _, out _);
                _ = m.VerifyFingerprint();
                _ = m.VerifyMessageIntegrity([1, 2, 3]);
                _ = m.FirstUnknownRequiredAttribute();
            }

            return bytes.AsSpan().SequenceEqual(copy);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Valid_headers_with_random_attributes_never_throw()
    {
        // Random bytes rarely carry the magic cookie; this makes the attribute walk the thing under test.
        Prop.ForAll(Arb.From(TestData.ByteArraysOf(0, 120)), body =>
        {
            int length = body.Length & ~3;
            byte[] message = new byte[20 + length];
            message[1] = 0x01;
            message[2] = (byte)(length >> 8);
            message[3] = (byte)length;
            message[4] = 0x21; message[5] = 0x12; message[6] = 0xA4; message[7] = 0x42;
            body.AsSpan(0, length).CopyTo(message.AsSpan(20));
            if (StunMessageView.TryParse(message, out var m))
            {
                _ = m.Username;
                _ = m.TryGetXorMappedAddress(out _);
                _ = m.TryGetPriority(out _);
                _ = m.VerifyMessageIntegrity([1]);
                _ = m.VerifyFingerprint();
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Written_binding_messages_round_trip()
    {
        var gen = from ep in EndPoints
                  from user in Usernames
                  from key in TestData.ByteArraysOf(1, 40)
                  from txid in Gen.ArrayOf(TestData.Bytes, 12)
                  from priority in TestData.UInt32s
                  from useCandidate in Gen.Elements(false, true)
                  select (ep, user, key, txid, priority, useCandidate);
        Prop.ForAll(Arb.From(gen), t =>
        {
            var buffer = new byte[512];
            var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, t.txid);
            w.AddUsername(t.user);
            w.AddPriority(t.priority);
            if (t.useCandidate)
            {
                w.AddUseCandidate();
            }

            w.AddXorMappedAddress(t.ep.Address, t.ep.Port);
            w.AddMessageIntegrity(t.key);
            w.AddFingerprint();
            return StunMessageView.TryParse(w.Written, out var m)
                && m.Type == StunMessageType.BindingRequest
                && m.TransactionId.SequenceEqual(t.txid)
                && m.Username == t.user
                && m.TryGetPriority(out uint p) && p == t.priority
                && m.HasAttribute(StunAttributeType.UseCandidate) == t.useCandidate
                && m.TryGetXorMappedAddress(out var ep) && ep!.Equals(t.ep)
                && m.VerifyMessageIntegrity(t.key)
                && m.VerifyFingerprint();
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Truncations_of_a_valid_message_are_rejected()
    {
        var buffer = new byte[128];
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, new byte[12]);
        w.AddUsername("abcd:efgh");
        w.AddMessageIntegrity([1, 2, 3]);
        w.AddFingerprint();
        byte[] message = w.Written.ToArray();
        TestData.ForEveryTruncation(message, p => StunMessageView.TryParse(p, out _));
        for (int length = 0; length < message.Length; length++)
        {
            Assert.False(StunMessageView.TryParse(message.AsSpan(0, length), out _));
        }
    }
}
