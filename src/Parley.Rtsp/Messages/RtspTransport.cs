using System.Globalization;
using System.Text;

namespace Parley.Rtsp;

/// <summary>
/// One transport-spec of the Transport header (RFC 2326 §12.39): how one media stream's RTP and RTCP travel.
/// <code>
/// Transport          = "Transport" ":" 1#transport-spec
/// transport-spec     = transport-protocol/profile[/lower-transport] *parameter
/// transport-protocol = "RTP"
/// profile            = "AVP"
/// lower-transport    = "TCP" | "UDP"
/// parameter          = ( "unicast" | "multicast" )
///                    | ";" "destination" [ "=" address ]
///                    | ";" "interleaved" "=" channel [ "-" channel ]
///                    | ";" "append"
///                    | ";" "ttl" "=" ttl
///                    | ";" "layers" "=" 1*DIGIT
///                    | ";" "port" "=" port [ "-" port ]
///                    | ";" "client_port" "=" port [ "-" port ]
///                    | ";" "server_port" "=" port [ "-" port ]
///                    | ";" "ssrc" "=" ssrc          ; 8 hex digits
///                    | ";" "mode" = &lt;"&gt; 1#mode &lt;"&gt;
/// </code>
/// Example: <c>RTP/AVP/TCP;unicast;interleaved=0-1;mode=record</c>. Parameters this class has no property for
/// (append, layers, port, source-specific extensions) are kept in <see cref="OtherParameters"/> and written back.
/// </summary>
public sealed class RtspTransport
{
    /// <summary>Transport protocol and profile, upper-cased: "RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF".</summary>
    public string Profile { get; set; } = "RTP/AVP";

    /// <summary>Lower transport, upper-cased: "UDP" (the default when the spec names none) or "TCP".</summary>
    public string LowerTransport { get; set; } = "UDP";

    /// <summary>True when <see cref="LowerTransport"/> is TCP, i.e. media is interleaved on the RTSP connection (RFC 2326 §10.12).</summary>
    public bool IsTcp => string.Equals(LowerTransport, "TCP", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for "multicast", false for "unicast" (the default).</summary>
    public bool Multicast { get; set; }

    /// <summary>UDP ports the client receives RTP and RTCP on; "client_port=5000" means (5000, 5001).</summary>
    public (int Rtp, int Rtcp)? ClientPort { get; set; }

    /// <summary>UDP ports the server sends from (and receives on, for RECORD).</summary>
    public (int Rtp, int Rtcp)? ServerPort { get; set; }

    /// <summary>Interleaved channels (0–255) for RTP and RTCP over TCP; "interleaved=0" means (0, 1).</summary>
    public (int Rtp, int Rtcp)? Interleaved { get; set; }

    /// <summary>Destination address; empty when the parameter had no value; null when absent.</summary>
    public string? Destination { get; set; }

    /// <summary>Source address (RFC 2326 §12.39 text); null when absent.</summary>
    public string? Source { get; set; }

    /// <summary>SSRC the sender will use (8 hex digits on the wire, RFC 2326 §12.39); null when absent.</summary>
    public uint? Ssrc { get; set; }

    /// <summary>Mode without quotes, upper-cased: "PLAY" (the default when absent) or "RECORD"; null when absent.</summary>
    public string? Mode { get; set; }

    /// <summary>Multicast time-to-live (0–255); null when absent.</summary>
    public int? Ttl { get; set; }

    /// <summary>Unrecognised parameters in order, name and value (null for a bare flag), written back by <see cref="ToString"/>.</summary>
    public IList<KeyValuePair<string, string?>> OtherParameters { get; } = [];

    /// <summary>True when <see cref="Mode"/> is RECORD (RFC 2326 §12.39; some clients say "receive").</summary>
    public bool IsRecord => Mode is "RECORD" or "RECEIVE";

    /// <summary>Parses one transport-spec (not a comma-separated list; see <see cref="ParseList"/>).</summary>
    /// <param name="spec">e.g. "RTP/AVP;unicast;client_port=5000-5001".</param>
    /// <param name="transport">The parsed spec, or null.</param>
    /// <returns>False when the protocol/profile part is missing or a known parameter has an invalid value
    /// (ports outside 0–65535, channels outside 0–255, a non-hex SSRC, a non-numeric ttl).</returns>
    public static bool TryParse(string spec, out RtspTransport? transport)
    {
        transport = null;
        if (string.IsNullOrWhiteSpace(spec))
        {
            return false;
        }

        var parts = SplitOutsideQuotes(spec, ';');
        var protocol = parts[0].Trim().Split('/');
        if (protocol.Length is < 2 or > 3 || protocol.Any(p => !RtspSyntax.IsToken(p)))
        {
            return false;
        }

        var result = new RtspTransport
        {
            Profile = string.Concat(protocol[0].ToUpperInvariant(), "/", protocol[1].ToUpperInvariant()),
            LowerTransport = protocol.Length == 3 ? protocol[2].ToUpperInvariant() : "UDP",
        };

        for (var i = 1; i < parts.Count; i++)
        {
            var parameter = parts[i].Trim();
            if (parameter.Length == 0)
            {
                continue;
            }

            var eq = parameter.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? parameter : parameter[..eq]).Trim();
            var value = eq < 0 ? null : parameter[(eq + 1)..].Trim();
            switch (name.ToUpperInvariant())
            {
                case "UNICAST":
                    result.Multicast = false;
                    break;
                case "MULTICAST":
                    result.Multicast = true;
                    break;
                case "CLIENT_PORT" when TryParseRange(value, 65535, out var range):
                    result.ClientPort = range;
                    break;
                case "SERVER_PORT" when TryParseRange(value, 65535, out var range):
                    result.ServerPort = range;
                    break;
                case "INTERLEAVED" when TryParseRange(value, 255, out var range):
                    result.Interleaved = range;
                    break;
                case "CLIENT_PORT" or "SERVER_PORT" or "INTERLEAVED":
                    return false;
                case "DESTINATION":
                    result.Destination = value is null ? string.Empty : Unquote(value);
                    break;
                case "SOURCE" when value is not null:
                    result.Source = Unquote(value);
                    break;
                case "SSRC":
                    if (value is null || value.Length is 0 or > 8
                        || !uint.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ssrc))
                    {
                        return false;
                    }

                    result.Ssrc = ssrc;
                    break;
                case "MODE":
                    if (value is null)
                    {
                        return false;
                    }

                    result.Mode = Unquote(value).Trim().ToUpperInvariant();
                    break;
                case "TTL":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl > 255)
                    {
                        return false;
                    }

                    result.Ttl = ttl;
                    break;
                default:
                    if (!RtspSyntax.IsToken(name))
                    {
                        return false;
                    }

                    result.OtherParameters.Add(new(name, value));
                    break;
            }
        }

        transport = result;
        return true;
    }

    /// <summary>
    /// Parses a whole Transport header value: comma-separated alternatives in the client's order of preference
    /// (RFC 2326 §12.39). Alternatives that do not parse are skipped; the result may be empty.
    /// </summary>
    public static IReadOnlyList<RtspTransport> ParseList(string headerValue)
    {
        var list = new List<RtspTransport>();
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return list;
        }

        foreach (var spec in SplitOutsideQuotes(headerValue, ','))
        {
            if (TryParse(spec, out var transport))
            {
                list.Add(transport!);
            }
        }

        return list;
    }

    /// <summary>
    /// Formats the spec for a Transport header, e.g. "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D;mode=record"
    /// or "RTP/AVP;unicast;client_port=5000-5001;server_port=8000-8001". UDP is implied (not written); the mode is
    /// written lower-case and unquoted, as ffmpeg, GStreamer and MediaMTX do.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder(96);
        sb.Append(Profile);
        if (!string.Equals(LowerTransport, "UDP", StringComparison.OrdinalIgnoreCase))
        {
            sb.Append('/').Append(LowerTransport);
        }

        sb.Append(Multicast ? ";multicast" : ";unicast");
        if (Destination is not null)
        {
            sb.Append(Destination.Length == 0 ? ";destination" : ";destination=" + Destination);
        }

        if (Source is not null)
        {
            sb.Append(";source=").Append(Source);
        }

        AppendRange(sb, "interleaved", Interleaved);
        if (Ttl is { } ttl)
        {
            sb.Append(CultureInfo.InvariantCulture, $";ttl={ttl}");
        }

        AppendRange(sb, "client_port", ClientPort);
        AppendRange(sb, "server_port", ServerPort);
        if (Ssrc is { } ssrc)
        {
            sb.Append(CultureInfo.InvariantCulture, $";ssrc={ssrc:X8}");
        }

        if (Mode is not null)
        {
            sb.Append(";mode=").Append(Mode.ToLowerInvariant());
        }

        foreach (var (name, value) in OtherParameters)
        {
            sb.Append(';').Append(name);
            if (value is not null)
            {
                sb.Append('=').Append(value);
            }
        }

        return sb.ToString();
    }

    private static void AppendRange(StringBuilder sb, string name, (int Rtp, int Rtcp)? range)
    {
        if (range is { } r)
        {
            sb.Append(CultureInfo.InvariantCulture, $";{name}={r.Rtp}-{r.Rtcp}");
        }
    }

    // port [ "-" port ]; a single value n means n and n+1 (RFC 2326 §12.39 "interleaved", and common practice for ports).
    private static bool TryParseRange(string? value, int max, out (int Rtp, int Rtcp) range)
    {
        range = default;
        if (value is null)
        {
            return false;
        }

        var dash = value.IndexOf('-', StringComparison.Ordinal);
        var firstText = dash < 0 ? value : value[..dash];
        if (!int.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first) || first > max)
        {
            return false;
        }

        var second = first + 1;
        if (dash >= 0 && (!int.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out second) || second > max))
        {
            return false;
        }

        if (dash < 0 && second > max)
        {
            second = first;
        }

        range = (first, second);
        return true;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;

    internal static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        var inQuotes = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (text[i] == separator && !inQuotes)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }
}
