using FsCheck;
using FsCheck.Fluent;
using Parley.Security.Auth;

namespace Parley.Security.Tests.Auth;

public sealed class PasswordHashTests
{
    // Few iterations keep the property test fast; the encoding and comparison are the same at any cost.
    private const int TestIterations = 1000;

    [Fact]
    public void Any_password_verifies_against_its_own_hash_and_not_against_a_changed_one()
    {
        var gen = ArbMap.Default.GeneratorFor<NonNull<string>>().Select(s => s.Get);
        Prop.ForAll(Arb.From(gen), password =>
        {
            string hash = PasswordHash.Create(password, TestIterations);
            return PasswordHash.Verify(password, hash)
                && !PasswordHash.Verify(password + "x", hash)
                // HMAC zero-pads short keys (RFC 2104 §2), so PBKDF2 cannot tell "pw" from "pw\0": a known, harmless quirk.
                && (password.Length == 0 || password[^1] == '\0' || !PasswordHash.Verify(password[..^1], hash));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_new_hash_uses_pbkdf2_sha256_with_210000_iterations_and_a_fresh_16_byte_salt()
    {
        string a = PasswordHash.Create("secret");
        string b = PasswordHash.Create("secret");
        string[] parts = a.Split('$');
        Assert.Equal(["pbkdf2-sha256", "210000"], parts[..2]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
        Assert.NotEqual(a, b);
        Assert.True(PasswordHash.Verify("secret", a));
        Assert.True(PasswordHash.Verify("secret", b));
        Assert.False(PasswordHash.Verify("Secret", a));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-password")]
    [InlineData("pbkdf2-sha256$1000$not base64$AAAA")]
    [InlineData("pbkdf2-sha256$0$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$99999999999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha1$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==")]
    public void A_malformed_hash_verifies_nothing_and_does_not_throw(string encoded)
    {
        Assert.False(PasswordHash.IsWellFormed(encoded));
        Assert.False(PasswordHash.Verify("plain-password", encoded));
    }
}
