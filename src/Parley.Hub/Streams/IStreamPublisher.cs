namespace Parley.Hub.Streams;

/// <summary>
/// The source of a stream as the path sees it: an RTSP session, the built-in demo, later WebRTC or WHIP.
/// </summary>
public interface IStreamPublisher
{
    /// <summary>Describes the publisher in log lines: protocol, address, transport.</summary>
    string Description { get; }

    /// <summary>
    /// Sends RTCP (receiver reports) back to the publisher on a track; called on the publisher's receive path.
    /// Must not block; a publisher that cannot take it now drops it.
    /// </summary>
    void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound);

    /// <summary>Asks the publisher to stop (taken over by another publisher, or the hub shuts down).</summary>
    void Kick(string reason);
}
