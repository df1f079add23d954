using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Parley.Rtsp;

/// <summary>Formatting and parsing of structured RTSP header values: RTP-Info, Session, Range, Public.</summary>
public static class RtspHeaderValues
{
    /// <summary>
    /// Formats an RTP-Info header value (RFC 2326 §12.33), one entry per stream, e.g.
    /// "url=rtsp://h/cam/trackID=0;seq=4711;rtptime=3450012,url=rtsp://h/cam/trackID=1;seq=12;rtptime=8000".
    /// <code>
    /// RTP-Info   = "RTP-Info" ":" 1#stream-url 1*parameter
    /// stream-url = "url" "=" url
    /// parameter  = ";" "seq" "=" 1*DIGIT | ";" "rtptime" "=" 1*DIGIT
    /// </code>
    /// </summary>
    /// <param name="streams">Per stream: its control URL, the sequence number and RTP timestamp (clock-rate units) of
    /// the first packet the client will receive after PLAY.</param>
    public static string FormatRtpInfo(IEnumerable<(string Url, ushort Seq, uint RtpTime)> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var sb = new StringBuilder();
        foreach (var (url, seq, rtpTime) in streams)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(CultureInfo.InvariantCulture, $"url={url};seq={seq};rtptime={rtpTime}");
        }

        return sb.ToString();
    }

    /// <summary>
    /// Parses an RTP-Info header value (RFC 2326 §12.33). Entries are split at commas followed by "url=", so
    /// URLs with commas survive; parameters may come in any order; unknown parameters are ignored; the url
    /// may be quoted.
    /// </summary>
    /// <param name="value">Header value.</param>
    /// <param name="entries">Per stream: url, and seq / rtptime when present. Empty on failure.</param>
    /// <returns>False when the value is empty, an entry has no url, or seq/rtptime is not a number in range.</returns>
    [SuppressMessage("Design", "CA1002:Do not expose generic lists", Justification = "Shared RTSP API shape.")]
    public static bool TryParseRtpInfo(string value, out List<(string Url, ushort? Seq, uint? RtpTime)> entries)
    {
        entries = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        foreach (var entry in SplitRtpInfoEntries(value))
        {
            string? url = null;
            ushort? seq = null;
            uint? rtpTime = null;
            foreach (var raw in entry.Split(';'))
            {
                var part = raw.Trim();
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    if (url is not null && part.Length > 0)
                    {
                        url += ";" + part;
                    }

                    continue;
                }

                var key = part[..eq].Trim();
                var v = part[(eq + 1)..].Trim();
                if (key.Equals("url", StringComparison.OrdinalIgnoreCase))
                {
                    url = v.Length >= 2 && v[0] == '"' && v[^1] == '"' ? v[1..^1] : v;
                }
                else if (key.Equals("seq", StringComparison.OrdinalIgnoreCase))
                {
                    if (!ushort.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                    {
                        entries = [];
                        return false;
                    }

                    seq = s;
                }
                else if (key.Equals("rtptime", StringComparison.OrdinalIgnoreCase))
                {
                    if (!uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                    {
                        entries = [];
                        return false;
                    }

                    rtpTime = t;
                }
            }

            if (string.IsNullOrEmpty(url))
            {
                entries = [];
                return false;
            }

            entries.Add((url, seq, rtpTime));
        }

        return entries.Count > 0;
    }

    private static List<string> SplitRtpInfoEntries(string value)
    {
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == ',' && value.AsSpan(i + 1).TrimStart().StartsWith("url=", StringComparison.OrdinalIgnoreCase))
            {
                result.Add(value[start..i]);
                start = i + 1;
            }
        }

        result.Add(value[start..]);
        return result;
    }

    /// <summary>Formats a Session header value with its timeout (RFC 2326 §12.37), e.g. "A1B2C3D4;timeout=60".</summary>
    /// <param name="id">Session identifier (RFC 2326 §3.4: at least 8 characters of ALPHA / DIGIT / safe).</param>
    /// <param name="timeoutSeconds">Seconds of inactivity after which the server may end the session.</param>
    public static string FormatSession(string id, int timeoutSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{id};timeout={timeoutSeconds}");

    /// <summary>
    /// Parses the timeout parameter of a Session header value (RFC 2326 §12.37).
    /// </summary>
    /// <returns>True with the timeout in seconds when present and a positive integer.</returns>
    public static bool TryParseSessionTimeout(string value, out int timeoutSeconds)
    {
        timeoutSeconds = 0;
        if (value is null)
        {
            return false;
        }

        foreach (var raw in value.Split(';').Skip(1))
        {
            var part = raw.Trim();
            if (part.StartsWith("timeout=", StringComparison.OrdinalIgnoreCase))
            {
                return int.TryParse(part.AsSpan(8).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out timeoutSeconds)
                    && timeoutSeconds > 0;
            }
        }

        return false;
    }

    /// <summary>
    /// Parses a Range header value in normal play time (RFC 2326 §3.6, §12.29), e.g. "npt=0-", "npt=now-",
    /// "npt=1.5-10", "npt=-20", "npt=0:01:02.5-". A ";time=..." parameter is ignored.
    /// <code>
    /// npt-range    = ( npt-time "-" [ npt-time ] ) | ( "-" npt-time )
    /// npt-time     = "now" | npt-sec | npt-hhmmss
    /// npt-sec      = 1*DIGIT [ "." *DIGIT ]
    /// npt-hhmmss   = npt-hh ":" npt-mm ":" npt-ss [ "." *DIGIT ]
    /// </code>
    /// </summary>
    /// <param name="value">Header value.</param>
    /// <param name="startSeconds">Start in seconds; null when omitted or "now" (live).</param>
    /// <param name="endSeconds">End in seconds; null when open-ended or "now".</param>
    /// <returns>False when the value is not an npt range (smpte and clock ranges are not supported).</returns>
    public static bool TryParseNptRange(string value, out double? startSeconds, out double? endSeconds)
    {
        startSeconds = endSeconds = null;
        if (value is null)
        {
            return false;
        }

        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var range = (semicolon >= 0 ? value.AsSpan(0, semicolon) : value.AsSpan()).Trim();
        if (!range.StartsWith("npt", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        range = range[3..].TrimStart();
        if (range.IsEmpty || range[0] != '=')
        {
            return false;
        }

        range = range[1..].Trim();
        var dash = range.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }

        var startText = range[..dash].Trim();
        var endText = range[(dash + 1)..].Trim();
        if (startText.IsEmpty && endText.IsEmpty)
        {
            return false;
        }

        if (!TryParseNptTime(startText, out var start) || !TryParseNptTime(endText, out var end))
        {
            return false;
        }

        if (start is { } s && end is { } e && e < s)
        {
            return false;
        }

        startSeconds = start;
        endSeconds = end;
        return true;
    }

    private static bool TryParseNptTime(ReadOnlySpan<char> text, out double? seconds)
    {
        seconds = null;
        if (text.IsEmpty || text.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var colon = text.IndexOf(':');
        if (colon < 0)
        {
            if (!IsNptSec(text) || !double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var sec))
            {
                return false;
            }

            seconds = sec;
            return true;
        }

        var hours = text[..colon];
        var rest = text[(colon + 1)..];
        var colon2 = rest.IndexOf(':');
        if (colon2 < 0)
        {
            return false;
        }

        var minutes = rest[..colon2];
        var secs = rest[(colon2 + 1)..];
        if (hours.IsEmpty || hours.ContainsAnyExceptInRange('0', '9') || minutes.Length is < 1 or > 2
            || minutes.ContainsAnyExceptInRange('0', '9') || !IsNptSec(secs)
            || !long.TryParse(hours, NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(minutes, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m > 59
            || !double.TryParse(secs, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) || s >= 60)
        {
            return false;
        }

        seconds = (h * 3600) + (m * 60) + s;
        return true;
    }

    private static bool IsNptSec(ReadOnlySpan<char> text)
    {
        var dot = text.IndexOf('.');
        var integer = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? [] : text[(dot + 1)..];
        return !integer.IsEmpty && !integer.ContainsAnyExceptInRange('0', '9') && !fraction.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Formats a Public header value (RFC 2326 §12.28), e.g. "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN".</summary>
    public static string FormatPublic(IEnumerable<string> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return string.Join(", ", methods);
    }
}
