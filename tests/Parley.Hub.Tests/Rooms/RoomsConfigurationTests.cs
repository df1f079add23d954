using Parley.Hub.Configuration;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Hub.Tests.Rooms;

public sealed class RoomsConfigurationTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void The_rooms_section_has_the_documented_defaults_and_the_database_in_the_working_directory_without_a_config_file()
    {
        var rooms = HubConfigurationLoader.Load(null, NoEnvironment, []).Rooms;
        Assert.Equal(100, rooms.MaxRooms);
        Assert.Equal(16, rooms.MaxParticipants);
        Assert.Equal(4096, rooms.MaxChatBytes);
        Assert.Equal(5, rooms.ChatMessagesPerSecond);
        Assert.Equal(10, rooms.ChatBurst);
        Assert.Equal(100, rooms.HistoryMessages);
        Assert.Equal(10, rooms.IdleTimeoutSeconds);
        // Relative: opened in the working directory (when parley.yml is not there, as here).
        Assert.Equal("parley.db", rooms.Database);
    }

    [Fact]
    public void Yaml_then_environment_then_flags_set_rooms_and_the_database_defaults_to_beside_the_config_file()
    {
        using var folder = new TempDirectory();
        string file = folder.File("hub.yml");
        File.WriteAllText(file, "rooms:\n  maxRooms: 3\n  maxParticipants: 4\n  historyMessages: 20\n");
        var env = new Dictionary<string, string> { ["PARLEY_ROOMS_MAX_PARTICIPANTS"] = "5", ["PARLEY_ROOMS_CHAT_MESSAGES_PER_SECOND"] = "2" };
        var options = HubConfigurationLoader.Load(file, env, [new("rooms.chatMessagesPerSecond", "7"), new("rooms.idleTimeoutSeconds", "30")]);
        Assert.Equal(3, options.Rooms.MaxRooms);                 // yaml
        Assert.Equal(5, options.Rooms.MaxParticipants);          // environment over yaml
        Assert.Equal(7, options.Rooms.ChatMessagesPerSecond);    // flag over environment
        Assert.Equal(20, options.Rooms.HistoryMessages);
        Assert.Equal(30, options.Rooms.IdleTimeoutSeconds);
        Assert.Equal(4096, options.Rooms.MaxChatBytes);          // default
        Assert.Equal(Path.Combine(folder.Path, "parley.db"), options.Rooms.Database);

        File.WriteAllText(file, "rooms:\n  database: /var/lib/parley/chat.db\n  maxChatBytes: 1024\n");
        options = HubConfigurationLoader.Load(file, NoEnvironment, []);
        Assert.Equal("/var/lib/parley/chat.db", options.Rooms.Database);
        Assert.Equal(1024, options.Rooms.MaxChatBytes);
        options = HubConfigurationLoader.Load(file, new Dictionary<string, string> { ["PARLEY_ROOMS_DATABASE"] = "/tmp/x.db" }, []);
        Assert.Equal("/tmp/x.db", options.Rooms.Database);
    }

    [Theory]
    [InlineData("rooms.maxRooms", "0", "from 1 to")]
    [InlineData("rooms.maxChatBytes", "lots", "a whole number")]
    [InlineData("rooms.idleTimeoutSeconds", "0", "from 1 to 3600")]
    [InlineData("rooms.database", "", "a file path")]
    public void Bad_rooms_values_say_what_was_expected(string key, string value, string expected)
    {
        var ex = Assert.Throws<HubConfigurationException>(() => HubConfigurationLoader.Load(null, NoEnvironment, [new(key, value)]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
