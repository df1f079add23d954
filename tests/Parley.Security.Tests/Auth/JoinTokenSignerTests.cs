using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using Parley.Security.Auth;

namespace Parley.Security.Tests.Auth;

public sealed class JoinTokenSignerTests
{
    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static JoinTokenSigner Signer(TimeProvider time, byte[]? secret = null, string issuer = "parley") =>
        new(secret ?? Secret, issuer, TimeSpan.FromSeconds(30), time);

    [Fact]
    public async Task A_token_round_trips_room_name_permissions_and_expiry()
    {
        var time = new FakeTimeProvider(Now);
        var signer = Signer(time);
        var issued = new JoinToken("team-*", "Alice", ["join", "chat"], Now.AddHours(1));
        string jwt = signer.Issue(issued);

        var result = await signer.ValidateAsync(jwt);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("team-*", result.Token!.Room);
        Assert.Equal("Alice", result.Token.Name);
        Assert.Equal(["join", "chat"], result.Token.Permissions);
        Assert.Equal(Now.AddHours(1), result.Token.Expires);
        Assert.True(result.Token.Allows("CHAT"));
        Assert.False(result.Token.Allows("publish"));
    }

    [Fact]
    public async Task An_expired_token_is_refused_after_the_clock_skew_with_a_reason()
    {
        var time = new FakeTimeProvider(Now);
        var signer = Signer(time);
        string jwt = signer.Issue(new JoinToken("team", null, ["join"], Now.AddMinutes(1)));

        time.Advance(TimeSpan.FromSeconds(60 + 29));
        Assert.True((await signer.ValidateAsync(jwt)).IsValid);

        time.Advance(TimeSpan.FromSeconds(2));
        var late = await signer.ValidateAsync(jwt);
        Assert.False(late.IsValid);
        Assert.Contains("expired", late.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_from_another_secret_or_issuer_is_refused()
    {
        var time = new FakeTimeProvider(Now);
        string jwt = Signer(time).Issue(new JoinToken("team", null, ["join"], Now.AddHours(1)));

        var otherSecret = await Signer(time, secret: [.. Secret.Reverse()]).ValidateAsync(jwt);
        var otherIssuer = await Signer(time, issuer: "someone-else").ValidateAsync(jwt);

        Assert.Contains("signature", otherSecret.Reason, StringComparison.Ordinal);
        Assert.Contains("issuer", otherIssuer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_token_with_alg_none_is_refused()
    {
        var time = new FakeTimeProvider(Now);
        string jwt = Signer(time).Issue(new JoinToken("team", null, ["join"], Now.AddHours(1)));
        string[] parts = jwt.Split('.');
        string header = Convert.ToBase64String("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var result = await Signer(time).ValidateAsync($"{header}.{parts[1]}.");

        Assert.False(result.IsValid);
    }

    [Fact]
    public void Changing_any_character_of_a_token_makes_it_invalid()
    {
        var time = new FakeTimeProvider(Now);
        var signer = Signer(time);
        string jwt = signer.Issue(new JoinToken("team", "Bob", ["join", "chat", "publish"], Now.AddHours(1)));
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var gen = Gen.Choose(0, jwt.Length - 1).SelectMany(position => Gen.Elements(alphabet.ToCharArray()).Select(c => (position, c)))
            .Where(t => jwt[t.position] != '.' && jwt[t.position] != t.c);
        Prop.ForAll(Arb.From(gen), change =>
        {
            char[] chars = jwt.ToCharArray();
            chars[change.position] = change.c;
            string tampered = new(chars);
            var result = signer.ValidateAsync(tampered).AsTask().GetAwaiter().GetResult();
            // Base64url's last character can carry unused bits: a change there may decode to the same bytes.
            return !result.IsValid || SameBytes(jwt, tampered);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("....")]
    public async Task Garbage_is_refused_without_throwing(string jwt)
    {
        var result = await Signer(new FakeTimeProvider(Now)).ValidateAsync(jwt);
        Assert.False(result.IsValid);
        Assert.NotNull(result.Reason);
    }

    private static bool SameBytes(string a, string b) =>
        a.Split('.').Zip(b.Split('.')).All(p => Decode(p.First).AsSpan().SequenceEqual(Decode(p.Second)));

    private static byte[] Decode(string part)
    {
        string s = part.Replace('-', '+').Replace('_', '/');
        s += new string('=', (4 - (s.Length % 4)) % 4);
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return [];
        }
    }
}
