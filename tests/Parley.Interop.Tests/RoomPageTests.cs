using System.Text.Json;
using Microsoft.Playwright;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// The room page (/r/&lt;room&gt;) in real headless Chromium against a real hub: browsers join as viewers, see each
/// other, chat in one order, get the history, follow people leaving, play a native participant's stream published
/// by ffmpeg in its tile, and join again after the hub restarts. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class RoomPageTests(ITestOutputHelper output)
{
    // What the page shows, read from its DOM: connection state, the people list, the chat messages the hub stored.
    // JSON text: Playwright's own conversion cannot fill arrays of records.
    internal const string RoomState = """
        () => JSON.stringify({
          state: document.body.dataset.state, self: document.body.dataset.self ?? '',
          people: [...document.querySelectorAll('#people .person')].map((li) => li.querySelector('.name').firstChild.textContent),
          messages: [...document.querySelectorAll('#messages .message[data-id]')].map((m) => ({
            id: Number(m.dataset.id), from: m.querySelector('.from').textContent, text: m.querySelector('.text').textContent,
            time: m.querySelector('.time').textContent })),
          errors: [...document.querySelectorAll('#messages [data-error]')].map((e) => e.dataset.error),
        })
        """;

    public sealed record Message { public long Id { get; init; } public string From { get; init; } = ""; public string Text { get; init; } = ""; public string Time { get; init; } = ""; }

    public sealed record Room
    {
        public string State { get; init; } = "";
        public string Self { get; init; } = "";
        public string[] People { get; init; } = [];
        public Message[] Messages { get; init; } = [];
        public string[] Errors { get; init; } = [];
        public override string ToString() => $"{State} as {Self}: people [{string.Join(", ", People)}], {Messages.Length} messages, errors [{string.Join(", ", Errors)}]";
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static Room Parse(string json) => JsonSerializer.Deserialize<Room>(json, Json)!;

    internal static async Task<Room> ReadAsync(IPage page) => Parse(await page.EvaluateAsync<string>(RoomState));

    internal static async Task<Room> WaitForRoomAsync(IPage page, Func<Room, bool> done, string what, int seconds = 15) =>
        Parse(await Chromium.WaitForAsync<string>(page, RoomState, TimeSpan.FromSeconds(seconds), s => done(Parse(s)), what));

    private static string Database() => Path.Combine(TestPaths.NewTempDirectory(), "parley.db");

    private async Task<IPage> JoinAsync(Chromium chromium, TestHub hub, string room, string name, params string[] expectedPeople)
    {
        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl($"r/{room}?name={Uri.EscapeDataString(name)}"));
        await WaitForPeopleAsync(page, expectedPeople.Length == 0 ? [name] : expectedPeople, $"{name} joined");
        return page;
    }

    internal static Task<Room> WaitForPeopleAsync(IPage page, string[] people, string what) =>
        WaitForRoomAsync(page, r => r.State == "joined" && r.People.Order().SequenceEqual(people.Order()), what);

    internal static Task<Room> WaitForMessagesAsync(IPage page, int count, string what) =>
        WaitForRoomAsync(page, r => r.Messages.Length >= count, what);

    // Types and sends <count> messages as fast as the page takes them, each through the real form (Enter key path
    // and requestSubmit share send()).
    internal static async Task SendQuicklyAsync(IPage page, string prefix, int count) => await page.EvaluateAsync($$"""
        () => { const box = document.getElementById('chat-text'), form = document.getElementById('composer');
          for (let i = 1; i <= {{count}}; i++) { box.value = `{{prefix}} ${i}`; form.requestSubmit(); } }
        """);

    [Fact]
    public async Task Viewers_see_each_other_chat_in_one_order_get_the_history_and_see_people_leave()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Rooms.Database = Database());
        await using var chromium = await Chromium.LaunchAsync();
        var alice = await JoinAsync(chromium, hub, "standup", "Alice");
        var bob = await JoinAsync(chromium, hub, "standup", "Bob", "Alice", "Bob");
        await WaitForPeopleAsync(alice, ["Alice", "Bob"], "Bob in Alice's list");

        await Task.WhenAll(SendQuicklyAsync(alice, "from Alice", 5), SendQuicklyAsync(bob, "from Bob", 5));
        var seenByAlice = await WaitForMessagesAsync(alice, 10, "ten messages at Alice");
        var seenByBob = await WaitForMessagesAsync(bob, 10, "ten messages at Bob");
        output.WriteLine(string.Join("\n", seenByAlice.Messages.Select(m => $"{m.Id} {m.Time} {m.From}: {m.Text}")));
        Assert.Equal(seenByAlice.Messages, seenByBob.Messages);
        Assert.Empty(seenByAlice.Errors);
        Assert.True(seenByAlice.Messages.Zip(seenByAlice.Messages.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids do not increase");
        // Each sender's messages in the order they were typed, the local time shown as hh:mm.
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"from Alice {i}"), seenByAlice.Messages.Where(m => m.From == "Alice").Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"from Bob {i}"), seenByAlice.Messages.Where(m => m.From == "Bob").Select(m => m.Text));
        Assert.All(seenByAlice.Messages, m => Assert.Matches(@"^\d{1,2}:\d{2}", m.Time));
        Assert.Equal(0, await alice.Locator("#messages .message.pending").CountAsync());

        // A late joiner, through the name form this time, gets the same messages as history.
        var carol = await chromium.NewPageAsync(output, colorScheme: "light");
        await carol.GotoAsync(hub.WebUrl("r/standup"));
        Assert.True(await carol.IsVisibleAsync("#join-form"));
        await carol.FillAsync("#join-name", "Carol");
        await Chromium.ScreenshotAsync(carol, "room-lobby-light", output);
        await carol.ClickAsync("#join-form button[type=submit]");
        await WaitForPeopleAsync(carol, ["Alice", "Bob", "Carol"], "Carol joined through the form");
        var seenByCarol = await WaitForMessagesAsync(carol, 10, "history at Carol");
        Assert.Equal(seenByAlice.Messages, seenByCarol.Messages);
        Assert.Equal(hub.WebUrl("r/standup"), await carol.InputValueAsync("#invite-link"));
        await WaitForPeopleAsync(alice, ["Alice", "Bob", "Carol"], "Carol in Alice's list");
        await Chromium.ScreenshotAsync(alice, "room-three-viewers-chat", output);
        await Chromium.ScreenshotAsync(carol, "room-late-joiner-light", output);

        // Bob closes his tab; Carol presses Leave: both disappear from Alice's list.
        await bob.CloseAsync();
        await WaitForPeopleAsync(alice, ["Alice", "Carol"], "Bob gone from Alice's list after his tab closed");
        await carol.ClickAsync("#leave");
        Assert.Equal("left", (await ReadAsync(carol)).State);
        await WaitForPeopleAsync(alice, ["Alice"], "Carol gone from Alice's list after Leave");
        Assert.Contains("Bob left", await alice.InnerTextAsync("#messages"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sending_too_fast_shows_the_hubs_refusal_inline()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Rooms.Database = Database());
        await using var chromium = await Chromium.LaunchAsync();
        var page = await JoinAsync(chromium, hub, "burst", "Dana");
        // Bursts of 10 are allowed at 5 per second: 25 at once must be partly refused.
        await SendQuicklyAsync(page, "burst", 25);
        var room = await WaitForRoomAsync(page, r => r.Messages.Length + r.Errors.Length == 25, "every message stored or refused", 10);
        output.WriteLine(room.ToString());
        Assert.Contains("rate-limited", room.Errors);
        Assert.InRange(room.Messages.Length, 10, 24);
        // The hub's sentence for people, under the message it refused.
        Assert.NotEmpty((await page.InnerTextAsync("#messages .message[data-error=rate-limited] .error-text")).Trim());
        Assert.Equal(0, await page.Locator("#messages .message.pending").CountAsync());
        // Stored and refused ones together keep the order they were typed in.
        var typed = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#messages .message .text')].map((t) => t.textContent)");
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"burst {i}"), typed);
        await Chromium.ScreenshotAsync(page, "room-rate-limited", output);
    }

    [Fact]
    public async Task A_native_participant_publishing_with_ffmpeg_plays_in_a_tile_in_every_browser()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Rooms.Database = Database());
        await using var chromium = await Chromium.LaunchAsync();
        var (native, welcome) = await RawRoomClient.JoinAsync(hub.HttpPort, "studio", "Stage Cam");
        await using var nativeClient = native;
        string id = welcome.GetProperty("self").GetProperty("id").GetString()!;
        string publishPath = welcome.GetProperty("self").GetProperty("publishPath").GetString()!;
        Assert.Equal(hub.Port, welcome.GetProperty("rtspPort").GetInt32());

        var viewers = new[]
        {
            await JoinAsync(chromium, hub, "studio", "Eve", "Stage Cam", "Eve"),
            await JoinAsync(chromium, hub, "studio", "Finn", "Stage Cam", "Eve", "Finn"),
        };
        Assert.Equal(0, await viewers[0].Locator($".tile[data-id='{id}'] parley-player").CountAsync());

        await using var publisher = FfmpegRelayTests.Publish(hub, publishPath, "tcp", loop: true);
        await hub.WaitForStreamAsync(publishPath, TimeSpan.FromSeconds(15), () => publisher.HasExited);
        string tileVideo = TileVideo(id);
        foreach (var page in viewers)
        {
            var first = await Chromium.WaitForAsync<TileSample?>(page, tileVideo, TimeSpan.FromSeconds(25), s => s is { Time: > 0.5, Mean: > 20 }, "the tile playing");
            await Task.Delay(1500);
            var second = await page.EvaluateAsync<TileSample?>(tileVideo);
            output.WriteLine($"first {first}\nsecond {second}");
            Assert.NotNull(second);
            Assert.True(second.Time > first!.Time + 0.8, "the tile's currentTime does not advance");
            Assert.True(second.Mean > 20, $"the tile is black (mean {second.Mean})");
            Assert.NotEqual(first.Hash, second.Hash);
            Assert.True(second.AudioBytes > 0, "the tile's audio did not decode");
            Assert.True(second.HasVideo, "the placeholder still covers the video");
            // H.264 and Opus reach a browser over its room WebRTC connection, without transcoding, even a viewer's.
            Assert.Equal("webrtc", second.Media);
        }

        await Chromium.ScreenshotAsync(viewers[0], "room-native-publisher", output);

        // Mute state reaches the list and the tile's badges.
        await native.SendAsync(new { type = "mute", audio = true });
        string muted = $"() => document.querySelector(\"#people .person[data-id='{id}']\")?.dataset.audioMuted === 'true' && !!document.querySelector(\".tile[data-id='{id}'] .icon-mic-off\")";
        foreach (var page in viewers)
        {
            await Chromium.WaitForAsync<bool>(page, muted, TimeSpan.FromSeconds(10), m => m, "the microphone shown as muted");
        }

        // The publisher stops: the tile falls back to the avatar; the native participant leaves: the list follows.
        await publisher.QuitAsync(TimeSpan.FromSeconds(5));
        string placeholder = $"() => !document.querySelector(\".tile[data-id='{id}'] parley-player\") && !document.querySelector(\".tile[data-id='{id}'] > video\") && !!document.querySelector(\".tile[data-id='{id}'] .placeholder .avatar\")";
        await Chromium.WaitForAsync<bool>(viewers[0], placeholder, TimeSpan.FromSeconds(15), m => m, "the tile back to its avatar");
        await native.SendAsync(new { type = "leave" });
        await WaitForPeopleAsync(viewers[1], ["Eve", "Finn"], "the native participant gone");
    }

    [Fact]
    public async Task The_page_joins_again_after_the_hub_restarts_and_keeps_the_history()
    {
        string database = Database();
        int httpPort;
        await using var chromium = await Chromium.LaunchAsync();
        IPage page;
        await using (var hub = await TestHub.StartAsync(output, o => o.Rooms.Database = database))
        {
            httpPort = hub.HttpPort;
            page = await JoinAsync(chromium, hub, "persist", "Gus");
            await SendQuicklyAsync(page, "before the restart", 1);
            await WaitForMessagesAsync(page, 1, "the message echoed");
        }

        await WaitForRoomAsync(page, r => r.State == "reconnecting", "the page noticed the hub went away");
        Assert.True(await page.IsVisibleAsync("#banner"));
        Assert.True(await page.IsDisabledAsync("#chat-text"));
        await Chromium.ScreenshotAsync(page, "room-reconnecting", output);

        await using var restarted = await TestHub.StartAsync(output, o =>
        {
            o.Rooms.Database = database;
            o.Http.Port = httpPort;
        });
        var room = await WaitForPeopleAsync(page, ["Gus"], "joined again after the restart");
        Assert.Equal("before the restart 1", Assert.Single(room.Messages).Text);
        Assert.False(await page.IsVisibleAsync("#banner"));

        // The hub counts the page as present: a native participant sees it.
        var (probe, welcome) = await RawRoomClient.JoinAsync(restarted.HttpPort, "persist", "Probe");
        await using var probeClient = probe;
        Assert.Equal(["Gus"], welcome.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        await SendQuicklyAsync(page, "after the restart", 1);
        var chat = await probe.WaitForAsync("chat", TimeSpan.FromSeconds(10));
        Assert.Equal("after the restart 1", chat.GetProperty("text").GetString());
    }

    // The tile's picture: its own <video> when the stream came over the page's WebRTC connection (H.264 and Opus), the
    // player's when it came over WebSocket. Audio: bytes decoded by the player, or received on the peer connection.
    private static string TileVideo(string id) => $$"""
        async () => { const tile = document.querySelector(".tile[data-id='{{id}}']"); if (!tile) return null;
          const direct = tile.querySelector(':scope > video'); const p = tile.querySelector('parley-player');
          const v = direct || (p && p.stats ? p.shadowRoot.querySelector('video') : null); if (!v) return null;
          const canvas = document.createElement('canvas'); canvas.width = 320; canvas.height = 180;
          canvas.getContext('2d').drawImage(v, 0, 0, 320, 180); const sample = ({{WebPlayerTests.SampleCanvas}})(canvas);
          let audio = v.webkitAudioDecodedByteCount || 0;
          if (direct && window.roomMedia && window.roomMedia.pc) (await window.roomMedia.pc.getStats()).forEach((r) => {
            if (r.type === 'inbound-rtp' && r.kind === 'audio') audio += r.bytesReceived || 0; });
          return { time: v.currentTime, audioBytes: audio, mean: sample.mean, hash: sample.hash,
            hasVideo: tile.classList.contains('has-video'), media: tile.dataset.media }; }
        """;

    public sealed record TileSample { public double Time { get; init; } public long AudioBytes { get; init; } public double Mean { get; init; } public int Hash { get; init; } public bool HasVideo { get; init; } public string Media { get; init; } = ""; }
}
