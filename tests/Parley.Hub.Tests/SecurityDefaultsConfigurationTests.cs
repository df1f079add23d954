using Parley.Hub.Configuration;
using Parley.Security.Access;

namespace Parley.Hub.Tests;

/// <summary>The encrypted-by-default settings: HTTPS and RTSPS on, plain ports for loopback clients only.</summary>
public sealed class SecurityDefaultsConfigurationTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void Https_and_rtsps_are_on_and_plaintext_is_for_loopback_by_default()
    {
        var options = HubConfigurationLoader.Load(null, NoEnvironment, []);
        Assert.True(options.Http.Tls);
        Assert.Equal(8443, options.Http.TlsPort);
        Assert.Equal(PlaintextMode.Loopback, options.Http.Plaintext);
        Assert.True(options.Rtsp.Tls);
        Assert.Equal(8322, options.Rtsp.TlsPort);
        Assert.Equal(PlaintextMode.Loopback, options.Rtsp.Plaintext);
    }

    [Fact]
    public void Yaml_environment_and_flags_set_the_plaintext_modes()
    {
        string file = Path.Combine(Path.GetTempPath(), $"parley-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, "http:\n  plaintext: allow\n  tls: false\nrtsp:\n  plaintext: off\n");
        try
        {
            var options = HubConfigurationLoader.Load(file, NoEnvironment, []);
            Assert.Equal(PlaintextMode.Allow, options.Http.Plaintext);
            Assert.False(options.Http.Tls);
            Assert.Equal(PlaintextMode.Off, options.Rtsp.Plaintext);

            var overridden = HubConfigurationLoader.Load(file, new Dictionary<string, string> { ["PARLEY_HTTP_PLAINTEXT"] = "off", ["PARLEY_HTTP_TLS"] = "true" },
                [new("rtsp.plaintext", "loopback")]);
            Assert.Equal(PlaintextMode.Off, overridden.Http.Plaintext);
            Assert.Equal(PlaintextMode.Loopback, overridden.Rtsp.Plaintext);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("http.plaintext", "lan", "loopback (plain only for clients on this machine), allow (everyone) or off (no one)")]
    [InlineData("rtsp.plaintext", "yes", "loopback (plain only")]
    public void A_bad_mode_says_which_words_work(string key, string value, string expected)
    {
        var ex = Assert.Throws<HubConfigurationException>(() => HubConfigurationLoader.Load(null, NoEnvironment, [new(key, value)]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("rtsp")]
    public void Encryption_off_and_plaintext_off_together_is_refused_as_unreachable(string section)
    {
        var ex = Assert.Throws<HubConfigurationException>(() => HubConfigurationLoader.Load(null, NoEnvironment,
            [new($"{section}.tls", "false"), new($"{section}.plaintext", "off")]));
        Assert.Contains("no client could use", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Srtp_keys_are_shared_by_default_and_per_reader_on_request()
    {
        Assert.Equal(HubOptions.SrtpKeying.Shared, HubConfigurationLoader.Load(null, NoEnvironment, []).Rtsp.SrtpKeys);
        Assert.Equal(HubOptions.SrtpKeying.PerReader, HubConfigurationLoader.Load(null, NoEnvironment, [new("rtsp.srtpKeys", "perReader")]).Rtsp.SrtpKeys);
        Assert.Equal(HubOptions.SrtpKeying.PerReader, HubConfigurationLoader.Load(null, new Dictionary<string, string> { ["PARLEY_RTSP_SRTP_KEYS"] = "perreader" }, []).Rtsp.SrtpKeys);
        var ex = Assert.Throws<HubConfigurationException>(() => HubConfigurationLoader.Load(null, NoEnvironment, [new("rtsp.srtpKeys", "each")]));
        Assert.Contains("shared, perReader", ex.Message, StringComparison.Ordinal);
    }
}
