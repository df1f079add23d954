using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Parley.Security.Access;

namespace Parley.Security.Tests.Access;

public sealed class PlaintextPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2", true)]
    [InlineData("127.255.255.254", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.253.0.1", false)]
    [InlineData("192.168.1.20", false)]
    [InlineData("::ffff:192.168.1.20", false)]
    [InlineData("fe80::1", false)]
    [InlineData("2001:db8::7", false)]
    [InlineData("0.0.0.0", false)]
    public void Loopback_mode_serves_only_this_machine(string address, bool permitted)
    {
        var remote = IPAddress.Parse(address);
        Assert.Equal(permitted, PlaintextPolicy.Permits(PlaintextMode.Loopback, remote));
        Assert.True(PlaintextPolicy.Permits(PlaintextMode.Allow, remote));
        Assert.False(PlaintextPolicy.Permits(PlaintextMode.Off, remote));
    }

    [Fact]
    public void Any_ipv4_address_is_permitted_in_loopback_mode_exactly_when_it_is_in_127_0_0_0_8_also_when_mapped_to_ipv6()
    {
        var gen = ArbMap.Default.GeneratorFor<uint>().Select(n => new IPAddress(BitConverter.GetBytes(n)));
        Prop.ForAll(Arb.From(gen), address =>
        {
            bool in127 = address.GetAddressBytes()[0] == 127;
            return PlaintextPolicy.Permits(PlaintextMode.Loopback, address) == in127
                && PlaintextPolicy.Permits(PlaintextMode.Loopback, address.MapToIPv6()) == in127;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("loopback", PlaintextMode.Loopback)]
    [InlineData("Allow", PlaintextMode.Allow)]
    [InlineData(" OFF ", PlaintextMode.Off)]
    public void Parses_the_three_modes(string text, PlaintextMode expected)
    {
        Assert.True(PlaintextPolicy.TryParse(text, out var mode));
        Assert.Equal(expected, mode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("true")]
    [InlineData("lan")]
    public void Refuses_other_words(string text) => Assert.False(PlaintextPolicy.TryParse(text, out _));
}
