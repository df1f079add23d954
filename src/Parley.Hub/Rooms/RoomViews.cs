namespace Parley.Hub.Rooms;

/// <summary>One track of a participant's stream, as <c>participantUpdated</c> announces it.</summary>
/// <param name="Kind">"video" or "audio" (the SDP media type).</param>
/// <param name="Codec">Encoding name from the rtpmap: "H264", "JPEG", "opus"; null when the SDP did not say.</param>
/// <param name="Width">Video width in pixels from the SDP (x-dimensions or the H.264 SPS); null when unknown.</param>
/// <param name="Height">Video height in pixels; null when unknown.</param>
/// <param name="ClockRate">RTP clock rate in Hz.</param>
public sealed record RoomTrack(string Kind, string? Codec, int? Width, int? Height, int ClockRate);

/// <summary>A participant as the protocol shows it (docs/rooms-protocol.md, "Participant").</summary>
/// <param name="Id">Path-safe id, unique among those present.</param>
/// <param name="Name">Display name.</param>
/// <param name="JoinedAt">ISO 8601 UTC time of joining.</param>
/// <param name="PublishPath">The RTSP path to publish on: <c>&lt;room&gt;/&lt;id&gt;</c>.</param>
/// <param name="Publishing">True while a stream is live on <paramref name="PublishPath"/>.</param>
/// <param name="Tracks">The live stream's tracks; empty when not publishing.</param>
/// <param name="AudioMuted">The participant's own audio mute state.</param>
/// <param name="VideoMuted">The participant's own video mute state.</param>
public sealed record RoomParticipantView(string Id, string Name, string JoinedAt, string PublishPath, bool Publishing,
    IReadOnlyList<RoomTrack> Tracks, bool AudioMuted, bool VideoMuted);

/// <summary>The sender of a chat message.</summary>
/// <param name="Id">Participant id at the time of sending.</param>
/// <param name="Name">Display name at the time of sending.</param>
public sealed record ChatSender(string Id, string Name);

/// <summary>One stored chat message.</summary>
/// <param name="Id">Increasing within the room, across hub restarts.</param>
/// <param name="From">Who sent it.</param>
/// <param name="Time">ISO 8601 UTC time the hub accepted it.</param>
/// <param name="Text">The text, at most rooms.maxChatBytes UTF-8 bytes.</param>
public sealed record ChatMessage(long Id, ChatSender From, string Time, string Text);
