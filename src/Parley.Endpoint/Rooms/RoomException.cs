namespace Parley.Endpoint.Rooms;

/// <summary>
/// Joining a room failed: the hub is unreachable or has no rooms, the room name was refused, or the hub answered
/// <c>join</c> with an error (bad-name, room-full, too-many-rooms). The message is one line for people; the
/// hub's own sentence is in it when it gave one.
/// </summary>
public sealed class RoomException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public RoomException()
        : base("joining the room failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public RoomException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public RoomException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an <c>error</c> the hub sent.</summary>
    /// <param name="code">The protocol's error code.</param>
    /// <param name="message">The one-line message.</param>
    public RoomException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The hub's error code (docs/rooms-protocol.md, Error codes); null when the failure was not the hub's answer.</summary>
    public string? Code { get; }
}
