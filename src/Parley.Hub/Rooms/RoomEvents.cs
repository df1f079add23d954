using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Hub.Rooms;

/// <summary>
/// The hub's messages (docs/rooms-protocol.md, "Hub to client") as UTF-8 JSON, serialized once and sent to every
/// participant as the same array. Names are camelCase; absent optional fields are left out.
/// </summary>
public static class RoomEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary><c>{"type":"pong"}</c>, shared.</summary>
    public static ReadOnlyMemory<byte> Pong { get; } = Serialize(new { type = "pong" });

    /// <summary>A time as the protocol writes it: ISO 8601 UTC with milliseconds and Z.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The answer to a successful join; <paramref name="rtspsPort"/> is 0 when the hub serves no RTSPS.</summary>
    public static byte[] Welcome(string room, RoomParticipantView self, IEnumerable<RoomParticipantView> others,
        IEnumerable<ChatMessage> history, int rtspPort, int rtspsPort, RoomLimits limits) =>
        Serialize(new { type = "welcome", room, self, participants = others, history = history.Select(Chat), rtspPort, rtspsPort, limits });

    /// <summary><c>participantJoined</c>.</summary>
    public static byte[] ParticipantJoined(RoomParticipantView participant) => Serialize(new { type = "participantJoined", participant });

    /// <summary><c>participantUpdated</c>: stream or mute state changed.</summary>
    public static byte[] ParticipantUpdated(RoomParticipantView participant) => Serialize(new { type = "participantUpdated", participant });

    /// <summary><c>participantLeft</c> with reason <c>left</c>, <c>disconnected</c> or <c>timeout</c>.</summary>
    public static byte[] ParticipantLeft(string id, string reason) => Serialize(new { type = "participantLeft", id, reason });

    /// <summary><c>chat</c>; <paramref name="reference"/> is the sender's <c>ref</c>, for the sender's copy only.</summary>
    public static byte[] ChatEvent(ChatMessage message, string? reference = null) => Serialize(Chat(message, reference));

    /// <summary><c>webrtc-answer</c>: the answer to the client's offer, and which participant each answered recvonly mid carries.</summary>
    public static byte[] WebRtcAnswer(string sdp, IReadOnlyDictionary<string, string> mids, string? reference) =>
        Serialize(new { type = "webrtc-answer", sdp, mids, @ref = reference });

    /// <summary><c>webrtc-renegotiate</c>, shared: the set of streams to receive changed; send a new offer.</summary>
    public static ReadOnlyMemory<byte> WebRtcRenegotiate { get; } = Serialize(new { type = "webrtc-renegotiate" });

    /// <summary><c>error</c> with a code of the protocol's table and a sentence for people.</summary>
    public static byte[] Error(string code, string message, string? reference = null) =>
        Serialize(new ErrorEvent("error", code, message, reference));

    private static ChatPayload Chat(ChatMessage message) => Chat(message, null);

    private static ChatPayload Chat(ChatMessage message, string? reference) =>
        new("chat", message.Id, message.From, message.Time, message.Text, reference);

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    private sealed record ChatPayload(string Type, long Id, ChatSender From, string Time, string Text, string? Ref);

    private sealed record ErrorEvent(string Type, string Code, string Message, string? Ref);
}

/// <summary>The limits a client is told in <c>welcome</c>.</summary>
/// <param name="MaxChatBytes">Largest chat text in UTF-8 bytes.</param>
/// <param name="ChatMessagesPerSecond">Sustained chat rate per participant.</param>
/// <param name="MaxParticipants">Participants per room.</param>
public sealed record RoomLimits(int MaxChatBytes, int ChatMessagesPerSecond, int MaxParticipants);
