using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Hub.Auth;
using Parley.Hub.Configuration;
using Parley.Security.Auth;

namespace Parley.Hub.Tests.Auth;

public sealed class AuthConfigurationTests
{
    [Fact]
    public void The_auth_section_reads_users_globs_networks_and_flags_from_yaml()
    {
        string dir = Directory.CreateTempSubdirectory("parley-auth-").FullName;
        try
        {
            string hash = PasswordHash.Create("pw", 1000);
            string file = Path.Combine(dir, "parley.yml");
            File.WriteAllText(file, $"""
                auth:
                  trustLoopback: false
                  allowFrom: [192.168.1.0/24, 10.1.2.3]
                  rtspDigest: false
                  users:
                    - name: cam1
                      password: {hash}
                      publish: ["cam*"]
                      read: "*"
                    - name: ops
                      password: {hash}
                      admin: true
                """);

            var options = HubConfigurationLoader.Load(file, new Dictionary<string, string>(), []);

            Assert.False(options.Auth.TrustLoopback);
            Assert.False(options.Auth.RtspDigest);
            Assert.True(options.Auth.AllowFrom[0].Contains(IPAddress.Parse("192.168.1.77")));
            Assert.True(options.Auth.AllowFrom[1].Contains(IPAddress.Parse("10.1.2.3")));
            Assert.DoesNotContain(options.Auth.AllowFrom, n => n.Contains(IPAddress.Parse("10.1.2.4")));
            var cam = options.Auth.Users.Single(u => u.Name == "cam1");
            Assert.True(cam.Permits(AccessAction.Publish, "cam7"));
            Assert.False(cam.Permits(AccessAction.Publish, "other"));
            Assert.True(cam.Permits(AccessAction.Read, "anything/at/all"));
            Assert.False(cam.Permits(AccessAction.Join, "team"));
            Assert.True(options.Auth.Users.Single(u => u.Name == "ops").Permits(AccessAction.Join, "team"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_plain_text_password_in_the_config_is_refused_with_a_hint()
    {
        string dir = Directory.CreateTempSubdirectory("parley-auth-").FullName;
        try
        {
            string file = Path.Combine(dir, "parley.yml");
            File.WriteAllText(file, "auth:\n  users:\n    - name: cam1\n      password: hunter2\n");
            var ex = Assert.Throws<HubConfigurationException>(() => HubConfigurationLoader.Load(file, new Dictionary<string, string>(), []));
            Assert.Contains("hash-password", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task First_start_creates_an_admin_and_a_secret_once_and_the_second_start_reuses_them()
    {
        string dir = Directory.CreateTempSubdirectory("parley-auth-").FullName;
        try
        {
            string database = Path.Combine(dir, "parley.db");
            var options = new HubAuthOptions();
            var first = HubAuthorizer.Create(options, database, NullLogger.Instance, TimeProvider.System);
            string text = File.ReadAllText(first.StateFile);
            var second = HubAuthorizer.Create(options, database, NullLogger.Instance, TimeProvider.System);

            Assert.Equal(Path.Combine(dir, "parley-auth.yml"), first.StateFile);
            Assert.Contains("name: admin", text, StringComparison.Ordinal);
            Assert.Contains("pbkdf2-sha256$210000$", text, StringComparison.Ordinal);
            Assert.Equal(text, File.ReadAllText(second.StateFile));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.StateFile));
            }

            // Tokens issued before a restart still validate after it: the secret was kept.
            string jwt = first.Tokens.Issue(new JoinToken("r", null, ["join"], DateTimeOffset.UtcNow.AddMinutes(5)));
            Assert.True((await second.Tokens.ValidateAsync(jwt)).IsValid);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "cam/front", true)]
    [InlineData("cam*", "cam", true)]
    [InlineData("cam*", "cams/front", true)]
    [InlineData("cam*", "xcam", false)]
    [InlineData("cam?", "cam1", true)]
    [InlineData("cam?", "cam12", false)]
    [InlineData("team/*", "team/alice", true)]
    [InlineData("team/*", "team", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("Cam", "cam", false)]
    public void Globs_match_whole_paths(string glob, string value, bool expected) => Assert.Equal(expected, PathGlob.IsMatch(glob, value));

    [Fact]
    public void An_address_is_locked_out_after_max_failures_for_a_doubling_time_and_a_success_clears_it()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch);
        var throttle = new LoginThrottle(3, TimeSpan.FromSeconds(2), time);
        var address = IPAddress.Parse("203.0.113.9");

        Assert.Null(throttle.RecordFailure(address).Lockout);
        Assert.Null(throttle.RecordFailure(address).Lockout);
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RecordFailure(address).Lockout);
        Assert.NotNull(throttle.LockedUntil(address));
        Assert.Null(throttle.LockedUntil(IPAddress.Parse("203.0.113.10")));

        time.Now += TimeSpan.FromSeconds(3);
        Assert.Null(throttle.LockedUntil(address));
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.RecordFailure(address).Lockout);

        throttle.RecordSuccess(address);
        Assert.Null(throttle.LockedUntil(address));
        Assert.Null(throttle.RecordFailure(address).Lockout);
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
