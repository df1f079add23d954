using System.Globalization;
using System.Text;

namespace Parley.Rtp.Sdp;

/// <summary>
/// A session description (RFC 8866): the session-level lines and the media descriptions. Parsing is lenient in
/// the ways real ffmpeg, GStreamer and camera SDP needs (LF or CRLF, stray blank lines and trailing whitespace,
/// unknown line types ignored, missing o=/s=/t= tolerated); <see cref="ToString"/> writes strict RFC 8866 order
/// with CRLF line ends. Signalling, not the packet path: allocation is fine here.
/// </summary>
public sealed class SdpSession
{
    /// <summary>The protocol version (v=), 0.</summary>
    public int Version { get; set; }

    /// <summary>The raw origin value (o=): "&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; IN IP4 &lt;address&gt;".</summary>
    public string Origin { get; set; } = "- 0 0 IN IP4 127.0.0.1";

    /// <summary>The session name (s=); RFC 8866 §5.3 asks for a single space ("s= ") or "-" when there is none.</summary>
    public string SessionName { get; set; } = "-";

    /// <summary>The session information (i=), or null.</summary>
    public string? Information { get; set; }

    /// <summary>The URI of description (u=), or null.</summary>
    public string? Uri { get; set; }

    /// <summary>Email addresses (e=).</summary>
    public List<string> Emails { get; } = [];

    /// <summary>Phone numbers (p=).</summary>
    public List<string> Phones { get; } = [];

    /// <summary>The session-level connection data (c=), e.g. "IN IP4 0.0.0.0", or null.</summary>
    public string? Connection { get; set; }

    /// <summary>Session-level bandwidth values (b=), e.g. "AS:2000".</summary>
    public List<string> Bandwidths { get; } = [];

    /// <summary>The timing values (t=), "&lt;start&gt; &lt;stop&gt;" in NTP seconds; "0 0" (unbounded) by default.</summary>
    public List<string> Timing { get; } = ["0 0"];

    /// <summary>Repeat times (r=), written after the t= lines.</summary>
    public List<string> RepeatTimes { get; } = [];

    /// <summary>Time zone adjustments (z=), or null.</summary>
    public string? TimeZones { get; set; }

    /// <summary>The obsolete session-level encryption key (k=, RFC 8866 §5.12), kept for round trips; or null.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>The session-level attributes in order.</summary>
    public SdpAttributeList Attributes { get; private set; } = new();

    /// <summary>The media descriptions in order.</summary>
    public List<SdpMedia> Media { get; } = [];

    /// <summary>The session-level a=control value, the aggregate control URL (RFC 7826 appendix D.1.1), or null.</summary>
    public string? Control
    {
        get => Attributes.Get("control");
        set => SetOrRemove("control", value);
    }

    /// <summary>The a=range value, e.g. "npt=0-" or "npt=now-" (RFC 7826 §22.29), or null.</summary>
    public string? Range
    {
        get => Attributes.Get("range");
        set => SetOrRemove("range", value);
    }

    /// <summary>The session-level direction (RFC 8866 §6.7); null when absent. Setting null removes it.</summary>
    public SdpDirection? Direction
    {
        get => SdpDirectionAttributes.Get(Attributes);
        set => SdpDirectionAttributes.Set(Attributes, value);
    }

    /// <summary>
    /// Parses an SDP document (RFC 8866 §5). Never throws.
    /// </summary>
    /// <param name="text">The SDP text; LF or CRLF line ends; a leading byte order mark, blank lines and trailing
    /// whitespace are ignored.</param>
    /// <param name="session">The parsed session, or null on failure.</param>
    /// <param name="error">Why parsing failed (line number and what was expected), or null on success.</param>
    /// <returns>False when the text is empty, the first line is not "v=&lt;integer&gt;", a line is not
    /// "&lt;letter&gt;=&lt;value&gt;", or an m= line lacks media, port or protocol.</returns>
    public static bool TryParse(string? text, out SdpSession? session, out string? error)
    {
        session = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "SDP is empty; expected lines starting with \"v=0\".";
            return false;
        }

        var result = new SdpSession();
        result.Timing.Clear();
        SdpMedia? media = null;
        bool sawVersion = false;
        int lineNumber = 0;
        foreach (string rawLine in text.Split('\n'))
        {
            lineNumber++;
            string line = (lineNumber == 1 ? rawLine.TrimStart('\uFEFF') : rawLine).TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetter(line[0]))
            {
                error = $"SDP line {lineNumber} \"{Truncate(line)}\" is not of the form <letter>=<value>.";
                return false;
            }

            char type = line[0];
            string value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v' || !int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int version))
                {
                    error = $"SDP line {lineNumber} \"{Truncate(line)}\": expected the version line \"v=0\" first.";
                    return false;
                }

                result.Version = version;
                sawVersion = true;
                continue;
            }

            if (type == 'm')
            {
                if (!SdpMedia.TryParseMediaLine(value, out media))
                {
                    error = $"SDP line {lineNumber} \"{Truncate(line)}\": expected \"m=<media> <port>[/<count>] <proto> <fmt> ...\".";
                    return false;
                }

                result.Media.Add(media!);
                continue;
            }

            if (media is not null)
            {
                switch (type)
                {
                    case 'i': media.Information = value; break;
                    case 'c': media.Connection = value; break;
                    case 'b': media.Bandwidths.Add(value); break;
                    case 'k': media.EncryptionKey = value; break;
                    case 'a': AddAttribute(media.Attributes, value); break;
                    default: break; // Unknown or misplaced lines are ignored, as RFC 8866 §5 asks of unknown types.
                }

                continue;
            }

            switch (type)
            {
                case 'o': result.Origin = value; break;
                case 's': result.SessionName = value; break;
                case 'i': result.Information = value; break;
                case 'u': result.Uri = value; break;
                case 'e': result.Emails.Add(value); break;
                case 'p': result.Phones.Add(value); break;
                case 'c': result.Connection = value; break;
                case 'b': result.Bandwidths.Add(value); break;
                case 't': result.Timing.Add(value); break;
                case 'r': result.RepeatTimes.Add(value); break;
                case 'z': result.TimeZones = value; break;
                case 'k': result.EncryptionKey = value; break;
                case 'a': AddAttribute(result.Attributes, value); break;
                default: break;
            }
        }

        if (!sawVersion)
        {
            error = "SDP has no version line; expected \"v=0\" first.";
            return false;
        }

        if (result.Timing.Count == 0)
        {
            result.Timing.Add("0 0");
        }

        session = result;
        return true;
    }

    /// <summary>The session description as SDP text in RFC 8866 §5 line order, every line ending in CRLF.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(512);
        AppendLine(builder, 'v', Version.ToString(CultureInfo.InvariantCulture));
        AppendLine(builder, 'o', Origin);
        AppendLine(builder, 's', string.IsNullOrEmpty(SessionName) ? " " : SessionName);
        AppendLine(builder, 'i', Information);
        AppendLine(builder, 'u', Uri);
        foreach (string email in Emails)
        {
            AppendLine(builder, 'e', email);
        }

        foreach (string phone in Phones)
        {
            AppendLine(builder, 'p', phone);
        }

        AppendLine(builder, 'c', Connection);
        foreach (string bandwidth in Bandwidths)
        {
            AppendLine(builder, 'b', bandwidth);
        }

        if (Timing.Count == 0)
        {
            AppendLine(builder, 't', "0 0");
        }

        foreach (string timing in Timing)
        {
            AppendLine(builder, 't', timing);
        }

        foreach (string repeat in RepeatTimes)
        {
            AppendLine(builder, 'r', repeat);
        }

        AppendLine(builder, 'z', TimeZones);
        AppendLine(builder, 'k', EncryptionKey);
        foreach (var attribute in Attributes)
        {
            AppendLine(builder, 'a', attribute.ToString());
        }

        foreach (var media in Media)
        {
            media.AppendTo(builder);
        }

        return builder.ToString();
    }

    /// <summary>A deep copy: lists, attributes and media are copied, so changing the copy leaves this one alone.</summary>
    public SdpSession Clone()
    {
        var clone = new SdpSession
        {
            Version = Version,
            Origin = Origin,
            SessionName = SessionName,
            Information = Information,
            Uri = Uri,
            Connection = Connection,
            TimeZones = TimeZones,
            EncryptionKey = EncryptionKey,
            Attributes = Attributes.Clone(),
        };
        clone.Emails.AddRange(Emails);
        clone.Phones.AddRange(Phones);
        clone.Bandwidths.AddRange(Bandwidths);
        clone.Timing.Clear();
        clone.Timing.AddRange(Timing);
        clone.RepeatTimes.AddRange(RepeatTimes);
        foreach (var media in Media)
        {
            clone.Media.Add(media.Clone());
        }

        return clone;
    }

    internal static void AppendLine(StringBuilder builder, char type, string? value)
    {
        if (value is null)
        {
            return;
        }

        builder.Append(type).Append('=').Append(value).Append("\r\n");
    }

    // a=<attribute-name>[:<attribute-value>] (RFC 8866 §5.13); a line without a name is ignored.
    private static void AddAttribute(SdpAttributeList attributes, string value)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string name = (colon < 0 ? value : value[..colon]).Trim();
        if (name.Length > 0)
        {
            attributes.Add(new SdpAttribute(name, colon < 0 ? null : value[(colon + 1)..]));
        }
    }

    private static string Truncate(string line) => line.Length <= 60 ? line : line[..60] + "...";

    private void SetOrRemove(string name, string? value)
    {
        if (value is null)
        {
            Attributes.Remove(name);
        }
        else
        {
            Attributes.Set(name, value);
        }
    }
}
