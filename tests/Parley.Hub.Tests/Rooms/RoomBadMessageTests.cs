using FsCheck;
using FsCheck.Fluent;
using Parley.Hub.Rooms;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Hub.Tests.Rooms;

public sealed class RoomBadMessageTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Bad_json_binary_frames_unknown_types_and_missing_fields_get_bad_message_and_the_connection_keeps_working()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        await using var client = await hub.ConnectAsync("strict");

        // Before joining: only join is accepted.
        await client.SendAsync(new { type = "chat", text = "too early", @ref = "e1" });
        var early = await client.ReceiveAsync("error");
        Assert.Equal("not-joined", early.GetProperty("code").GetString());
        Assert.Equal("e1", early.GetProperty("ref").GetString());
        await client.SendTextAsync("{oops");
        await client.ExpectErrorAndStillUsableAsync("bad-message", joined: false);
        await client.SendAsync(new { type = "join", name = "Eve" });
        await client.ReceiveAsync("welcome");

        string[] bad =
        [
            "{oops",
            "[1,2,3]",
            "\"join\"",
            "{\"type\":\"dance\"}",
            "{\"type\":42}",
            "{\"text\":\"no type\"}",
            "{\"type\":\"chat\"}",
            "{\"type\":\"chat\",\"text\":7}",
            "{\"type\":\"mute\",\"audio\":\"yes\"}",
            "{\"type\":\"chat\",\"text\":\"x\",\"ref\":5}",
            "{\"type\":\"ping\"} {\"type\":\"ping\"}",
            "",
        ];
        foreach (string text in bad)
        {
            await client.SendTextAsync(text);
            var error = await client.ReceiveAsync("error");
            Assert.True(error.GetProperty("code").GetString() == "bad-message", $"{text} -> {error}");
        }

        await client.SendBinaryAsync([1, 2, 3]);
        await client.ExpectErrorAndStillUsableAsync("bad-message");

        await client.SendAsync(new { type = "join", name = "Eve" });
        await client.ExpectErrorAndStillUsableAsync("already-joined");

        // Nothing changed: the connection chats as before.
        await client.SendAsync(new { type = "chat", text = "still here" });
        Assert.Equal("still here", (await client.ReceiveAsync("chat")).GetProperty("text").GetString());
    }

    [Fact]
    public void The_parser_returns_false_for_any_input_it_does_not_understand_and_never_throws()
    {
        // Random bytes, and JSON-ish text that gets past the first character more often.
        var json = Gen.Elements("{", "}", "[", "]", "\"type\"", ":", ",", "\"join\"", "\"chat\"", "\"mute\"", "\"text\"", "\"name\"", "true", "1", "null", "\"x\"", "\"ref\"", "\"webrtc-offer\"", "\"sdp\"", "\"mids\"", "{\"0\":\"bob\"}")
            .ArrayOf().Select(parts => System.Text.Encoding.UTF8.GetBytes(string.Concat(parts)));
        var input = Gen.OneOf(ArbMap.Default.GeneratorFor<byte[]>(), json);
        Prop.ForAll(Arb.From(input), bytes =>
        {
            bool ok = ClientMessage.TryParse(bytes, out var message, out string? problem, out _);
            return ok ? message is not null && problem is null : message is null && problem is not null;
        }).QuickCheckThrowOnFailure();
        Assert.True(ClientMessage.TryParse("{\"type\":\"mute\",\"video\":false,\"ref\":\"m\"}"u8, out var mute, out _, out string? reference));
        Assert.Equal(new ClientMessage(ClientMessageType.Mute, null, null, "m", null, false), mute);
        Assert.Equal("m", reference);

        // webrtc-offer: sdp required, mids an optional object of strings.
        Assert.True(ClientMessage.TryParse("{\"type\":\"webrtc-offer\",\"sdp\":\"v=0\",\"mids\":{\"2\":\"bob\"}}"u8, out var offer, out _, out _));
        Assert.Equal((ClientMessageType.WebRtcOffer, "v=0", "bob"), (offer!.Type, offer.Sdp, offer.Mids!["2"]));
        Assert.True(ClientMessage.TryParse("{\"type\":\"webrtc-offer\",\"sdp\":\"v=0\"}"u8, out offer, out _, out _));
        Assert.Empty(offer!.Mids!);
        Assert.False(ClientMessage.TryParse("{\"type\":\"webrtc-offer\"}"u8, out _, out _, out _));
        Assert.False(ClientMessage.TryParse("{\"type\":\"webrtc-offer\",\"sdp\":\"v=0\",\"mids\":{\"2\":7}}"u8, out _, out string? problem, out _));
        Assert.Contains("mids", problem, StringComparison.Ordinal);
    }
}
