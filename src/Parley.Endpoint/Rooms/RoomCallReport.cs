using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Endpoint.Send;
using Parley.Endpoint.View;

namespace Parley.Endpoint.Rooms;

/// <summary>What one remote participant's stream did in a room call (one per stream: a participant who published twice has two).</summary>
/// <param name="Id">Their participant id.</param>
/// <param name="Name">Their display name.</param>
/// <param name="Recording">The recording file, when recording.</param>
/// <param name="View">What arrived (as `parley view --stats`); null when it never played.</param>
/// <param name="AudioSamplesMixed">Samples (48 kHz, both channels) of theirs that went into the mix.</param>
/// <param name="AudioUnderruns">Times their audio ran dry in the mix.</param>
/// <param name="VideoFramesTiled">Decoded pictures of theirs handed to the grid (0 with no video output).</param>
public sealed record RoomParticipantReport(string Id, string Name, string? Recording, ViewReport? View, long AudioSamplesMixed, long AudioUnderruns, long VideoFramesTiled);

/// <summary>What a room call did.</summary>
/// <param name="Room">The room.</param>
/// <param name="Name">This side's display name.</param>
/// <param name="Id">This side's participant id (the last one, after rejoins).</param>
/// <param name="Send">What this side published; null when the call ended before publishing started.</param>
/// <param name="Participants">Every remote stream played, in the order they started.</param>
/// <param name="FramesMixed">20 ms frames the mixer produced.</param>
/// <param name="GridFrames">Tiled pictures written to the video output.</param>
/// <param name="ChatReceived">Chat messages received (history not counted; own echoes counted).</param>
/// <param name="ChatSent">Chat lines sent.</param>
public sealed record RoomCallReport(string Room, string Name, string? Id, SendReport? Send, IReadOnlyList<RoomParticipantReport> Participants, long FramesMixed, long GridFrames, int ChatReceived, int ChatSent)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// The --stats file: <c>{ room, name, id, send: (as parley send --stats), participants: [{ id, name, recording,
    /// audioSamplesMixed, audioUnderruns, videoFramesTiled, view: (as parley view --stats) }], mixer: { framesMixed },
    /// grid: { frames }, chat: { received, sent } }</c>.
    /// </summary>
    public string ToJson() => new JsonObject
    {
        ["room"] = Room,
        ["name"] = Name,
        ["id"] = Id,
        ["send"] = Send is null ? null : JsonSerializer.SerializeToNode(Send, JsonOptions),
        ["participants"] = new JsonArray(Participants.Select(p => (JsonNode)new JsonObject
        {
            ["id"] = p.Id,
            ["name"] = p.Name,
            ["recording"] = p.Recording,
            ["audioSamplesMixed"] = p.AudioSamplesMixed,
            ["audioUnderruns"] = p.AudioUnderruns,
            ["videoFramesTiled"] = p.VideoFramesTiled,
            ["view"] = p.View is null ? null : JsonNode.Parse(p.View.ToJson()),
        }).ToArray()),
        ["mixer"] = new JsonObject { ["framesMixed"] = FramesMixed },
        ["grid"] = new JsonObject { ["frames"] = GridFrames },
        ["chat"] = new JsonObject { ["received"] = ChatReceived, ["sent"] = ChatSent },
    }.ToJsonString(JsonOptions);
}
