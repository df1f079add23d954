using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Parley.Endpoint.Rooms;

/// <summary>A track a participant publishes, as the hub announces it (docs/rooms-protocol.md, Participant).</summary>
/// <param name="Kind">"video" or "audio".</param>
/// <param name="Codec">"H264", "JPEG", "opus", ...</param>
/// <param name="Width">Picture width in pixels, when known.</param>
/// <param name="Height">Picture height in pixels, when known.</param>
/// <param name="ClockRate">RTP clock rate in Hz.</param>
public sealed record RoomTrack(string Kind, string Codec, int? Width, int? Height, int ClockRate);

/// <summary>Someone in a room (docs/rooms-protocol.md, Participant).</summary>
/// <param name="Id">The path-safe id (lower case; "-2" added while the name is taken).</param>
/// <param name="Name">The display name.</param>
/// <param name="PublishPath">The hub path of their stream, <c>room/id</c>.</param>
/// <param name="Publishing">Whether their stream is live now.</param>
/// <param name="Tracks">What the live stream carries; empty when not publishing.</param>
/// <param name="AudioMuted">Their own audio mute state.</param>
/// <param name="VideoMuted">Their own video mute state.</param>
/// <param name="JoinedAt">When they joined (UTC), when the hub said.</param>
public sealed record RoomParticipant(string Id, string Name, string PublishPath, bool Publishing, IReadOnlyList<RoomTrack> Tracks, bool AudioMuted, bool VideoMuted, DateTimeOffset? JoinedAt);

/// <summary>One stored chat message (docs/rooms-protocol.md, hub to client `chat`).</summary>
/// <param name="Id">Increasing within the room.</param>
/// <param name="FromId">The sender's participant id.</param>
/// <param name="FromName">The sender's display name.</param>
/// <param name="Time">When the hub stored it (UTC), when given.</param>
/// <param name="Text">The text.</param>
/// <param name="Reference">The sender's <c>ref</c>, when given.</param>
public sealed record RoomChatMessage(long Id, string FromId, string FromName, DateTimeOffset? Time, string Text, string? Reference);

/// <summary>The room's limits from <c>welcome</c>.</summary>
/// <param name="MaxChatBytes">UTF-8 bytes per chat message at most.</param>
/// <param name="ChatMessagesPerSecond">Chat messages per second allowed.</param>
/// <param name="MaxParticipants">Participants per room at most.</param>
public sealed record RoomLimits(int MaxChatBytes, int ChatMessagesPerSecond, int MaxParticipants);

/// <summary>The hub's answer to <c>join</c>.</summary>
/// <param name="Room">The room name.</param>
/// <param name="Self">This client as the hub sees it (its id and publish path).</param>
/// <param name="Participants">Everyone else present.</param>
/// <param name="History">Recent chat, oldest first.</param>
/// <param name="RtspPort">The hub's RTSP port, where <see cref="RoomParticipant.PublishPath"/> is published and played.</param>
/// <param name="Limits">The room's limits; null when the hub sent none.</param>
/// <param name="RtspsPort">The hub's RTSPS port (the same paths over TLS); 0 when it serves none.</param>
public sealed record RoomWelcome(string Room, RoomParticipant Self, IReadOnlyList<RoomParticipant> Participants, IReadOnlyList<RoomChatMessage> History, int RtspPort, RoomLimits? Limits, int RtspsPort = 0)
{
    /// <summary>
    /// Where a participant's path is published and played: rtsps:// on the hub's RTSPS port when the hub is on
    /// another machine (media that leaves a machine is encrypted), rtsp:// on loopback or when the hub has no RTSPS.
    /// </summary>
    /// <param name="host">The hub's host, as in the room URL.</param>
    /// <param name="path">A participant's publish path.</param>
    public Uri MediaUrl(string host, string path)
    {
        bool loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
        return loopback || RtspsPort <= 0
            ? new UriBuilder("rtsp", host, RtspPort, "/" + path).Uri
            : new UriBuilder("rtsps", host, RtspsPort, "/" + path).Uri;
    }
}

/// <summary>A message from the hub, or the client's own news about the connection.</summary>
public abstract record RoomEvent;

/// <summary><c>welcome</c>: joined (again, after a reconnection, when it is not the first).</summary>
public sealed record RoomWelcomed(RoomWelcome Welcome) : RoomEvent;

/// <summary><c>participantJoined</c>.</summary>
public sealed record RoomParticipantJoined(RoomParticipant Participant) : RoomEvent;

/// <summary><c>participantUpdated</c>: a stream went live or ended, or mute state changed.</summary>
public sealed record RoomParticipantUpdated(RoomParticipant Participant) : RoomEvent;

/// <summary><c>participantLeft</c>.</summary>
/// <param name="Id">Who left.</param>
/// <param name="Reason">"left", "disconnected" or "timeout".</param>
public sealed record RoomParticipantLeft(string Id, string Reason) : RoomEvent;

/// <summary>A hub <c>chat</c> message.</summary>
public sealed record RoomChatReceived(RoomChatMessage Message) : RoomEvent;

/// <summary><c>error</c>: a message was refused.</summary>
/// <param name="Code">The protocol's code (bad-name, room-full, chat-too-long, ...).</param>
/// <param name="Message">A sentence for people.</param>
/// <param name="Reference">The <c>ref</c> of the refused message, when it had one.</param>
public sealed record RoomErrorReceived(string Code, string Message, string? Reference) : RoomEvent;

/// <summary><c>pong</c>.</summary>
public sealed record RoomPong : RoomEvent;

/// <summary>The client lost the connection and is reconnecting (not a hub message).</summary>
/// <param name="Reason">What happened.</param>
public sealed record RoomDisconnected(string Reason) : RoomEvent;

/// <summary>
/// The JSON messages of the room control protocol (docs/rooms-protocol.md): parsing what the hub sends (never
/// throwing: unknown types and malformed messages are refused with false) and writing what the client sends.
/// </summary>
public static class RoomMessages
{
    /// <summary>Parses one text frame from the hub.</summary>
    /// <param name="utf8">The frame's UTF-8 bytes.</param>
    /// <param name="message">The event; null when false is returned.</param>
    /// <returns>False for malformed JSON, a missing or ill-typed required field, or an unknown <c>type</c>.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out RoomEvent? message)
    {
        message = null;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!JsonDocument.TryParseValue(ref reader, out var parsed) || parsed is null)
            {
                return false;
            }

            document = parsed;
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !TryString(root, "type", out string? type))
            {
                return false;
            }

            message = type switch
            {
                "welcome" => ParseWelcome(root) is { } welcome ? new RoomWelcomed(welcome) : null,
                "participantJoined" => root.TryGetProperty("participant", out var p) && ParseParticipant(p) is { } joined ? new RoomParticipantJoined(joined) : null,
                "participantUpdated" => root.TryGetProperty("participant", out var p) && ParseParticipant(p) is { } updated ? new RoomParticipantUpdated(updated) : null,
                "participantLeft" => TryString(root, "id", out string? id) ? new RoomParticipantLeft(id!, TryString(root, "reason", out string? reason) ? reason! : "left") : null,
                "chat" => ParseChat(root) is { } chat ? new RoomChatReceived(chat) : null,
                "error" => TryString(root, "code", out string? code) ? new RoomErrorReceived(code!, TryString(root, "message", out string? text) ? text! : code!, OptionalString(root, "ref")) : null,
                "pong" => new RoomPong(),
                _ => null,
            };
            return message is not null;
        }
    }

    /// <summary><c>{"type":"join","name":NAME}</c>.</summary>
    public static byte[] Join(string name) => Write(w => w.WriteString("name", name), "join");

    /// <summary><c>{"type":"chat","text":TEXT[,"ref":REF]}</c>.</summary>
    public static byte[] Chat(string text, string? reference = null) => Write(w =>
    {
        w.WriteString("text", text);
        if (reference is not null)
        {
            w.WriteString("ref", reference);
        }
    }, "chat");

    /// <summary><c>{"type":"mute"[,"audio":bool][,"video":bool]}</c>; omitted fields stay as they are.</summary>
    public static byte[] Mute(bool? audio, bool? video) => Write(w =>
    {
        if (audio is { } a)
        {
            w.WriteBoolean("audio", a);
        }

        if (video is { } v)
        {
            w.WriteBoolean("video", v);
        }
    }, "mute");

    /// <summary><c>{"type":"ping"}</c>.</summary>
    public static byte[] Ping() => Write(_ => { }, "ping");

    /// <summary><c>{"type":"leave"}</c>.</summary>
    public static byte[] Leave() => Write(_ => { }, "leave");

    private static byte[] Write(Action<Utf8JsonWriter> fields, string type)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            fields(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static RoomWelcome? ParseWelcome(JsonElement root)
    {
        if (!TryString(root, "room", out string? room) || !root.TryGetProperty("self", out var selfElement) || ParseParticipant(selfElement) is not { } self
            || !TryInt(root, "rtspPort", out int rtspPort))
        {
            return null;
        }

        var others = new List<RoomParticipant>();
        if (root.TryGetProperty("participants", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (ParseParticipant(item) is { } participant)
                {
                    others.Add(participant);
                }
            }
        }

        var history = new List<RoomChatMessage>();
        if (root.TryGetProperty("history", out var chats) && chats.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in chats.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && ParseChat(item) is { } chat)
                {
                    history.Add(chat);
                }
            }
        }

        RoomLimits? limits = null;
        if (root.TryGetProperty("limits", out var l) && l.ValueKind == JsonValueKind.Object)
        {
            limits = new RoomLimits(TryInt(l, "maxChatBytes", out int bytes) ? bytes : 4096, TryInt(l, "chatMessagesPerSecond", out int rate) ? rate : 5,
                TryInt(l, "maxParticipants", out int max) ? max : 16);
        }

        return new RoomWelcome(room!, self, others, history, rtspPort, limits, TryInt(root, "rtspsPort", out int rtspsPort) ? rtspsPort : 0);
    }

    private static RoomParticipant? ParseParticipant(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || !TryString(element, "id", out string? id) || !TryString(element, "publishPath", out string? path))
        {
            return null;
        }

        var tracks = new List<RoomTrack>();
        if (element.TryGetProperty("tracks", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in list.EnumerateArray())
            {
                if (t.ValueKind == JsonValueKind.Object && TryString(t, "kind", out string? kind) && TryString(t, "codec", out string? codec))
                {
                    tracks.Add(new RoomTrack(kind!, codec!, TryInt(t, "width", out int w) ? w : null, TryInt(t, "height", out int h) ? h : null, TryInt(t, "clockRate", out int rate) ? rate : 0));
                }
            }
        }

        return new RoomParticipant(id!, TryString(element, "name", out string? name) ? name! : id!, path!, Bool(element, "publishing"), tracks,
            Bool(element, "audioMuted"), Bool(element, "videoMuted"), Time(element, "joinedAt"));
    }

    private static RoomChatMessage? ParseChat(JsonElement element)
    {
        if (!element.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out long id) || !TryString(element, "text", out string? text)
            || !element.TryGetProperty("from", out var from) || from.ValueKind != JsonValueKind.Object || !TryString(from, "id", out string? fromId))
        {
            return null;
        }

        return new RoomChatMessage(id, fromId!, TryString(from, "name", out string? fromName) ? fromName! : fromId!, Time(element, "time"), text!, OptionalString(element, "ref"));
    }

    private static bool TryString(JsonElement element, string name, out string? value)
    {
        value = element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString() : null;
        return value is not null;
    }

    private static string? OptionalString(JsonElement element, string name) => TryString(element, name, out string? value) ? value : null;

    private static bool TryInt(JsonElement element, string name, out int value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt32(out value);
    }

    private static bool Bool(JsonElement element, string name) => element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.True;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        TryString(element, name, out string? text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;
}
