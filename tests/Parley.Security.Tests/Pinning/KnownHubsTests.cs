using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Security.Pinning;

namespace Parley.Security.Tests.Pinning;

public sealed class KnownHubsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"parley-known-hubs-{Guid.NewGuid():N}");

    private string StorePath => Path.Combine(_folder, "config", "known_hubs");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public KnownHubsTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public void First_use_remembers_the_fingerprint_in_a_new_file_and_the_same_one_matches_later()
    {
        var store = new KnownHubs(StorePath);
        Assert.Null(store.Find("hub:8322"));

        Assert.Equal(KnownHubVerdict.FirstSeen, store.Verify("hub:8322", "AA:BB", acceptChange: false, out string? before));
        Assert.Null(before);
        Assert.Equal(["hub:8322 AA:BB"], File.ReadAllLines(StorePath));

        Assert.Equal(KnownHubVerdict.Matched, new KnownHubs(StorePath).Verify("hub:8322", "AA:BB", acceptChange: false, out before));
        Assert.Equal("AA:BB", before);
        Assert.Equal("AA:BB", store.Find("hub:8322"));
    }

    [Fact]
    public void A_changed_fingerprint_is_reported_and_not_written_unless_accepted()
    {
        var store = new KnownHubs(StorePath);
        store.Verify("hub:8322", "AA:BB", acceptChange: false, out _);
        store.Verify("other:322", "CC:DD", acceptChange: false, out _);

        Assert.Equal(KnownHubVerdict.Changed, store.Verify("hub:8322", "EE:FF", acceptChange: false, out string? remembered));
        Assert.Equal("AA:BB", remembered);
        Assert.Equal("AA:BB", store.Find("hub:8322"));

        Assert.Equal(KnownHubVerdict.Replaced, store.Verify("hub:8322", "EE:FF", acceptChange: true, out remembered));
        Assert.Equal("AA:BB", remembered);
        Assert.Equal("EE:FF", store.Find("hub:8322"));
        Assert.Equal("CC:DD", store.Find("other:322"));
        Assert.Single(File.ReadAllLines(StorePath), l => l.StartsWith("hub:8322 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Ports_are_separate_hubs_and_comments_and_odd_lines_survive_a_write()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllLines(StorePath, ["# pins of parley hubs", "", "not a pin line at all", "hub:8322 AA:BB"]);
        var store = new KnownHubs(StorePath);

        Assert.Equal(KnownHubVerdict.FirstSeen, store.Verify("hub:9322", "CC:DD", acceptChange: false, out _));
        Assert.Equal(KnownHubVerdict.Matched, store.Verify("hub:8322", "aa:bb", acceptChange: false, out _));
        Assert.Equal(["# pins of parley hubs", "", "not a pin line at all", "hub:8322 AA:BB", "hub:9322 CC:DD"], File.ReadAllLines(StorePath));
    }

    [Fact]
    public void Concurrent_first_connections_to_one_hub_write_one_line_and_all_match()
    {
        var store = new KnownHubs(StorePath);
        var verdicts = new KnownHubVerdict[16];
        Parallel.For(0, verdicts.Length, i => verdicts[i] = store.Verify("hub:8322", "AA:BB", acceptChange: false, out _));

        Assert.Equal(1, verdicts.Count(v => v == KnownHubVerdict.FirstSeen));
        Assert.Equal(verdicts.Length - 1, verdicts.Count(v => v == KnownHubVerdict.Matched));
        Assert.Equal(["hub:8322 AA:BB"], File.ReadAllLines(StorePath));
    }

    [Fact]
    public void Fingerprint_is_the_sha256_of_the_der_certificate_as_colon_separated_hex()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=hub", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        string fingerprint = KnownHubs.Fingerprint(certificate);

        Assert.Equal(32 * 3 - 1, fingerprint.Length);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(certificate.RawData)), fingerprint.Replace(":", "", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_path_follows_the_environment_variable()
    {
        string? before = Environment.GetEnvironmentVariable(KnownHubs.PathVariable);
        try
        {
            Environment.SetEnvironmentVariable(KnownHubs.PathVariable, StorePath);
            Assert.Equal(StorePath, KnownHubs.DefaultPath());
            Environment.SetEnvironmentVariable(KnownHubs.PathVariable, null);
            Assert.EndsWith(Path.Combine("parley", "known_hubs"), KnownHubs.DefaultPath(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(KnownHubs.PathVariable, before);
        }
    }
}
