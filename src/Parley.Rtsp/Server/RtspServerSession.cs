using System.Net;
using Parley.Rtp.Sdp;

namespace Parley.Rtsp.Server;

/// <summary>RFC 2326 Appendix A server states.</summary>
public enum RtspSessionState
{
    /// <summary>Created (by ANNOUNCE or a first SETUP) with no media set up yet.</summary>
    Init,

    /// <summary>Media set up; PLAY or RECORD may follow.</summary>
    Ready,

    /// <summary>Sending media to the client.</summary>
    Playing,

    /// <summary>Receiving media from the client.</summary>
    Recording,

    /// <summary>Torn down or timed out.</summary>
    Closed,
}

/// <summary>Whether a session reads a stream (DESCRIBE/SETUP/PLAY) or publishes one (ANNOUNCE/SETUP/RECORD).</summary>
public enum RtspSessionMode
{
    /// <summary>The client plays a stream.</summary>
    Play,

    /// <summary>The client records (publishes) a stream.</summary>
    Record,
}

/// <summary>
/// One RTSP session (RFC 2326 §3.4): its path, mode, state, the media it set up and the transport that carries them.
/// The application attaches its own object through <see cref="Tag"/>.
/// </summary>
public sealed class RtspServerSession
{
    private readonly RtspServer _server;
    private long _lastActivity;

    internal RtspServerSession(RtspServer server, string id, RtspSessionMode mode, string path, SdpSession description,
        string baseUri, RtspServerConnection connection)
    {
        _server = server;
        Id = id;
        Mode = mode;
        Path = path;
        Description = description;
        BaseUri = baseUri;
        Connection = connection;
        RemoteEndPoint = connection.RemoteEndPoint;
        MediaSetUp = new bool[description.Media.Count];
        Touch();
    }

    /// <summary>Session identifier (RFC 2326 §12.37), random, 16 hex digits.</summary>
    public string Id { get; }

    /// <summary>Play or record.</summary>
    public RtspSessionMode Mode { get; }

    /// <summary>Stream path, without leading or trailing slash.</summary>
    public string Path { get; }

    /// <summary>
    /// For a publisher, the SDP it announced; for a reader, the stream's SDP as described to it. Media indices of
    /// every call refer to this description's media sections.
    /// </summary>
    public SdpSession Description { get; }

    /// <summary>The URL media control attributes are resolved against (RFC 2326 §C.1.1).</summary>
    internal string BaseUri { get; }

    /// <summary>The client's address (of its RTSP connection).</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Current state.</summary>
    public RtspSessionState State { get; internal set; } = RtspSessionState.Init;

    /// <summary>Which media sections the client set up.</summary>
    public IReadOnlyList<bool> MediaSetUp { get; }

    /// <summary>The transport of the media set up so far; null before the first SETUP.</summary>
    public RtspMediaTransport? Transport { get; internal set; }

    /// <summary>"TCP" or "UDP" once set up, for logs.</summary>
    public string TransportName => Transport?.Name ?? "none";

    /// <summary>True when the session's RTSP connection is RTSPS (TLS).</summary>
    public bool IsSecure => Connection.IsSecure;

    /// <summary>
    /// The shared-key SRTP group of a reader that plays over UDP with RTP/SAVP on RTSPS; null for every other
    /// session (plain RTSP, or TCP-interleaved media, which TLS already protects).
    /// </summary>
    public SrtpSendGroup? Srtp { get; internal set; }

    /// <summary>The SRTP group the stream offered when this session was described or set up (RTSPS only).</summary>
    internal SrtpSendGroup? OfferedSrtp { get; set; }

    /// <summary>The application's object for this session (the hub's publisher or reader).</summary>
    public object? Tag { get; set; }

    internal RtspServerConnection Connection { get; }

    internal bool[] MediaSetUpMutable => (bool[])MediaSetUp;

    internal long LastActivity => Interlocked.Read(ref _lastActivity);

    /// <summary>Marks the session alive (a request, RTP or RTCP from its client).</summary>
    internal void Touch() => Interlocked.Exchange(ref _lastActivity, _server.Time.GetTimestamp());

    /// <summary>
    /// Ends the session from the application side (the publisher left, the reader finished): frees its transport,
    /// closes a TCP connection that carried its media, and reports <see cref="IRtspServerHandler.SessionClosedAsync"/>.
    /// </summary>
    public ValueTask CloseAsync(string reason) => _server.CloseSessionAsync(this, reason, closeConnection: true);
}
