using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Endpoint.Send;
using Parley.Endpoint.View;

namespace Parley.Endpoint.Call;

/// <summary>What a call did in both directions.</summary>
/// <param name="Name">This side's path name.</param>
/// <param name="Peer">The peer's path name, null when only sending.</param>
/// <param name="Send">What this side sent; null when the call ended before publishing started.</param>
/// <param name="View">What arrived from the peer; null when the peer never appeared.</param>
public sealed record CallReport(string Name, string? Peer, SendReport? Send, ViewReport? View)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The --stats file: <c>{ name, peer, send: (as parley send --stats), view: (as parley view --stats) }</c>.</summary>
    public string ToJson() => new JsonObject
    {
        ["name"] = Name,
        ["peer"] = Peer,
        ["send"] = Send is null ? null : JsonSerializer.SerializeToNode(Send, JsonOptions),
        ["view"] = View is null ? null : JsonNode.Parse(View.ToJson()),
    }.ToJsonString(JsonOptions);
}
