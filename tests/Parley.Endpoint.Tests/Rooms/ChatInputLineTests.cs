using Parley.Endpoint.Rooms;

namespace Parley.Endpoint.Tests.Rooms;

/// <summary>Lines typed into `parley call` in a room: chat, or /mute and /unmute.</summary>
public sealed class ChatInputLineTests
{
    [Theory]
    [InlineData("hello", ChatInputKind.Chat, "hello", false, false)]
    [InlineData("//etc/hosts", ChatInputKind.Chat, "/etc/hosts", false, false)]
    [InlineData("/mute", ChatInputKind.Mute, "", true, true)]
    [InlineData("/mute audio", ChatInputKind.Mute, "", true, false)]
    [InlineData("/MUTE  video ", ChatInputKind.Mute, "", false, true)]
    [InlineData("/unmute mic", ChatInputKind.Unmute, "", true, false)]
    [InlineData("/unmute all", ChatInputKind.Unmute, "", true, true)]
    [InlineData("/mute everything", ChatInputKind.Help, "", false, false)]
    [InlineData("/dance", ChatInputKind.Help, "", false, false)]
    [InlineData("/leave", ChatInputKind.Leave, "", false, false)]
    [InlineData("/quit now", ChatInputKind.Leave, "", false, false)]
    [InlineData("/", ChatInputKind.Help, "", false, false)]
    [InlineData("   ", ChatInputKind.Nothing, "", false, false)]
    [InlineData(null, ChatInputKind.Nothing, "", false, false)]
    public void Lines_are_chat_or_commands(string? line, ChatInputKind kind, string text, bool audio, bool video)
    {
        Assert.Equal(new ChatInputLine(kind, text, audio, video), ChatInputLine.Parse(line));
    }
}
