namespace Parley.Rtsp;

/// <summary>
/// Size limits applied by <see cref="RtspMessageReader"/> to untrusted input.
/// </summary>
/// <param name="MaxHeaderBytes">Largest start line plus header section, in bytes, including line endings and the
/// blank line. Exceeding it yields <see cref="RtspParseResult.Invalid"/> with status 400 — even before the
/// section is complete, so a peer cannot make us buffer without bound.</param>
/// <param name="MaxBodyBytes">Largest Content-Length accepted, in bytes; larger yields status 413.</param>
/// <param name="MaxHeaderCount">Largest number of header lines; more yields status 400.</param>
public sealed record RtspParseLimits(int MaxHeaderBytes = 65536, int MaxBodyBytes = 1048576, int MaxHeaderCount = 100)
{
    /// <summary>The defaults: 64 KiB of headers, 1 MiB of body, 100 header lines.</summary>
    public static RtspParseLimits Default { get; } = new();
}

/// <summary>What <see cref="RtspMessageReader.TryRead"/> found at the start of the buffer.</summary>
public enum RtspParseResult
{
    /// <summary>Not enough bytes yet for a whole item; the buffer was not advanced. Read more and call again.</summary>
    Incomplete,

    /// <summary>A complete RTSP request was read.</summary>
    Request,

    /// <summary>A complete RTSP response was read.</summary>
    Response,

    /// <summary>A complete interleaved binary frame ('$', channel, length, payload; RFC 2326 §10.12) was read.</summary>
    InterleavedFrame,

    /// <summary>
    /// The input is not valid RTSP. The error says which status to answer with; the stream cannot be
    /// resynchronised, so the caller sends that status (for requests) and closes the connection.
    /// </summary>
    Invalid,
}

/// <summary>Why input was rejected, as an RTSP status to answer with (RFC 2326 §7.1.1).</summary>
/// <param name="StatusCode">400 (malformed, or header section too large: RFC 2326 has no 431), 413 (body too large)
/// or 505 (RTSP version other than 1.0).</param>
/// <param name="Reason">Human-readable explanation for logs, e.g. "Content-Length 'abc' is not a number".</param>
public readonly record struct RtspParseError(int StatusCode, string Reason);
