using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Parley.Rtsp;

/// <summary>
/// Incremental reader for the RTSP 1.0 byte stream of one connection (RFC 2326 §4, §6, §7, §10.12): requests,
/// responses and interleaved binary frames, one item per call.
/// </summary>
/// <remarks>
/// Wire input never throws: malformed input yields <see cref="RtspParseResult.Invalid"/> with the status to
/// answer. Interleaved frames (the hot path when media runs over TCP) are returned as a slice of the input
/// without copying or allocating. Requests and responses are copied out of the buffer, so the caller may
/// release the buffer after the call.
/// </remarks>
public static class RtspMessageReader
{
    /// <summary>
    /// Reads one item from the start of <paramref name="buffer"/> and, unless the result is
    /// <see cref="RtspParseResult.Incomplete"/> or <see cref="RtspParseResult.Invalid"/>, advances
    /// <paramref name="buffer"/> past it. Stray CR and LF bytes before an item are skipped.
    /// <para>An interleaved frame (RFC 2326 §10.12):</para>
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  '$' (0x24)   |    channel    |     length (big-endian)       |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                 payload: length bytes (RTP or RTCP)           |
    /// </code>
    /// <para>A message (RFC 2326 §4, §6, §7): a start line, header lines "Name: value", an empty line, then
    /// Content-Length bytes of body (no Content-Length means no body). CRLF and bare LF line endings are
    /// accepted; obsolete header folding (a line starting with SP or HT) continues the previous value.</para>
    /// </summary>
    /// <param name="buffer">Bytes received and not yet consumed; advanced past the item read.</param>
    /// <param name="limits">Size limits; see <see cref="RtspParseLimits"/>.</param>
    /// <param name="request">The request, when the result is <see cref="RtspParseResult.Request"/>.</param>
    /// <param name="response">The response, when the result is <see cref="RtspParseResult.Response"/>.</param>
    /// <param name="channel">Interleaved channel, when the result is <see cref="RtspParseResult.InterleavedFrame"/>.</param>
    /// <param name="framePayload">The frame's payload, a slice of the input (valid while the input is), when the
    /// result is <see cref="RtspParseResult.InterleavedFrame"/>.</param>
    /// <param name="error">When the result is <see cref="RtspParseResult.Invalid"/>: 400 for a malformed start line,
    /// header line, Content-Length, too many headers or a header section over <see cref="RtspParseLimits.MaxHeaderBytes"/>
    /// (reported as soon as the buffered bytes exceed it, even before the blank line; RTSP 1.0 has no 431);
    /// 413 for a Content-Length over <see cref="RtspParseLimits.MaxBodyBytes"/>; 505 for an RTSP version other than 1.0.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is null.</exception>
    public static RtspParseResult TryRead(
        ref ReadOnlySequence<byte> buffer,
        RtspParseLimits limits,
        out RtspRequest? request,
        out RtspResponse? response,
        out byte channel,
        out ReadOnlySequence<byte> framePayload,
        out RtspParseError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        request = null;
        response = null;
        channel = 0;
        framePayload = default;
        error = default;

        // Fast path: a frame header entirely in the first segment (the usual case for media over TCP).
        var first = buffer.FirstSpan;
        if (first.Length >= 4 && first[0] == (byte)'$')
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(first[2..]);
            if (buffer.Length < 4 + length)
            {
                return RtspParseResult.Incomplete;
            }

            channel = first[1];
            framePayload = buffer.Slice(4, length);
            buffer = buffer.Slice(framePayload.End);
            return RtspParseResult.InterleavedFrame;
        }

        var reader = new SequenceReader<byte>(buffer);
        var skipped = reader.AdvancePastAny((byte)'\r', (byte)'\n');
        if (skipped > limits.MaxHeaderBytes)
        {
            error = new(400, $"more than {limits.MaxHeaderBytes} bytes of empty lines between messages");
            return RtspParseResult.Invalid;
        }

        if (!reader.TryPeek(out var lead))
        {
            return RtspParseResult.Incomplete;
        }

        if (lead == (byte)'$')
        {
            Span<byte> header = stackalloc byte[4];
            if (!reader.TryCopyTo(header))
            {
                return RtspParseResult.Incomplete;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
            if (reader.Remaining < 4 + length)
            {
                return RtspParseResult.Incomplete;
            }

            channel = header[1];
            framePayload = buffer.Slice(reader.Position).Slice(4, length);
            buffer = buffer.Slice(framePayload.End);
            return RtspParseResult.InterleavedFrame;
        }

        var message = buffer.Slice(reader.Position);
        var scan = FindHeaderEnd(message, limits, out var headerLength, out error);
        if (scan != RtspParseResult.Request)
        {
            return scan;
        }

        var text = Encoding.UTF8.GetString(message.Slice(0, headerLength));
        if (!TryParseHead(text, limits, out var startLine, out var headers, out error))
        {
            return RtspParseResult.Invalid;
        }

        if (!TryGetContentLength(headers, limits, out var contentLength, out error))
        {
            return RtspParseResult.Invalid;
        }

        if (message.Length - headerLength < contentLength)
        {
            return RtspParseResult.Incomplete;
        }

        var body = contentLength == 0 ? ReadOnlyMemory<byte>.Empty : message.Slice(headerLength, contentLength).ToArray();
        var end = message.GetPosition(headerLength + contentLength);

        if (startLine.StartsWith("RTSP/", StringComparison.Ordinal))
        {
            if (!TryParseStatusLine(startLine, out var version, out var status, out var reason, out error))
            {
                return RtspParseResult.Invalid;
            }

            response = new RtspResponse(status, reason) { Version = version, Body = body };
            CopyHeaders(headers, response.Headers);
            buffer = buffer.Slice(end);
            return RtspParseResult.Response;
        }

        if (!TryParseRequestLine(startLine, out var method, out var uri, out var requestVersion, out error))
        {
            return RtspParseResult.Invalid;
        }

        request = new RtspRequest(method, uri, requestVersion) { Body = body };
        CopyHeaders(headers, request.Headers);
        buffer = buffer.Slice(end);
        return RtspParseResult.Request;
    }

    private static void CopyHeaders(List<KeyValuePair<string, string>> from, RtspHeaders to)
    {
        foreach (var (name, value) in from)
        {
            to.AddTrusted(name, value);
        }
    }

    /// <summary>
    /// Scans for the empty line that ends the header section. Returns <see cref="RtspParseResult.Request"/> as
    /// "found" (with the length including the empty line), Incomplete, or Invalid (control bytes, too large).
    /// </summary>
    private static RtspParseResult FindHeaderEnd(ReadOnlySequence<byte> message, RtspParseLimits limits, out int headerLength, out RtspParseError error)
    {
        headerLength = 0;
        error = default;
        var offset = 0;
        var lineLength = 0;
        var max = limits.MaxHeaderBytes;
        foreach (var segment in message)
        {
            foreach (var b in segment.Span)
            {
                offset++;
                if (offset > max)
                {
                    error = new(400, $"header section larger than {max} bytes");
                    return RtspParseResult.Invalid;
                }

                if (b == (byte)'\n')
                {
                    if (lineLength == 0)
                    {
                        headerLength = offset;
                        return RtspParseResult.Request;
                    }

                    lineLength = 0;
                }
                else if (b == (byte)'\r')
                {
                    // Only meaningful before LF; a stray CR inside a line is rejected when the line is parsed.
                }
                else if ((b < 0x20 && b != (byte)'\t') || b == 0x7f)
                {
                    error = new(400, $"control byte 0x{b:X2} in the message header at offset {offset - 1}");
                    return RtspParseResult.Invalid;
                }
                else
                {
                    if (offset == 1 && !RtspSyntax.IsTokenChar((char)b))
                    {
                        error = new(400, $"byte 0x{b:X2} cannot start an RTSP message or interleaved frame");
                        return RtspParseResult.Invalid;
                    }

                    lineLength++;
                }
            }
        }

        return RtspParseResult.Incomplete;
    }

    private static bool TryParseHead(string text, RtspParseLimits limits, out string startLine, out List<KeyValuePair<string, string>> headers, out RtspParseError error)
    {
        headers = [];
        startLine = string.Empty;
        error = default;
        var lines = text.Split('\n');
        var first = true;
        foreach (var raw in lines)
        {
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (line.Contains('\r', StringComparison.Ordinal))
            {
                error = new(400, "bare CR inside a header line");
                return false;
            }

            if (first)
            {
                startLine = line;
                first = false;
                continue;
            }

            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t')
            {
                if (headers.Count == 0)
                {
                    error = new(400, "continuation line before any header");
                    return false;
                }

                var (name, value) = headers[^1];
                headers[^1] = new(name, string.Concat(value, " ", line.AsSpan().Trim()));
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = new(400, $"header line without a name and colon: '{Truncate(line)}'");
                return false;
            }

            var headerName = line.AsSpan(0, colon).TrimEnd(" \t");
            if (!RtspSyntax.IsToken(headerName))
            {
                error = new(400, $"invalid header name '{Truncate(line[..colon])}'");
                return false;
            }

            if (headers.Count >= limits.MaxHeaderCount)
            {
                error = new(400, $"more than {limits.MaxHeaderCount} header lines");
                return false;
            }

            headers.Add(new(headerName.ToString(), line.AsSpan(colon + 1).Trim(" \t").ToString()));
        }

        return true;
    }

    private static bool TryGetContentLength(List<KeyValuePair<string, string>> headers, RtspParseLimits limits, out int contentLength, out RtspParseError error)
    {
        contentLength = 0;
        error = default;
        long? found = null;
        foreach (var (name, value) in headers)
        {
            if (!string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                error = new(400, $"Content-Length '{Truncate(value)}' is not a non-negative decimal number");
                return false;
            }

            if (found is { } previous && previous != parsed)
            {
                error = new(400, $"conflicting Content-Length headers {previous} and {parsed}");
                return false;
            }

            found = parsed;
        }

        if (found is { } length)
        {
            if (length > limits.MaxBodyBytes)
            {
                error = new(413, $"Content-Length {length} exceeds the limit of {limits.MaxBodyBytes} bytes");
                return false;
            }

            contentLength = (int)length;
        }

        return true;
    }

    // Status-Line = RTSP-Version SP Status-Code SP Reason-Phrase CRLF   (RFC 2326 §7.1)
    private static bool TryParseStatusLine(string line, out string version, out int status, out string reason, out RtspParseError error)
    {
        status = 0;
        reason = string.Empty;
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        version = space < 0 ? line : line[..space];
        if (!CheckVersion(version, out error))
        {
            return false;
        }

        var rest = space < 0 ? ReadOnlySpan<char>.Empty : line.AsSpan(space + 1).TrimStart(' ');
        if (rest.Length < 3 || !int.TryParse(rest[..3], NumberStyles.None, CultureInfo.InvariantCulture, out status)
            || status < 100 || (rest.Length > 3 && rest[3] != ' '))
        {
            error = new(400, $"malformed status line '{Truncate(line)}'; expected e.g. 'RTSP/1.0 200 OK'");
            return false;
        }

        reason = rest.Length > 3 ? rest[4..].Trim().ToString() : string.Empty;
        return true;
    }

    // Request-Line = Method SP Request-URI SP RTSP-Version CRLF   (RFC 2326 §6.1)
    private static bool TryParseRequestLine(string line, out string method, out string uri, out string version, out RtspParseError error)
    {
        method = uri = version = string.Empty;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !RtspSyntax.IsToken(parts[0]))
        {
            error = new(400, $"malformed request line '{Truncate(line)}'; expected 'METHOD rtsp://host/path RTSP/1.0'");
            return false;
        }

        (method, uri, version) = (parts[0], parts[1], parts[2]);
        if (uri.AsSpan().ContainsAnyInRange('\0', ' ') || uri.Contains('\x7f', StringComparison.Ordinal))
        {
            error = new(400, "control character in the Request-URI");
            return false;
        }

        return CheckVersion(version, out error);
    }

    // RTSP-Version = "RTSP" "/" 1*DIGIT "." 1*DIGIT   (RFC 2326 §3.1)
    private static bool CheckVersion(string version, out RtspParseError error)
    {
        error = default;
        if (version == RtspSyntax.Version10)
        {
            return true;
        }

        var span = version.AsSpan();
        var dot = span.IndexOf('.');
        if (span.StartsWith("RTSP/") && dot > 5 && dot < span.Length - 1
            && !span[5..dot].ContainsAnyExceptInRange('0', '9') && !span[(dot + 1)..].ContainsAnyExceptInRange('0', '9'))
        {
            error = new(505, $"RTSP version '{Truncate(version)}' is not supported; only RTSP/1.0 is");
            return false;
        }

        error = new(400, $"'{Truncate(version)}' is not an RTSP version; expected RTSP/1.0");
        return false;
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 80), "...");
}
