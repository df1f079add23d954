using System.Text.Json;

namespace Parley.Hub.Rooms;

/// <summary>The kinds of message a client sends (docs/rooms-protocol.md, "Client to hub").</summary>
public enum ClientMessageType
{
    /// <summary><c>join</c> with <c>name</c>.</summary>
    Join,

    /// <summary><c>chat</c> with <c>text</c> and optional <c>ref</c>.</summary>
    Chat,

    /// <summary><c>mute</c> with optional <c>audio</c> and <c>video</c>.</summary>
    Mute,

    /// <summary><c>ping</c>: keep-alive.</summary>
    Ping,

    /// <summary><c>leave</c>.</summary>
    Leave,

    /// <summary><c>webrtc-offer</c> with <c>sdp</c> and optional <c>mids</c> (mid to participant id).</summary>
    WebRtcOffer,
}

/// <summary>One parsed client message. Fields a type does not carry are null.</summary>
/// <param name="Type">What the client asks.</param>
/// <param name="Name">The display name of a join, as sent (not yet checked).</param>
/// <param name="Text">The text of a chat, as sent (not yet checked).</param>
/// <param name="Ref">The client's reference, echoed in the answer; any type may carry one.</param>
/// <param name="Audio">A mute's new audio state, null to keep it.</param>
/// <param name="Video">A mute's new video state, null to keep it.</param>
public sealed record ClientMessage(ClientMessageType Type, string? Name, string? Text, string? Ref, bool? Audio, bool? Video)
{
    /// <summary>The SDP offer of a <c>webrtc-offer</c>, as sent.</summary>
    public string? Sdp { get; init; }

    /// <summary>A <c>webrtc-offer</c>'s map of recvonly mids to the participant ids they should carry; empty when absent.</summary>
    public IReadOnlyDictionary<string, string>? Mids { get; init; }

    /// <summary>
    /// Parses one text frame. Never throws: on anything that is not one of the protocol's messages with its
    /// fields of the right kind it returns false with a sentence for the <c>bad-message</c> error in
    /// <paramref name="problem"/>, and the <c>ref</c> if one could be read.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out ClientMessage? message, out string? problem, out string? reference)
    {
        message = null;
        reference = null;
        JsonDocument document;
        try
        {
            // The reader is the only way to validate JSON, and it reports bad input by throwing; nothing else here does.
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
            if (!JsonDocument.TryParseValue(ref reader, out var parsed))
            {
                problem = "the message is empty; send one JSON object with a \"type\" field";
                return false;
            }

            document = parsed;
            if (reader.Read())
            {
                document.Dispose();
                problem = "the message holds more than one JSON value; send one object per text frame";
                return false;
            }
        }
        catch (JsonException ex)
        {
            problem = $"the message is not JSON ({ex.Message}); send one JSON object with a \"type\" field";
            return false;
        }

        using (document)
        {
            return TryRead(document.RootElement, out message, out problem, out reference);
        }
    }

    private static bool TryRead(JsonElement root, out ClientMessage? message, out string? problem, out string? reference)
    {
        message = null;
        reference = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "the message is not a JSON object; send {\"type\": ...}";
            return false;
        }

        if (root.TryGetProperty("ref", out var refElement))
        {
            if (refElement.ValueKind != JsonValueKind.String)
            {
                problem = "\"ref\" must be a string";
                return false;
            }

            reference = refElement.GetString();
        }

        if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            problem = "the message has no string \"type\"; expected join, chat, mute, ping, leave or webrtc-offer";
            return false;
        }

        string? type = typeElement.GetString();
        problem = null;
        switch (type)
        {
            case "join":
                if (!TryString(root, "name", out string? name, ref problem))
                {
                    return false;
                }

                message = new ClientMessage(ClientMessageType.Join, name, null, reference, null, null);
                return true;
            case "chat":
                if (!TryString(root, "text", out string? text, ref problem))
                {
                    return false;
                }

                message = new ClientMessage(ClientMessageType.Chat, null, text, reference, null, null);
                return true;
            case "mute":
                if (!TryOptionalBool(root, "audio", out bool? audio, ref problem) || !TryOptionalBool(root, "video", out bool? video, ref problem))
                {
                    return false;
                }

                message = new ClientMessage(ClientMessageType.Mute, null, null, reference, audio, video);
                return true;
            case "ping":
                message = new ClientMessage(ClientMessageType.Ping, null, null, reference, null, null);
                return true;
            case "leave":
                message = new ClientMessage(ClientMessageType.Leave, null, null, reference, null, null);
                return true;
            case "webrtc-offer":
                if (!TryString(root, "sdp", out string? sdp, ref problem) || !TryMids(root, out var mids, ref problem))
                {
                    return false;
                }

                message = new ClientMessage(ClientMessageType.WebRtcOffer, null, null, reference, null, null) { Sdp = sdp, Mids = mids };
                return true;
            default:
                problem = $"unknown message type '{type}'; expected join, chat, mute, ping, leave or webrtc-offer";
                return false;
        }
    }

    private static bool TryString(JsonElement root, string field, out string? value, ref string? problem)
    {
        value = null;
        if (!root.TryGetProperty(field, out var element) || element.ValueKind != JsonValueKind.String)
        {
            problem = $"\"{field}\" is missing or not a string";
            return false;
        }

        value = element.GetString();
        return true;
    }

    private static bool TryOptionalBool(JsonElement root, string field, out bool? value, ref string? problem)
    {
        value = null;
        if (!root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            problem = $"\"{field}\" must be true or false";
            return false;
        }

        value = element.GetBoolean();
        return true;
    }

    private static bool TryMids(JsonElement root, out IReadOnlyDictionary<string, string> mids, ref string? problem)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        mids = map;
        if (!root.TryGetProperty("mids", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            problem = "\"mids\" must be an object of mid to participant id";
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                problem = $"\"mids\".\"{property.Name}\" must be a participant id string";
                return false;
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return true;
    }
}
