namespace Parley.Endpoint.Rooms;

/// <summary>What a line typed into a room call means.</summary>
public enum ChatInputKind
{
    /// <summary>A chat message (<see cref="ChatInputLine.Text"/>).</summary>
    Chat,

    /// <summary><c>/mute [audio|video]</c>: stop sending the microphone, the camera, or both.</summary>
    Mute,

    /// <summary><c>/unmute [audio|video]</c>.</summary>
    Unmute,

    /// <summary><c>/leave</c> (or <c>/quit</c>): end the call, as Ctrl-C does.</summary>
    Leave,

    /// <summary><c>/help</c>, or a command this does not know.</summary>
    Help,

    /// <summary>An empty or blank line: nothing to do.</summary>
    Nothing,
}

/// <summary>
/// One line typed on a room call's standard input: chat, or a command that starts with <c>/</c>
/// (<c>/mute</c>, <c>/unmute</c>, <c>/leave</c>, <c>/help</c>). A chat line that starts with a slash is typed with two: <c>//etc</c>
/// sends <c>/etc</c>.
/// </summary>
/// <param name="Kind">What the line asks for.</param>
/// <param name="Text">The chat text (for <see cref="ChatInputKind.Chat"/>), else empty.</param>
/// <param name="Audio">For mute and unmute: whether the microphone is meant.</param>
/// <param name="Video">For mute and unmute: whether the camera is meant.</param>
public readonly record struct ChatInputLine(ChatInputKind Kind, string Text, bool Audio, bool Video)
{
    /// <summary>The commands, for a help line.</summary>
    public const string Usage = "type a line to chat; /mute [audio|video], /unmute [audio|video], /leave; //text sends '/text'";

    /// <summary>Reads one typed line; never throws.</summary>
    public static ChatInputLine Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return new ChatInputLine(ChatInputKind.Nothing, "", false, false);
        }

        if (!line.StartsWith('/'))
        {
            return new ChatInputLine(ChatInputKind.Chat, line, false, false);
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return new ChatInputLine(ChatInputKind.Chat, line[1..], false, false);
        }

        string[] words = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var kind = words.Length == 0 ? ChatInputKind.Help : words[0].ToUpperInvariant() switch
        {
            "MUTE" => ChatInputKind.Mute,
            "UNMUTE" => ChatInputKind.Unmute,
            "LEAVE" or "QUIT" => ChatInputKind.Leave,
            _ => ChatInputKind.Help,
        };
        if (kind is ChatInputKind.Help or ChatInputKind.Leave)
        {
            return new ChatInputLine(kind, "", false, false);
        }

        if (kind == ChatInputKind.Help)
        {
            return new ChatInputLine(ChatInputKind.Help, "", false, false);
        }

        string target = words.Length > 1 ? words[1].ToUpperInvariant() : "";
        return target switch
        {
            "" or "ALL" => new ChatInputLine(kind, "", true, true),
            "AUDIO" or "MIC" => new ChatInputLine(kind, "", true, false),
            "VIDEO" or "CAMERA" => new ChatInputLine(kind, "", false, true),
            _ => new ChatInputLine(ChatInputKind.Help, "", false, false),
        };
    }
}
