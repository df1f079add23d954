using System.Text.Json;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Hub.Tests.Rooms;

public sealed class RoomChatTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static async Task<List<JsonElement>> ReceiveChatsAsync(RoomClient client, int count)
    {
        var chats = new List<JsonElement>();
        while (chats.Count < count)
        {
            chats.Add(await client.ReceiveUntilAsync("chat"));
        }

        return chats;
    }

    [Fact]
    public async Task Chat_from_three_concurrent_senders_arrives_in_one_order_at_everyone_with_increasing_ids()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        var clients = new List<RoomClient>();
        foreach (string name in new[] { "Ann", "Ben", "Cat" })
        {
            clients.Add((await hub.JoinAsync("busy", name)).Client);
        }

        const int PerSender = 8;
        var receiving = clients.Select(c => ReceiveChatsAsync(c, PerSender * clients.Count)).ToList();
        await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
        {
            for (int n = 0; n < PerSender; n++)
            {
                await c.SendAsync(new { type = "chat", text = $"message {n} from {i}", @ref = $"r{i}-{n}" });
            }
        })));
        var received = await Task.WhenAll(receiving);

        var order = received[0].Select(m => (m.GetProperty("id").GetInt64(), m.GetProperty("text").GetString())).ToList();
        foreach (var other in received.Skip(1))
        {
            Assert.Equal(order, other.Select(m => (m.GetProperty("id").GetInt64(), m.GetProperty("text").GetString())));
        }

        var ids = order.Select(o => o.Item1).ToList();
        Assert.Equal(Enumerable.Range(1, PerSender * clients.Count).Select(i => (long)i), ids);
        for (int i = 0; i < clients.Count; i++)
        {
            // Each sender's own messages keep their order, and only the sender's copy carries its ref.
            var mine = received[i].Where(m => m.GetProperty("text").GetString()!.EndsWith($"from {i}", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, PerSender).Select(n => $"message {n} from {i}"), mine.Select(m => m.GetProperty("text").GetString()));
            Assert.Equal(Enumerable.Range(0, PerSender).Select(n => $"r{i}-{n}"), mine.Select(m => m.GetProperty("ref").GetString()));
            Assert.All(received[i].Except(mine), m => Assert.False(m.TryGetProperty("ref", out _)));
            Assert.All(mine, m => Assert.Equal(new[] { "ann", "ben", "cat" }[i], m.GetProperty("from").GetProperty("id").GetString()));
        }

        // A late joiner gets the same messages as history, oldest first, without anyone's ref.
        var (late, welcome) = await hub.JoinAsync("busy", "Dan");
        await using var lateClient = late;
        var history = welcome.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(order, history.Select(m => (m.GetProperty("id").GetInt64(), m.GetProperty("text").GetString())));
        Assert.All(history, m => Assert.False(m.TryGetProperty("ref", out _)));
        Assert.All(history, m => Assert.EndsWith("Z", m.GetProperty("time").GetString(), StringComparison.Ordinal));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task History_holds_the_newest_messages_and_chat_survives_a_hub_restart()
    {
        string database;
        await using (var hub = await RoomTestHub.StartAsync(output, _folder.Path, rooms => rooms.HistoryMessages = 3))
        {
            database = hub.Database;
            var (alice, _) = await hub.JoinAsync("durable", "Alice");
            await using var aliceClient = alice;
            for (int n = 1; n <= 4; n++)
            {
                await alice.SendAsync(new { type = "chat", text = $"note {n}" });
                Assert.Equal(n, (await alice.ReceiveAsync("chat")).GetProperty("id").GetInt64());
            }

            // Another room's chat is its own: separate ids and history.
            var (other, otherWelcome) = await hub.JoinAsync("elsewhere", "Alice");
            await using var otherClient = other;
            Assert.Equal(0, otherWelcome.GetProperty("history").GetArrayLength());
            await other.SendAsync(new { type = "chat", text = "elsewhere 1" });
            Assert.Equal(1, (await other.ReceiveAsync("chat")).GetProperty("id").GetInt64());
        }

        await using (var restarted = await RoomTestHub.StartAsync(output, _folder.Path, rooms => rooms.HistoryMessages = 3, database))
        {
            var (bob, welcome) = await restarted.JoinAsync("durable", "Bob");
            await using var bobClient = bob;
            var history = welcome.GetProperty("history").EnumerateArray().ToList();
            Assert.Equal(["note 2", "note 3", "note 4"], history.Select(m => m.GetProperty("text").GetString()));
            Assert.Equal([2L, 3L, 4L], history.Select(m => m.GetProperty("id").GetInt64()));
            Assert.Equal("alice", history[0].GetProperty("from").GetProperty("id").GetString());
            Assert.Equal("Alice", history[0].GetProperty("from").GetProperty("name").GetString());
            await bob.SendAsync(new { type = "chat", text = "after the restart" });
            Assert.Equal(5, (await bob.ReceiveAsync("chat")).GetProperty("id").GetInt64());
        }
    }
}
