namespace Parley.Hub.Rooms;

/// <summary>The <c>code</c> values of <c>error</c> events (docs/rooms-protocol.md, "Error codes").</summary>
public static class RoomErrorCodes
{
    /// <summary>Not JSON, not an object, unknown type, or a field missing or of the wrong kind; also binary frames.</summary>
    public const string BadMessage = "bad-message";

    /// <summary>A message other than join before joining.</summary>
    public const string NotJoined = "not-joined";

    /// <summary>A second join on the same connection.</summary>
    public const string AlreadyJoined = "already-joined";

    /// <summary>Empty or too long display name.</summary>
    public const string BadName = "bad-name";

    /// <summary>The room has rooms.maxParticipants participants; the connection closes.</summary>
    public const string RoomFull = "room-full";

    /// <summary>Creating the room would exceed rooms.maxRooms; the connection closes.</summary>
    public const string TooManyRooms = "too-many-rooms";

    /// <summary>Chat text over rooms.maxChatBytes.</summary>
    public const string ChatTooLong = "chat-too-long";

    /// <summary>Chat text empty or only white space.</summary>
    public const string ChatEmpty = "chat-empty";

    /// <summary>Chat over the participant's rate; the message was dropped.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>The chat message could not be stored (database failure); it was not delivered to anyone.</summary>
    public const string ChatNotStored = "chat-not-stored";

    /// <summary>The client's credentials do not allow this (chat without the chat permission).</summary>
    public const string NotAllowed = "not-allowed";

    /// <summary>A webrtc-offer on a hub with WebRTC off (webrtc.enabled: false).</summary>
    public const string WebRtcUnavailable = "webrtc-unavailable";

    /// <summary>A webrtc-offer the hub could not answer (bad SDP, ICE restart, the media connection ended).</summary>
    public const string WebRtcFailed = "webrtc-failed";
}
