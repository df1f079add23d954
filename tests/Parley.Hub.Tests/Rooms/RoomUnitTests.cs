using Parley.Hub.Rooms;

namespace Parley.Hub.Tests.Rooms;

public sealed class RoomUnitTests
{
    [Theory]
    [InlineData("Alice", "alice")]
    [InlineData("  Bob Smith ", "bob-smith")]
    [InlineData("O'Neil--Jr.", "o-neil-jr")]
    [InlineData("snake_case 42", "snake_case-42")]
    [InlineData("Ærø", "r")]
    [InlineData("日本", "participant")]
    public void Participant_ids_are_path_safe_lower_case_forms_of_the_display_name(string name, string id) =>
        Assert.Equal(id, RoomNames.ParticipantId(name));

    [Theory]
    [InlineData("standup", true)]
    [InlineData("Team-1_a.b", true)]
    [InlineData(".hidden", false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    public void Room_names_are_one_safe_path_segment(string room, bool valid) => Assert.Equal(valid, RoomNames.IsValidRoom(room));

    [Fact]
    public void A_connection_whose_queue_overflows_is_aborted_instead_of_losing_messages_silently()
    {
        using var connection = new RoomConnection("test");
        byte[] message = [1];
        for (int i = 0; i < RoomConnection.QueueMessages; i++)
        {
            Assert.True(connection.Send(message));
        }

        Assert.False(connection.Aborted.IsCancellationRequested);
        Assert.False(connection.Send(message));
        Assert.True(connection.Aborted.IsCancellationRequested);
        Assert.Contains("not reading", connection.AbortReason, StringComparison.Ordinal);
        Assert.False(connection.Send(message));
    }

    [Fact]
    public void A_completed_connection_refuses_messages_without_being_aborted()
    {
        using var connection = new RoomConnection("test");
        Assert.True(connection.Send(new byte[] { 1 }));
        connection.Complete();
        Assert.False(connection.Send(new byte[] { 2 }));
        Assert.False(connection.Aborted.IsCancellationRequested);
        Assert.True(connection.Outbound.TryRead(out var first));
        Assert.Equal(1, first.Span[0]);
        Assert.True(connection.Outbound.Completion.IsCompleted);
    }
}
