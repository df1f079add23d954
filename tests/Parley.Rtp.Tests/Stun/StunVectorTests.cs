using System.Net;
using System.Text;
using Parley.Rtp.Stun;

namespace Parley.Rtp.Tests.Stun;

/// <summary>RFC 5769 test vectors, parsed and rebuilt byte for byte.</summary>
public class StunVectorTests
{
    private static readonly byte[] TransactionId = Hex("b7e7a701 bc34d686 fa87dfae");
    private static readonly byte[] Password = Encoding.UTF8.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");

    // RFC 5769 §2.1 Sample Request.
    private static readonly byte[] SampleRequest = Hex("""
        00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
        00 24 00 04 6e 00 01 ff
        80 29 00 08 93 2f f9 b1 51 26 3b 36
        00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
        00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
        80 28 00 04 e5 7a 3b cf
        """);

    // RFC 5769 §2.2 Sample IPv4 Response.
    private static readonly byte[] SampleIPv4Response = Hex("""
        01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 08 00 01 a1 47 e1 12 a6 43
        00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
        80 28 00 04 c0 7d 4c 96
        """);

    // RFC 5769 §2.3 Sample IPv6 Response.
    private static readonly byte[] SampleIPv6Response = Hex("""
        01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
        00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
        80 28 00 04 c8 fb 0b 4c
        """);

    [Fact]
    public void Sample_request_parses_and_its_integrity_and_fingerprint_verify()
    {
        Assert.True(StunMessageView.TryParse(SampleRequest, out var m));
        Assert.Equal(StunMessageType.BindingRequest, m.Type);
        Assert.Equal(TransactionId, m.TransactionId.ToArray());
        Assert.Equal("evtj:h6vY", m.Username);
        Assert.True(m.TryGetPriority(out uint priority));
        Assert.Equal(0x6e0001ffu, priority);
        Assert.True(m.TryGetTieBreaker(StunAttributeType.IceControlled, out ulong tieBreaker));
        Assert.Equal(0x932ff9b151263b36ul, tieBreaker);
        Assert.True(m.VerifyMessageIntegrity(Password));
        Assert.False(m.VerifyMessageIntegrity(Encoding.UTF8.GetBytes("VOkJxbRl1RmTxUk/WvJxBT")));
        Assert.True(m.VerifyFingerprint());
        Assert.Equal(0, m.FirstUnknownRequiredAttribute());
    }

    [Fact]
    public void Sample_request_is_rebuilt_byte_for_byte_by_the_writer()
    {
        var buffer = new byte[256];
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId);
        w.AddAttribute(StunAttributeType.Software, Encoding.ASCII.GetBytes("STUN test client"));
        w.AddPriority(0x6e0001ff);
        w.AddIceControlled(0x932ff9b151263b36);
        w.AddAttribute(StunAttributeType.Username, Encoding.ASCII.GetBytes("evtj:h6vY"), padding: 0x20);
        w.AddMessageIntegrity(Password);
        w.AddFingerprint();
        Assert.Equal(SampleRequest, w.Written.ToArray());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void Sample_responses_parse_verify_and_are_rebuilt_byte_for_byte(int version)
    {
        byte[] vector = version == 4 ? SampleIPv4Response : SampleIPv6Response;
        var expected = version == 4
            ? new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853)
            : new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853);

        Assert.True(StunMessageView.TryParse(vector, out var m));
        Assert.Equal(StunMessageType.BindingSuccess, m.Type);
        Assert.True(m.TryGetXorMappedAddress(out var mapped));
        Assert.Equal(expected, mapped);
        Assert.True(m.VerifyMessageIntegrity(Password));
        Assert.True(m.VerifyFingerprint());

        var buffer = new byte[256];
        var w = new StunMessageWriter(buffer, StunMessageType.BindingSuccess, TransactionId);
        w.AddAttribute(StunAttributeType.Software, Encoding.ASCII.GetBytes("test vector"), padding: 0x20);
        w.AddXorMappedAddress(expected.Address, expected.Port);
        w.AddMessageIntegrity(Password);
        w.AddFingerprint();
        Assert.Equal(vector, w.Written.ToArray());
    }

    [Fact]
    public void A_flipped_bit_anywhere_fails_integrity_or_fingerprint_or_parsing()
    {
        for (int i = 0; i < SampleRequest.Length * 8; i++)
        {
            byte[] copy = (byte[])SampleRequest.Clone();
            copy[i / 8] ^= (byte)(1 << (i % 8));
            bool intact = StunMessageView.TryParse(copy, out var m) && m.VerifyFingerprint() && m.VerifyMessageIntegrity(Password);
            Assert.False(intact, $"bit {i} flipped went unnoticed");
        }
    }

    [Fact]
    public void Message_type_encoding_interleaves_class_bits()
    {
        Assert.Equal(0x0001, StunMessageType.BindingRequest.ToWire());
        Assert.Equal(0x0101, StunMessageType.BindingSuccess.ToWire());
        Assert.Equal(0x0111, StunMessageType.BindingError.ToWire());
        Assert.Equal(0x0011, StunMessageType.BindingIndication.ToWire());
        for (int method = 0; method < 4096; method++)
        {
            for (int cls = 0; cls < 4; cls++)
            {
                var t = new StunMessageType((ushort)method, (StunClass)cls);
                Assert.Equal(t, StunMessageType.FromWire(t.ToWire()));
            }
        }
    }

    [Fact]
    public void Error_code_round_trips()
    {
        var buffer = new byte[128];
        var w = new StunMessageWriter(buffer, StunMessageType.BindingError, TransactionId);
        w.AddErrorCode(487, "Role Conflict");
        w.AddFingerprint();
        Assert.True(StunMessageView.TryParse(w.Written, out var m));
        Assert.True(m.TryGetErrorCode(out int code, out var reason));
        Assert.Equal(487, code);
        Assert.Equal("Role Conflict", Encoding.UTF8.GetString(reason));
        Assert.True(m.VerifyFingerprint());
        Assert.False(m.HasMessageIntegrity);
    }

    [Fact]
    public void Fingerprint_not_last_is_malformed()
    {
        var buffer = new byte[128];
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId);
        w.AddFingerprint();
        w.AddPriority(1);
        Assert.False(StunMessageView.TryParse(w.Written, out _));
    }

    internal static byte[] Hex(string text) =>
        Convert.FromHexString(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
}
