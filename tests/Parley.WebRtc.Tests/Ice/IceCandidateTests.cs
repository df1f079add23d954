using System.Net;
using Parley.WebRtc.Ice;

namespace Parley.WebRtc.Tests.Ice;

public class IceCandidateTests
{
    public const uint PeerReflexivePriority = StunClient.PeerReflexivePriority;

    [Fact]
    public void Host_candidates_format_as_rfc_8839_and_rfc_6544_lines()
    {
        var candidates = IceCandidate.ForHost([IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")], 8189, 8189);
        Assert.Equal(4, candidates.Count);
        Assert.Equal("candidate:1 1 udp 2130706431 203.0.113.7 8189 typ host", candidates[0].ToSdpAttribute());
        Assert.Matches(@"^candidate:101 1 tcp \d+ 203\.0\.113\.7 8189 typ host tcptype passive$", candidates[1].ToSdpAttribute());
        Assert.Equal("candidate:2 1 udp 2130706175 2001:db8::7 8189 typ host", candidates[2].ToSdpAttribute());
        Assert.True(candidates[2].IsIPv6);
        // UDP outranks TCP, and the first address outranks the second (RFC 8445 §5.1.2, RFC 6544 §4.2).
        Assert.True(candidates[0].Priority > candidates[2].Priority);
        Assert.True(candidates[2].Priority > candidates[1].Priority);
        Assert.True(candidates[1].Priority > candidates[3].Priority);
    }

    [Fact]
    public void Priority_follows_the_rfc_8445_formula()
    {
        Assert.Equal((126u << 24) + (65535u << 8) + 255u, IceCandidate.ComputePriority(126, 65535));
    }

    [Fact]
    public void Generated_credentials_are_ice_chars_of_the_required_lengths()
    {
        var c = IceCredentials.Generate();
        Assert.Matches("^[A-Za-z0-9+/]{8}$", c.Ufrag);
        Assert.Matches("^[A-Za-z0-9+/]{24}$", c.Password);
        Assert.NotEqual(c.Ufrag, IceCredentials.Generate().Ufrag);
        Assert.Throws<ArgumentException>(() => new IceCredentials("abc", c.Password));
        Assert.Throws<ArgumentException>(() => new IceCredentials("abcd", "short"));
        Assert.Throws<ArgumentException>(() => new IceCredentials("ab:d", c.Password));
    }
}
