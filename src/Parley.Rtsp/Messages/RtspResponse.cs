using System.Buffers;
using System.Globalization;

namespace Parley.Rtsp;

/// <summary>
/// One RTSP response (RFC 2326 §7):
/// <code>
/// Response    = Status-Line                 ; Section 7.1
///               *( general-header | response-header | entity-header ) ; Section 7.1.2
///               CRLF
///               [ message-body ]             ; Section 4.3
/// Status-Line = RTSP-Version SP Status-Code SP Reason-Phrase CRLF
/// </code>
/// </summary>
public sealed class RtspResponse
{
    /// <summary>Creates a response with no headers and no body.</summary>
    /// <param name="statusCode">Three-digit status code, 100–999 (RFC 2326 §7.1.1).</param>
    /// <param name="reason">Reason phrase; null picks the standard one from <see cref="GetReasonPhrase"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The status code has not three digits.</exception>
    /// <exception cref="ArgumentException">The reason contains CR or LF.</exception>
    public RtspResponse(int statusCode, string? reason = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        if (reason is not null && reason.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The reason phrase must not contain CR or LF.", nameof(reason));
        }

        StatusCode = statusCode;
        Reason = reason ?? GetReasonPhrase(statusCode);
    }

    /// <summary>Three-digit status code, e.g. 200, 454 (RFC 2326 §7.1.1).</summary>
    public int StatusCode { get; }

    /// <summary>Reason phrase, e.g. "OK" or "Session Not Found"; may be empty when a peer sent none.</summary>
    public string Reason { get; }

    /// <summary>Protocol version from the status line, "RTSP/1.0".</summary>
    public string Version { get; init; } = RtspSyntax.Version10;

    /// <summary>Header fields, in order.</summary>
    public RtspHeaders Headers { get; } = new();

    /// <summary>Message body (e.g. SDP for DESCRIBE); empty when none.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>True for 2xx status codes.</summary>
    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    /// <summary>Sequence number from the CSeq header; null when absent or not an integer (RFC 2326 §12.17).</summary>
    public int? CSeq => RtspSyntax.TryParseCSeq(Headers["CSeq"], out var cseq) ? cseq : null;

    /// <summary>Session id from the Session header without ";timeout=" (RFC 2326 §12.37); null when absent.</summary>
    public string? Session => RtspSyntax.SessionId(Headers["Session"]);

    /// <summary>
    /// Creates a response with the standard reason phrase and, when <paramref name="cseq"/> is not null,
    /// the CSeq header echoing the request's (RFC 2326 §12.17).
    /// </summary>
    /// <param name="statusCode">Three-digit status code.</param>
    /// <param name="cseq">The request's CSeq, or null when the request had none (e.g. unparseable input).</param>
    public static RtspResponse Create(int statusCode, int? cseq)
    {
        var response = new RtspResponse(statusCode);
        if (cseq is { } value)
        {
            response.Headers.AddTrusted("CSeq", value.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    /// <summary>
    /// Writes the response in wire form: status line, headers (CRLF line endings), blank line, body.
    /// Content-Length is written with the body's real length; it is added when the body is non-empty.
    /// </summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        RtspSyntax.WriteAscii(writer, Version);
        RtspSyntax.WriteAscii(writer, " ");
        RtspSyntax.WriteAscii(writer, StatusCode.ToString(CultureInfo.InvariantCulture));
        RtspSyntax.WriteAscii(writer, " ");
        RtspSyntax.WriteAscii(writer, Reason);
        RtspSyntax.WriteAscii(writer, "\r\n");
        RtspSyntax.WriteHeadersAndBody(writer, Headers, Body);
    }

    /// <summary>Returns the wire form of the response as a new array.</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(256 + Body.Length);
        WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The status line without CRLF, for logs, e.g. "RTSP/1.0 200 OK".</summary>
    public override string ToString() => $"{Version} {StatusCode} {Reason}";

    /// <summary>
    /// Standard reason phrase for a status code (RFC 2326 §7.1.1 table, including the RTSP-specific 451–462
    /// and 551); "Unknown" for codes the table does not list. There is no 431 in RTSP 1.0: an oversized
    /// header section is answered with 400 Bad Request, an oversized body with 413 Request Entity Too Large.
    /// </summary>
    public static string GetReasonPhrase(int statusCode) => statusCode switch
    {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        250 => "Low on Storage Space",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Time-out",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Large",
        415 => "Unsupported Media Type",
        451 => "Parameter Not Understood",
        452 => "Conference Not Found",
        453 => "Not Enough Bandwidth",
        454 => "Session Not Found",
        455 => "Method Not Valid in This State",
        456 => "Header Field Not Valid for Resource",
        457 => "Invalid Range",
        458 => "Parameter Is Read-Only",
        459 => "Aggregate Operation Not Allowed",
        460 => "Only Aggregate Operation Allowed",
        461 => "Unsupported Transport",
        462 => "Destination Unreachable",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        505 => "RTSP Version Not Supported",
        551 => "Option not supported",
        _ => "Unknown",
    };
}
