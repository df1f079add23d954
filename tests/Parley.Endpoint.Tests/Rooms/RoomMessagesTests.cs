using System.Text;
using Parley.Endpoint.Rooms;

namespace Parley.Endpoint.Tests.Rooms;

/// <summary>The client's side of docs/rooms-protocol.md: the document's own example parses, and bad input is refused, never thrown.</summary>
public sealed class RoomMessagesTests
{
    [Fact]
    public void The_protocol_documents_welcome_parses_with_self_limits_and_port()
    {
        const string welcome = """{"type":"welcome","room":"standup","self":{"id":"alice","name":"Alice","publishPath":"standup/alice","publishing":false,"tracks":[],"audioMuted":false,"videoMuted":false,"joinedAt":"2026-11-30T10:15:02.123Z"},"participants":[{"id":"bob","name":"Bob","publishPath":"standup/bob","publishing":true,"tracks":[{"kind":"video","codec":"JPEG","width":320,"height":240,"clockRate":90000},{"kind":"audio","codec":"opus","clockRate":48000}],"audioMuted":true,"videoMuted":false,"joinedAt":"2026-11-30T10:15:01Z"}],"history":[{"id":17,"from":{"id":"bob","name":"Bob"},"time":"2026-11-30T10:15:00Z","text":"hi","ref":"c1"}],"rtspPort":8554,"limits":{"maxChatBytes":4096,"chatMessagesPerSecond":5,"maxParticipants":16}}""";
        Assert.True(RoomMessages.TryParse(Encoding.UTF8.GetBytes(welcome), out var message));
        var w = Assert.IsType<RoomWelcomed>(message).Welcome;
        Assert.Equal(("standup", "alice", "standup/alice", 8554), (w.Room, w.Self.Id, w.Self.PublishPath, w.RtspPort));
        var bob = Assert.Single(w.Participants);
        Assert.True(bob.Publishing && bob.AudioMuted);
        Assert.Equal(new RoomTrack("video", "JPEG", 320, 240, 90000), bob.Tracks[0]);
        Assert.Equal(new RoomChatMessage(17, "bob", "Bob", new DateTimeOffset(2026, 11, 30, 10, 15, 0, TimeSpan.Zero), "hi", "c1"), Assert.Single(w.History));
        Assert.Equal(new RoomLimits(4096, 5, 16), w.Limits);
    }

    [Theory]
    [InlineData("""{"type":"participantLeft","id":"bob","reason":"timeout"}""", "RoomParticipantLeft")]
    [InlineData("""{"type":"chat","id":3,"from":{"id":"a","name":"A"},"time":"2026-11-30T10:15:02.123Z","text":"x"}""", "RoomChatReceived")]
    [InlineData("""{"type":"error","code":"room-full","message":"The room is full."}""", "RoomErrorReceived")]
    [InlineData("""{"type":"pong"}""", "RoomPong")]
    [InlineData("""{"type":"participantJoined","participant":{"id":"c","name":"C","publishPath":"r/c","publishing":false,"tracks":[]}}""", "RoomParticipantJoined")]
    public void Hub_events_parse_to_their_types(string json, string type)
    {
        Assert.True(RoomMessages.TryParse(Encoding.UTF8.GetBytes(json), out var message));
        Assert.Equal(type, message!.GetType().Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"type":"chat","id":"x","from":{"id":"a"},"text":"t"}""")]
    [InlineData("""{"type":"welcome","room":"r"}""")]
    [InlineData("""{"type":"participantJoined","participant":{"name":"no id"}}""")]
    [InlineData("""{"type":"unknown"}""")]
    [InlineData("""{"type":7}""")]
    [InlineData("""{"type":"participantLeft""")]
    public void Malformed_or_unknown_messages_are_refused_without_throwing(string json)
    {
        Assert.False(RoomMessages.TryParse(Encoding.UTF8.GetBytes(json), out var message));
        Assert.Null(message);
    }

    [Fact]
    public void Client_messages_are_the_documented_json()
    {
        Assert.Equal("""{"type":"join","name":"Alice"}""", Encoding.UTF8.GetString(RoomMessages.Join("Alice")));
        Assert.Equal("""{"type":"chat","text":"hello","ref":"c1"}""", Encoding.UTF8.GetString(RoomMessages.Chat("hello", "c1")));
        Assert.Equal("""{"type":"mute","audio":true}""", Encoding.UTF8.GetString(RoomMessages.Mute(true, null)));
        Assert.Equal("""{"type":"ping"}""", Encoding.UTF8.GetString(RoomMessages.Ping()));
    }

    [Theory]
    [InlineData("http://hub:8080/r/standup", "standup")]
    [InlineData("https://hub/r/standup/", "standup")]
    [InlineData("http://hub:8080/standup", null)]
    [InlineData("http://hub:8080/r/", null)]
    [InlineData("rtsp://hub:8554/r/standup", null)]
    public void Room_urls_name_their_room_and_map_to_the_control_socket(string url, string? room)
    {
        Assert.Equal(room is not null, RoomControlClient.TryParseRoomUrl(new Uri(url), out string? parsed));
        Assert.Equal(room, parsed);
        if (room is not null)
        {
            Assert.Equal(url.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws", new RoomControlClient(new Uri(url), "a").WebSocketUrl.Scheme);
            Assert.EndsWith("/r/standup/ws", new RoomControlClient(new Uri(url), "a").WebSocketUrl.AbsolutePath, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Recordings_are_named_after_each_participant()
    {
        Assert.Equal("/tmp/call-bob.mkv", RoomCallOptions.RecordingPath("/tmp/call.mkv", "bob"));
        Assert.Equal("/tmp/call-bob-2.mp4", RoomCallOptions.RecordingPath("/tmp/call.mp4", "bob", 2));
    }

    [Theory]
    [InlineData("127.0.0.1", 8322, "rtsp://127.0.0.1:8554/standup/alice")]
    [InlineData("localhost", 8322, "rtsp://localhost:8554/standup/alice")]
    [InlineData("[::1]", 8322, "rtsp://[::1]:8554/standup/alice")]
    [InlineData("hub.example", 8322, "rtsps://hub.example:8322/standup/alice")]
    [InlineData("192.168.1.20", 8322, "rtsps://192.168.1.20:8322/standup/alice")]
    [InlineData("192.168.1.20", 0, "rtsp://192.168.1.20:8554/standup/alice")]
    public void Media_leaving_the_machine_goes_over_rtsps_when_the_hub_serves_it(string host, int rtspsPort, string expected)
    {
        var self = new RoomParticipant("alice", "Alice", "standup/alice", false, [], false, false, null);
        var welcome = new RoomWelcome("standup", self, [], [], 8554, null, rtspsPort);
        Assert.Equal(new Uri(expected), welcome.MediaUrl(host, "standup/alice"));
    }

    [Fact]
    public void The_welcome_carries_the_rtsps_port()
    {
        Assert.True(RoomMessages.TryParse("""{"type":"welcome","room":"r","self":{"id":"a","name":"A","publishPath":"r/a"},"participants":[],"history":[],"rtspPort":8554,"rtspsPort":8322}"""u8, out var message));
        Assert.Equal(8322, Assert.IsType<RoomWelcomed>(message).Welcome.RtspsPort);
    }
}
