namespace Parley.Rtsp;

/// <summary>RTSP 1.0 method names (RFC 2326 §10). Methods are case-sensitive on the wire.</summary>
public static class RtspMethods
{
    /// <summary>OPTIONS (RFC 2326 §10.1): asks which methods the peer supports; also used as keep-alive.</summary>
    public const string Options = "OPTIONS";

    /// <summary>DESCRIBE (RFC 2326 §10.2): fetches the presentation description (SDP).</summary>
    public const string Describe = "DESCRIBE";

    /// <summary>ANNOUNCE (RFC 2326 §10.3): client posts an SDP before RECORD (publishing).</summary>
    public const string Announce = "ANNOUNCE";

    /// <summary>SETUP (RFC 2326 §10.4): negotiates the transport of one media stream.</summary>
    public const string Setup = "SETUP";

    /// <summary>PLAY (RFC 2326 §10.5): starts sending media to the client.</summary>
    public const string Play = "PLAY";

    /// <summary>RECORD (RFC 2326 §10.11): starts receiving media from the client.</summary>
    public const string Record = "RECORD";

    /// <summary>PAUSE (RFC 2326 §10.6): halts delivery temporarily.</summary>
    public const string Pause = "PAUSE";

    /// <summary>TEARDOWN (RFC 2326 §10.7): ends the session.</summary>
    public const string Teardown = "TEARDOWN";

    /// <summary>GET_PARAMETER (RFC 2326 §10.8): reads a parameter; with no body it is the usual keep-alive.</summary>
    public const string GetParameter = "GET_PARAMETER";

    /// <summary>SET_PARAMETER (RFC 2326 §10.9): sets a parameter.</summary>
    public const string SetParameter = "SET_PARAMETER";

    /// <summary>REDIRECT (RFC 2326 §10.10): server tells the client to connect elsewhere.</summary>
    public const string Redirect = "REDIRECT";
}
