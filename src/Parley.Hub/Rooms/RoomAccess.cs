namespace Parley.Hub.Rooms;

/// <summary>What a room client was granted when its socket was accepted.</summary>
/// <param name="MayChat">False answers its chat messages with the error not-allowed.</param>
/// <param name="FixedName">A join token's name: the client joins under it whatever name it sends; null lets it choose.</param>
public sealed record RoomAccess(bool MayChat, string? FixedName)
{
    /// <summary>Everything allowed, the name free (trusted clients).</summary>
    public static RoomAccess Full { get; } = new(true, null);
}
