namespace Parley.Hub.Auth;

/// <summary>What a client wants to do; each is granted per path (publish, read) or per room (join, chat).</summary>
public enum AccessAction
{
    /// <summary>Publish a stream on a path (RTSP ANNOUNCE/RECORD).</summary>
    Publish,

    /// <summary>Read a stream on a path: RTSP DESCRIBE/PLAY, the WebSocket and MJPEG players, the stream API.</summary>
    Read,

    /// <summary>Join a room over /r/&lt;room&gt;/ws.</summary>
    Join,

    /// <summary>Write chat in a room.</summary>
    Chat,

    /// <summary>Everything everywhere.</summary>
    Admin,
}
