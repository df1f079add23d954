using System.Net.WebSockets;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Hub.Tests.Rooms;

public sealed class RoomLimitTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static async Task ExpectErrorThenCloseAsync(RoomClient client, string code)
    {
        var error = await client.ReceiveAsync("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Null(await client.ReceiveAnyAsync());
        Assert.Equal(WebSocketState.CloseReceived, client.State);
    }

    [Fact]
    public async Task A_full_room_and_one_room_too_many_are_refused_with_their_code_and_the_connection_closes()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path, rooms =>
        {
            rooms.MaxParticipants = 2;
            rooms.MaxRooms = 1;
        });
        var (a, welcome) = await hub.JoinAsync("small", "A");
        var (b, _) = await hub.JoinAsync("small", "B");
        await using var _a = a;
        await using var _b = b;
        Assert.Equal(2, welcome.GetProperty("limits").GetProperty("maxParticipants").GetInt32());

        await using var third = await hub.ConnectAsync("small");
        await third.SendAsync(new { type = "join", name = "C", @ref = "j1" });
        var error = await third.ReceiveAsync("error");
        Assert.Equal("room-full", error.GetProperty("code").GetString());
        Assert.Equal("j1", error.GetProperty("ref").GetString());
        Assert.Null(await third.ReceiveAnyAsync());
        Assert.Equal(WebSocketState.CloseReceived, third.State);

        await using var elsewhere = await hub.ConnectAsync("another");
        await elsewhere.SendAsync(new { type = "join", name = "D" });
        await ExpectErrorThenCloseAsync(elsewhere, "too-many-rooms");
    }

    [Fact]
    public async Task Chat_limits_give_their_codes_and_the_connection_stays_usable()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path, rooms =>
        {
            rooms.MaxChatBytes = 64;
            rooms.ChatMessagesPerSecond = 1;
            rooms.ChatBurst = 2;
        });
        var (alice, _) = await hub.JoinAsync("limits", "Alice");
        await using var _ = alice;

        // 33 two-byte characters: 66 UTF-8 bytes, over the limit though only 33 characters.
        await alice.SendAsync(new { type = "chat", text = new string('é', 33), @ref = "long" });
        var error = await alice.ReceiveAsync("error");
        Assert.Equal("chat-too-long", error.GetProperty("code").GetString());
        Assert.Equal("long", error.GetProperty("ref").GetString());
        await alice.SendAsync(new { type = "chat", text = "   " });
        await alice.ExpectErrorAndStillUsableAsync("chat-empty");

        // Exactly at the limit is fine; the burst is 2, so the third at once is dropped.
        await alice.SendAsync(new { type = "chat", text = new string('x', 64) });
        Assert.Equal(64, (await alice.ReceiveAsync("chat")).GetProperty("text").GetString()!.Length);
        await alice.SendAsync(new { type = "chat", text = "second" });
        await alice.ReceiveAsync("chat");
        await alice.SendAsync(new { type = "chat", text = "third", @ref = "r3" });
        error = await alice.ReceiveAsync("error");
        Assert.Equal("rate-limited", error.GetProperty("code").GetString());
        Assert.Equal("r3", error.GetProperty("ref").GetString());

        // A second later the bucket has a token again.
        await Task.Delay(1100);
        await alice.SendAsync(new { type = "chat", text = "fourth" });
        var chat = await alice.ReceiveAsync("chat");
        Assert.Equal("fourth", chat.GetProperty("text").GetString());
        Assert.Equal(3, chat.GetProperty("id").GetInt64()); // the refused ones took no id
    }

    [Fact]
    public async Task Bad_names_are_refused_and_the_connection_can_join_afterwards()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        await using var client = await hub.ConnectAsync("names");
        await client.SendAsync(new { type = "join", name = "" });
        await client.ExpectErrorAndStillUsableAsync("bad-name", joined: false);
        await client.SendAsync(new { type = "join", name = new string('n', 65) });
        Assert.Equal("bad-name", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
        await client.SendAsync(new { type = "join", name = "tab\there" });
        Assert.Equal("bad-name", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
        await client.SendAsync(new { type = "join", name = new string('n', 64) });
        await client.ReceiveAsync("welcome");
    }
}
