using Parley.Interop.Tests.Infrastructure;
using Parley.Security.Auth;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `--token`: the native endpoint presents a join token minted by the hub's own signer, as 'Authorization: Bearer',
/// to the room WebSocket and to RTSP. The hub trusts no loopback client here (auth.trustLoopback: false), so
/// without the token nothing gets in, and an expired token is refused with a message that says so.
/// </summary>
public sealed class JoinTokenEndpointTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    private static readonly string[] Quiet = ["--source", "test", "--size", "320x240", "--fps", "15", "--video-out", "null", "--audio-out", "null"];

    private static Task<TestHub> StartAsync(ITestOutputHelper output) => TestHub.StartAsync(output, o => o.Auth.TrustLoopback = false);

    private static string Mint(TestHub hub, DateTimeOffset expires) =>
        hub.Host.Auth!.Tokens.Issue(new JoinToken("standup", null, ["join", "chat", "publish", "read"], expires));

    [Fact]
    public async Task Call_joins_the_room_and_publishes_with_the_token_and_view_plays_with_it()
    {
        await using var hub = await StartAsync(output);
        string token = Mint(hub, DateTimeOffset.UtcNow.AddMinutes(10));
        string room = $"http://127.0.0.1:{hub.HttpPort}/r/standup";

        await using var call = ExternalProcess.Start(Parley, ["call", room, "--name", "Alice", "--token", token, "--duration", "20", .. Quiet]);
        await hub.WaitForStreamAsync("standup/alice", TimeSpan.FromSeconds(30), () => call.HasExited);

        // A reader with the same invitation plays Alice's path over RTSP; the token comes from PARLEY_TOKEN this time.
        await using var view = ExternalProcess.Start(Parley, new Dictionary<string, string> { ["PARLEY_TOKEN"] = token },
            "view", hub.Url("standup/alice"), "--duration", "5", "--video-out", "null", "--audio-out", "null");
        int viewExit = await view.WaitForExitAsync(TimeSpan.FromSeconds(40));
        output.WriteLine(view.StandardOutput + view.StandardError);
        Assert.Equal(0, viewExit);
        Assert.Matches(@"video Jpeg: [1-9]\d* frames", view.StandardOutput);
        Assert.Matches(@"audio Opus: [1-9]\d* frames", view.StandardOutput);

        // Without a token the same reader is refused: the hub trusts no one here.
        await using var refused = ExternalProcess.Start(Parley, new Dictionary<string, string> { ["PARLEY_TOKEN"] = "" },
            "view", hub.Url("standup/alice"), "--duration", "3", "--video-out", "null", "--audio-out", "null");
        Assert.Equal(1, await refused.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        output.WriteLine(refused.StandardError);
        Assert.Contains("401", refused.StandardError, StringComparison.Ordinal);

        await call.InterruptAsync();
        await call.WaitForExitAsync(TimeSpan.FromSeconds(20));
        output.WriteLine(call.StandardOutput + call.StandardError);
        Assert.Contains("joined room standup as alice", call.StandardOutput + call.StandardError, StringComparison.Ordinal);
        Assert.Matches(@"sent (video|audio) \S+: [1-9]\d* frames", call.StandardOutput);
    }

    [Fact]
    public async Task An_expired_token_is_refused_by_the_room_and_by_rtsp_with_a_clear_message()
    {
        await using var hub = await StartAsync(output);
        string expired = Mint(hub, DateTimeOffset.UtcNow.AddMinutes(-10));

        await using var call = ExternalProcess.Start(Parley, ["call", $"http://127.0.0.1:{hub.HttpPort}/r/standup", "--name", "Alice", "--token", expired, "--duration", "5", .. Quiet]);
        Assert.Equal(1, await call.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        output.WriteLine(call.StandardError);
        Assert.Contains("refused to let you into room 'standup' (401: join token refused: the token expired", call.StandardError, StringComparison.Ordinal);
        Assert.Contains("Ask for a new invitation", call.StandardError, StringComparison.Ordinal);

        await using var send = ExternalProcess.Start(Parley, ["send", "test", hub.Url("standup/alice"), "--token", expired, "--duration", "3"]);
        Assert.Equal(1, await send.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        output.WriteLine(send.StandardError);
        Assert.Contains("401", send.StandardError, StringComparison.Ordinal);
        Assert.Contains("join token refused: the token expired", send.StandardError, StringComparison.Ordinal);

        // No token at all: the room says how to get in.
        await using var anonymous = ExternalProcess.Start(Parley, new Dictionary<string, string> { ["PARLEY_TOKEN"] = "" },
            ["call", $"http://127.0.0.1:{hub.HttpPort}/r/standup", "--name", "Bob", "--duration", "5", .. Quiet]);
        Assert.Equal(1, await anonymous.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        Assert.Contains("pass its join token with --token", anonymous.StandardError, StringComparison.Ordinal);
    }
}
