namespace Parley.Hub.Rooms;

/// <summary>What a room client was granted when its socket was accepted.</summary>
/// <param name="MayChat">False answers its chat messages with the error not-allowed.</param>
/// <param name="FixedName">A join token's name: the client joins under it whatever name it sends; null lets it choose.</param>
public sealed record RoomAccess(bool MayChat, string? FixedName)
{
    /// <summary>
    /// Whether the client may publish (<see cref="Auth.AccessAction.Publish"/>) or read (<see cref="Auth.AccessAction.Read"/>)
    /// a stream path; room WebRTC checks its own path and each path it forwards. Everything by default.
    /// </summary>
    public Func<Auth.AccessAction, string, bool> Permits { get; init; } = static (_, _) => true;

    /// <summary>Everything allowed, the name free (trusted clients).</summary>
    public static RoomAccess Full { get; } = new(true, null);
}
