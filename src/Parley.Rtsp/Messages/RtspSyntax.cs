using System.Buffers;
using System.Globalization;
using System.Text;

namespace Parley.Rtsp;

/// <summary>Shared character classes and writing helpers for the RTSP text format (RFC 2326 §15, RFC 2616 §2.2).</summary>
internal static class RtspSyntax
{
    /// <summary>RTSP version string this implementation speaks (RFC 2326 §3.1).</summary>
    public const string Version10 = "RTSP/1.0";

    private static readonly SearchValues<char> s_tokenChars =
        SearchValues.Create("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~");

    /// <summary>token = 1*&lt;any CHAR except CTLs or tspecials&gt; (RFC 2616 §2.2).</summary>
    public static bool IsTokenChar(char c) => s_tokenChars.Contains(c);

    public static bool IsToken(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(s_tokenChars);

    public static bool TryParseCSeq(string? value, out int cseq)
    {
        cseq = 0;
        return value is not null
            && int.TryParse(value.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out cseq);
    }

    public static string? SessionId(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var id = (semicolon >= 0 ? value.AsSpan(0, semicolon) : value.AsSpan()).Trim();
        return id.IsEmpty ? null : id.ToString();
    }

    /// <summary>
    /// Writes headers and body. Any Content-Length header is rewritten with the real body length so the
    /// framing can never disagree with the body; when absent and the body is non-empty, one is appended.
    /// </summary>
    public static void WriteHeadersAndBody(IBufferWriter<byte> writer, RtspHeaders headers, ReadOnlyMemory<byte> body)
    {
        var wroteLength = false;
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (wroteLength)
                {
                    continue;
                }

                wroteLength = true;
                WriteLine(writer, name, body.Length.ToString(CultureInfo.InvariantCulture));
                continue;
            }

            WriteLine(writer, name, value);
        }

        if (!wroteLength && !body.IsEmpty)
        {
            WriteLine(writer, "Content-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        }

        WriteAscii(writer, "\r\n");
        if (!body.IsEmpty)
        {
            writer.Write(body.Span);
        }
    }

    private static void WriteLine(IBufferWriter<byte> writer, string name, string value)
    {
        WriteAscii(writer, name);
        WriteAscii(writer, ": ");
        WriteAscii(writer, value);
        WriteAscii(writer, "\r\n");
    }

    /// <summary>Writes text as UTF-8 (identical to ASCII for protocol text).</summary>
    public static void WriteAscii(IBufferWriter<byte> writer, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = writer.GetSpan(max);
        var written = Encoding.UTF8.GetBytes(text, span);
        writer.Advance(written);
    }
}
