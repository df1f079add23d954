using Parley.Hub.Configuration;

namespace Parley.Hub.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void Defaults_then_yaml_then_environment_then_flags()
    {
        string file = Path.Combine(Path.GetTempPath(), $"parley-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, "rtsp:\n  port: 9000\n  rtpPort: 9100\npaths:\n  allowTakeover: true\n");
        try
        {
            var env = new Dictionary<string, string> { ["PARLEY_RTSP_RTP_PORT"] = "9200", ["PARLEY_RTSP_RTCPPORT"] = "9201", ["HOME"] = "/root" };
            var options = HubConfigurationLoader.Load(file, env, [new("rtsp.rtcpPort", "9301")]);
            Assert.Equal(9000, options.Rtsp.Port);          // yaml over default
            Assert.Equal(9200, options.Rtsp.RtpPort);       // environment over yaml
            Assert.Equal(9301, options.Rtsp.RtcpPort);      // flag over environment
            Assert.True(options.Paths.AllowTakeover);
            Assert.True(options.Demo.Enabled);              // embedded default
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_webrtc_section_sets_port_address_and_advertised_addresses()
    {
        var defaults = HubConfigurationLoader.Load(null, new Dictionary<string, string>(), []);
        Assert.True(defaults.WebRtc.Enabled);
        Assert.Equal(8189, defaults.WebRtc.UdpPort);
        Assert.Empty(defaults.WebRtc.AdvertisedAddresses);

        var env = new Dictionary<string, string> { ["PARLEY_WEBRTC_ADVERTISEDADDRESSES"] = "203.0.113.7, 2001:db8::7" };
        var options = HubConfigurationLoader.Load(null, env, [new("webrtc.udpPort", "9189"), new("webrtc.address", "127.0.0.1")]);
        Assert.Equal(9189, options.WebRtc.UdpPort);
        Assert.Equal(System.Net.IPAddress.Loopback, options.WebRtc.Address);
        Assert.Equal(["203.0.113.7", "2001:db8::7"], options.WebRtc.AdvertisedAddresses.Select(a => a.ToString()));
    }

    [Theory]
    [InlineData("webrtc.advertisedAddresses", "hub.example", "IP addresses")]
    [InlineData("rtsp.port", "70000", "from 0 to 65535")]
    [InlineData("rtsp.nope", "1", "unknown setting")]
    [InlineData("paths.allowTakeover", "maybe", "true or false")]
    public void Bad_values_say_what_was_expected(string key, string value, string expected)
    {
        var ex = Assert.Throws<HubConfigurationException>(() => HubConfigurationLoader.Load(null, new Dictionary<string, string>(), [new(key, value)]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_explicit_config_file_is_an_error()
    {
        Assert.Throws<HubConfigurationException>(() => HubConfigurationLoader.Load("/nonexistent/parley.yml", new Dictionary<string, string>(), []));
    }
}
