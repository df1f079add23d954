namespace Parley.Rtsp.Client;

/// <summary>
/// An RTSP exchange failed: the server answered with a non-2xx status, sent something unusable (invalid SDP or
/// Transport, malformed message), did not answer in time, or the connection failed.
/// </summary>
public sealed class RtspClientException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public RtspClientException()
        : this("The RTSP request failed.")
    {
    }

    /// <summary>Creates an exception without a status code.</summary>
    public RtspClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception wrapping a transport failure.</summary>
    public RtspClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a response.</summary>
    /// <param name="message">What failed, what was expected and what to do.</param>
    /// <param name="statusCode">The server's status code (RFC 2326 §7.1.1), or 0 when there was no response.</param>
    /// <param name="response">The response, when there was one.</param>
    public RtspClientException(string message, int statusCode, RtspResponse? response)
        : base(message)
    {
        StatusCode = statusCode;
        Response = response;
    }

    /// <summary>The server's status code, e.g. 404 or 461; 0 when the failure was not a response (timeout, connection).</summary>
    public int StatusCode { get; }

    /// <summary>The response that caused the failure, when there was one.</summary>
    public RtspResponse? Response { get; }
}
