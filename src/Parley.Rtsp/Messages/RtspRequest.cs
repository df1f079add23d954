using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Parley.Rtsp;

/// <summary>
/// One RTSP request (RFC 2326 §6):
/// <code>
/// Request      = Request-Line               ; Section 6.1
///                *( general-header | request-header | entity-header ) ; Section 6.2
///                CRLF
///                [ message-body ]            ; Section 4.3
/// Request-Line = Method SP Request-URI SP RTSP-Version CRLF
/// </code>
/// Produced by <see cref="RtspMessageReader"/> on the server side and built and written with
/// <see cref="WriteTo"/> by clients.
/// </summary>
public sealed class RtspRequest
{
    /// <summary>Creates a request with no headers and no body.</summary>
    /// <param name="method">Method token, e.g. <see cref="RtspMethods.Describe"/>. Case-sensitive.</param>
    /// <param name="uri">Request-URI as it goes on the wire: an absolute rtsp:// URL or "*".</param>
    /// <param name="version">Protocol version; "RTSP/1.0".</param>
    /// <exception cref="ArgumentException">The method is not a token, or the URI is empty or contains whitespace or control characters.</exception>
    [SuppressMessage("Design", "CA1054:URI-like parameters should not be strings",
        Justification = "The Request-URI is kept exactly as sent (it may be \"*\"); System.Uri would normalise it.")]
    public RtspRequest(string method, string uri, string version = RtspSyntax.Version10)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(uri);
        ArgumentException.ThrowIfNullOrEmpty(version);
        if (!RtspSyntax.IsToken(method))
        {
            throw new ArgumentException($"RTSP method '{method}' is not a token (RFC 2326 §6.1).", nameof(method));
        }

        foreach (var c in uri)
        {
            if (c <= ' ' || c == '\x7f')
            {
                throw new ArgumentException($"Request-URI '{uri}' contains whitespace or a control character; percent-encode it (RFC 2396).", nameof(uri));
            }
        }

        if (!RtspSyntax.IsToken(version.Replace("/", string.Empty, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"RTSP version '{version}' is not of the form RTSP/1.0.", nameof(version));
        }

        Method = method;
        Uri = uri;
        Version = version;
    }

    /// <summary>Method token, e.g. "SETUP" (RFC 2326 §10).</summary>
    public string Method { get; }

    /// <summary>The Request-URI exactly as sent, e.g. "rtsp://127.0.0.1:8554/cam/trackID=0" or "*".</summary>
    [SuppressMessage("Design", "CA1056:URI-like properties should not be strings",
        Justification = "Kept exactly as sent; \"*\" is not a URI. Use RtspUri.TryParse to split it.")]
    public string Uri { get; }

    /// <summary>Protocol version from the request line, "RTSP/1.0".</summary>
    public string Version { get; }

    /// <summary>Header fields, in order.</summary>
    public RtspHeaders Headers { get; } = new();

    /// <summary>
    /// Message body (e.g. SDP for ANNOUNCE, parameter names for GET_PARAMETER); empty when none.
    /// Its length, not the Content-Length header, decides the framing when written.
    /// </summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>
    /// Sequence number from the CSeq header (RFC 2326 §12.17); null when the header is absent or not a
    /// non-negative decimal integer that fits in an <see cref="int"/>. Setting writes the header.
    /// </summary>
    public int? CSeq
    {
        get => RtspSyntax.TryParseCSeq(Headers["CSeq"], out var cseq) ? cseq : null;
        set => Headers["CSeq"] = value?.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Session identifier from the Session header (RFC 2326 §12.37) without parameters such as ";timeout=60";
    /// null when absent or empty.
    /// </summary>
    public string? Session => RtspSyntax.SessionId(Headers["Session"]);

    /// <summary>
    /// Writes the request in wire form: request line, headers (CRLF line endings), blank line, body.
    /// A Content-Length header is written with the body's real length; one is added when the body is non-empty.
    /// </summary>
    /// <param name="writer">Destination, e.g. a <see cref="System.IO.Pipelines.PipeWriter"/> or <see cref="ArrayBufferWriter{T}"/>.</param>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        RtspSyntax.WriteAscii(writer, Method);
        RtspSyntax.WriteAscii(writer, " ");
        RtspSyntax.WriteAscii(writer, Uri);
        RtspSyntax.WriteAscii(writer, " ");
        RtspSyntax.WriteAscii(writer, Version);
        RtspSyntax.WriteAscii(writer, "\r\n");
        RtspSyntax.WriteHeadersAndBody(writer, Headers, Body);
    }

    /// <summary>Returns the wire form of the request as a new array.</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(256 + Body.Length);
        WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The request line without CRLF, for logs, e.g. "DESCRIBE rtsp://host/cam RTSP/1.0".</summary>
    public override string ToString() => $"{Method} {Uri} {Version}";
}
