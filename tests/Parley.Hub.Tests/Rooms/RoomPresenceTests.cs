using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Hub.Tests.Rooms;

public sealed class RoomPresenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Join_is_answered_by_a_welcome_with_self_the_others_history_port_and_limits_and_the_others_hear_of_it()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        var (alice, welcome) = await hub.JoinAsync("standup", "Alice");
        await using var _ = alice;

        Assert.Equal("standup", welcome.GetProperty("room").GetString());
        var self = welcome.GetProperty("self");
        Assert.Equal("alice", self.GetProperty("id").GetString());
        Assert.Equal("Alice", self.GetProperty("name").GetString());
        Assert.Equal("standup/alice", self.GetProperty("publishPath").GetString());
        Assert.False(self.GetProperty("publishing").GetBoolean());
        Assert.Equal(0, self.GetProperty("tracks").GetArrayLength());
        Assert.False(self.GetProperty("audioMuted").GetBoolean());
        Assert.False(self.GetProperty("videoMuted").GetBoolean());
        string joinedAt = self.GetProperty("joinedAt").GetString()!;
        Assert.EndsWith("Z", joinedAt, StringComparison.Ordinal);
        Assert.True(Math.Abs((DateTimeOffset.Parse(joinedAt, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow).TotalSeconds) < 30);
        Assert.Equal(0, welcome.GetProperty("participants").GetArrayLength());
        Assert.Equal(0, welcome.GetProperty("history").GetArrayLength());
        Assert.Equal(hub.Host.Rtsp.Port, welcome.GetProperty("rtspPort").GetInt32());
        var limits = welcome.GetProperty("limits");
        Assert.Equal(4096, limits.GetProperty("maxChatBytes").GetInt32());
        Assert.Equal(5, limits.GetProperty("chatMessagesPerSecond").GetInt32());
        Assert.Equal(16, limits.GetProperty("maxParticipants").GetInt32());

        // The same display name again gets a suffixed id; each side learns of the other.
        var (second, secondWelcome) = await hub.JoinAsync("standup", "Alice");
        await using var __ = second;
        Assert.Equal("alice-2", secondWelcome.GetProperty("self").GetProperty("id").GetString());
        Assert.Equal("standup/alice-2", secondWelcome.GetProperty("self").GetProperty("publishPath").GetString());
        Assert.Equal(["alice"], secondWelcome.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        var joined = await alice.ReceiveAsync("participantJoined");
        Assert.Equal("alice-2", joined.GetProperty("participant").GetProperty("id").GetString());

        // A name with spaces and capitals becomes a path-safe id.
        var (carol, carolWelcome) = await hub.JoinAsync("standup", "  Carol  O'Neil ");
        await using var ___ = carol;
        Assert.Equal("carol-o-neil", carolWelcome.GetProperty("self").GetProperty("id").GetString());
        Assert.Equal("Carol  O'Neil", carolWelcome.GetProperty("self").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Mute_leave_and_an_abrupt_disconnect_are_announced_to_everyone_present()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        var (alice, _) = await hub.JoinAsync("team", "Alice");
        var (bob, _) = await hub.JoinAsync("team", "Bob");
        var (carol, _) = await hub.JoinAsync("team", "Carol");
        await using var a = alice;
        await using var c = carol;
        await alice.ReceiveUntilAsync("participantJoined", m => m.GetProperty("participant").GetProperty("id").GetString() == "carol");

        // Mute: omitted fields stay; everyone (the sender too) gets the new state.
        await bob.SendAsync(new { type = "mute", audio = true });
        var muted = (await alice.ReceiveAsync("participantUpdated")).GetProperty("participant");
        Assert.Equal("bob", muted.GetProperty("id").GetString());
        Assert.True(muted.GetProperty("audioMuted").GetBoolean());
        Assert.False(muted.GetProperty("videoMuted").GetBoolean());
        await bob.ReceiveUntilAsync("participantUpdated");
        await bob.SendAsync(new { type = "mute", video = true });
        muted = (await alice.ReceiveAsync("participantUpdated")).GetProperty("participant");
        Assert.True(muted.GetProperty("audioMuted").GetBoolean());
        Assert.True(muted.GetProperty("videoMuted").GetBoolean());

        // leave: reason left, and the hub closes bob's connection.
        await bob.SendAsync(new { type = "leave" });
        var left = await alice.ReceiveAsync("participantLeft");
        Assert.Equal("bob", left.GetProperty("id").GetString());
        Assert.Equal("left", left.GetProperty("reason").GetString());
        while (await bob.ReceiveAnyAsync() is { } pending)
        {
            Assert.Equal("participantUpdated", pending.GetProperty("type").GetString()); // his own second mute, then the close
        }

        Assert.Equal(WebSocketState.CloseReceived, bob.State);
        await bob.DisposeAsync();

        // A crashed client: no close handshake, the TCP connection just goes.
        var watch = Stopwatch.StartNew();
        carol.Abort();
        left = await alice.ReceiveUntilAsync("participantLeft");
        watch.Stop();
        Assert.Equal("carol", left.GetProperty("id").GetString());
        Assert.Equal("disconnected", left.GetProperty("reason").GetString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the disconnect took {watch.ElapsedMilliseconds} ms to notice");
        output.WriteLine($"abrupt disconnect announced after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_participant_that_stops_sending_is_removed_with_reason_timeout()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path, rooms => rooms.IdleTimeoutSeconds = 1);
        var (alice, _) = await hub.JoinAsync("quiet", "Alice");
        var (silent, _) = await hub.JoinAsync("quiet", "Silent");
        await using var a = alice;
        await using var s = silent;
        var watch = Stopwatch.StartNew();
        JsonElement? left = null;
        while (left is null && watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            // Alice keeps talking as a client should; Silent says nothing.
            await alice.SendAsync(new { type = "ping" });
            var message = await alice.ReceiveAnyAsync();
            if (message?.GetProperty("type").GetString() == "participantLeft")
            {
                left = message;
            }

            await Task.Delay(200);
        }

        watch.Stop();
        Assert.NotNull(left);
        Assert.Equal("silent", left.Value.GetProperty("id").GetString());
        Assert.Equal("timeout", left.Value.GetProperty("reason").GetString());
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.7, 3);
        output.WriteLine($"silent participant removed after {watch.ElapsedMilliseconds} ms (idle timeout 1 s)");
    }

    [Fact]
    public async Task A_room_that_empties_is_forgotten_and_can_be_joined_again()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        var (alice, _) = await hub.JoinAsync("brief", "Alice");
        Assert.Equal(1, hub.Host.Rooms!.RoomCount);
        await alice.SendAsync(new { type = "leave" });
        await alice.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (hub.Host.Rooms.RoomCount != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, hub.Host.Rooms.RoomCount);
        var (again, welcome) = await hub.JoinAsync("brief", "Alice");
        await using var _ = again;
        Assert.Equal("alice", welcome.GetProperty("self").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Bad_room_names_plain_requests_and_foreign_origins_are_refused_before_the_upgrade()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{hub.Host.Web!.Port}") };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/r/.hidden/ws")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/r/a%20b/ws")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/r/{new string('x', 65)}/ws")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/r/fine/ws")).StatusCode); // not a WebSocket

        using var foreign = new ClientWebSocket();
        foreign.Options.SetRequestHeader("Origin", "http://evil.example");
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(hub.RoomUri("fine"), CancellationToken.None));
        Assert.Contains("403", ex.Message, StringComparison.Ordinal);
    }
}
