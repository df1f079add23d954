namespace Parley.Hub.Rooms;

/// <summary>
/// One person in a room. Created and changed only on its room's loop; the session holds it as a handle to name
/// itself in commands.
/// </summary>
public sealed class Participant
{
    internal Participant(string id, string name, string room, string joinedAt, RoomConnection connection)
    {
        Id = id;
        Name = name;
        PublishPath = $"{room}/{id}";
        JoinedAt = joinedAt;
        Connection = connection;
    }

    /// <summary>Path-safe id, unique among those present in the room.</summary>
    public string Id { get; }

    /// <summary>Display name.</summary>
    public string Name { get; }

    /// <summary>The RTSP path this participant publishes on: <c>&lt;room&gt;/&lt;id&gt;</c>.</summary>
    public string PublishPath { get; }

    /// <summary>ISO 8601 UTC time of joining.</summary>
    public string JoinedAt { get; }

    /// <summary>Where the room's messages for this participant go.</summary>
    public RoomConnection Connection { get; }

    internal bool AudioMuted { get; set; }

    /// <summary>The client sent a webrtc-offer: it is told (webrtc-renegotiate) when a stream in the room starts or ends.</summary>
    internal bool UsesWebRtc { get; set; }

    internal bool VideoMuted { get; set; }

    /// <summary>Tracks of the live stream on <see cref="PublishPath"/>; null when nothing is published.</summary>
    internal IReadOnlyList<RoomTrack>? Tracks { get; set; }

    internal RoomParticipantView View() =>
        new(Id, Name, JoinedAt, PublishPath, Tracks is not null, Tracks ?? [], AudioMuted, VideoMuted);
}
