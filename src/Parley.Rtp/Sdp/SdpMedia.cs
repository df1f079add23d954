using System.Globalization;
using System.Text;

namespace Parley.Rtp.Sdp;

/// <summary>
/// One media description: the <c>m=</c> line and the i=, c=, b=, k= and a= lines under it (RFC 8866 §5.14).
/// SDP is signalling, so this is an ordinary mutable object.
/// </summary>
public sealed class SdpMedia
{
    /// <summary>The media type: "video", "audio", "application", "text" or "message".</summary>
    public string MediaType { get; set; } = "video";

    /// <summary>The transport port; 0 in RTSP DESCRIBE answers, where the port is negotiated by SETUP.</summary>
    public int Port { get; set; }

    /// <summary>The number of ports from "&lt;port&gt;/&lt;number of ports&gt;"; 1 when not written.</summary>
    public int PortCount { get; set; } = 1;

    /// <summary>The transport protocol, e.g. "RTP/AVP", "RTP/AVPF", "UDP/TLS/RTP/SAVPF".</summary>
    public string Protocol { get; set; } = "RTP/AVP";

    /// <summary>The media formats; for RTP, payload type numbers as text ("96").</summary>
    public List<string> Formats { get; } = [];

    /// <summary>The media title (i=), or null.</summary>
    public string? Information { get; set; }

    /// <summary>The connection data (c=) value, e.g. "IN IP4 0.0.0.0", or null.</summary>
    public string? Connection { get; set; }

    /// <summary>The bandwidth lines (b=) values, e.g. "AS:200".</summary>
    public List<string> Bandwidths { get; } = [];

    /// <summary>The obsolete encryption key line (k=, RFC 8866 §5.12), kept for round trips; or null.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>The media-level attributes in order.</summary>
    public SdpAttributeList Attributes { get; private set; } = new();

    /// <summary>The a=control value (RFC 7826 §22.15, RFC 2326 C.1.1): a URL or a path relative to the session's, or null.</summary>
    public string? Control
    {
        get => Attributes.Get("control");
        set => SetOrRemove("control", value);
    }

    /// <summary>The media direction (RFC 8866 §6.7); null when no direction attribute is present (meaning the
    /// session's, or sendrecv). Setting replaces any existing direction attribute; null removes them.</summary>
    public SdpDirection? Direction
    {
        get => SdpDirectionAttributes.Get(Attributes);
        set => SdpDirectionAttributes.Set(Attributes, value);
    }

    /// <summary>The parseable a=rtpmap attributes, in order (RFC 8866 §6.6). A new list per call.</summary>
    public IReadOnlyList<SdpRtpMap> RtpMaps
    {
        get
        {
            var maps = new List<SdpRtpMap>();
            foreach (var attribute in Attributes)
            {
                if (IsName(attribute, "rtpmap") && SdpRtpMap.TryParse(attribute.Value, out var map))
                {
                    maps.Add(map);
                }
            }

            return maps;
        }
    }

    /// <summary>
    /// The payload types among <see cref="Formats"/> (those that are integers 0-127), in order.
    /// </summary>
    public IReadOnlyList<int> PayloadTypes
    {
        get
        {
            var types = new List<int>();
            foreach (string format in Formats)
            {
                if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) && pt <= 127)
                {
                    types.Add(pt);
                }
            }

            return types;
        }
    }

    /// <summary>
    /// Finds the mapping of <paramref name="payloadType"/>: its a=rtpmap, or else the RFC 3551 static payload
    /// type (0 PCMU/8000, 8 PCMA/8000, 10/11 L16, 14 MPA/90000, 26 JPEG/90000, 32 MPV, 33 MP2T, ...).
    /// </summary>
    public bool TryGetRtpMap(int payloadType, out SdpRtpMap map)
    {
        foreach (var attribute in Attributes)
        {
            if (IsName(attribute, "rtpmap") && SdpRtpMap.TryParse(attribute.Value, out map) && map.PayloadType == payloadType)
            {
                return true;
            }
        }

        return SdpRtpMap.TryGetStatic(payloadType, out map);
    }

    /// <summary>
    /// The format parameters of <paramref name="payloadType"/>: the a=fmtp value after the payload type and its
    /// whitespace, e.g. "packetization-mode=1; sprop-parameter-sets=..." (RFC 8866 §6.15); null when absent.
    /// </summary>
    public string? GetFormatParameters(int payloadType)
    {
        foreach (var attribute in Attributes)
        {
            if (IsName(attribute, "fmtp") && attribute.Value is { } value
                && TrySplitPayloadType(value, out int pt, out string rest) && pt == payloadType)
            {
                return rest;
            }
        }

        return null;
    }

    /// <summary>
    /// Parses <see cref="GetFormatParameters"/> into name/value pairs, split on ';' and trimmed (the RFC 6184
    /// style "name=value; name=value"); a parameter without '=' has an empty value. Empty when absent.
    /// </summary>
    public IReadOnlyDictionary<string, string> GetFormatParameterMap(int payloadType)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? parameters = GetFormatParameters(payloadType);
        if (parameters is null)
        {
            return map;
        }

        foreach (string part in parameters.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? part : part[..equals].Trim();
            string value = equals < 0 ? string.Empty : part[(equals + 1)..].Trim();
            map.TryAdd(name, value);
        }

        return map;
    }

    /// <summary>Sets (replaces or adds) the a=rtpmap of <paramref name="map"/>'s payload type.</summary>
    public void SetRtpMap(SdpRtpMap map) => SetPerPayloadType("rtpmap", map.PayloadType, map.ToString());

    /// <summary>Sets (replaces or adds) the a=fmtp of <paramref name="payloadType"/>; null removes it.</summary>
    public void SetFormatParameters(int payloadType, string? parameters) =>
        SetPerPayloadType("fmtp", payloadType, parameters is null ? null : string.Create(CultureInfo.InvariantCulture, $"{payloadType} {parameters}"));

    /// <summary>A deep copy.</summary>
    public SdpMedia Clone()
    {
        var clone = new SdpMedia
        {
            MediaType = MediaType,
            Port = Port,
            PortCount = PortCount,
            Protocol = Protocol,
            Information = Information,
            Connection = Connection,
            EncryptionKey = EncryptionKey,
            Attributes = Attributes.Clone(),
        };
        clone.Formats.AddRange(Formats);
        clone.Bandwidths.AddRange(Bandwidths);
        return clone;
    }

    /// <summary>The media description as SDP lines with CRLF endings, starting with m=.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendTo(builder);
        return builder.ToString();
    }

    internal void AppendTo(StringBuilder builder)
    {
        builder.Append("m=").Append(MediaType).Append(' ').Append(Port.ToString(CultureInfo.InvariantCulture));
        if (PortCount != 1)
        {
            builder.Append('/').Append(PortCount.ToString(CultureInfo.InvariantCulture));
        }

        builder.Append(' ').Append(Protocol);
        foreach (string format in Formats)
        {
            builder.Append(' ').Append(format);
        }

        builder.Append("\r\n");
        SdpSession.AppendLine(builder, 'i', Information);
        SdpSession.AppendLine(builder, 'c', Connection);
        foreach (string bandwidth in Bandwidths)
        {
            SdpSession.AppendLine(builder, 'b', bandwidth);
        }

        SdpSession.AppendLine(builder, 'k', EncryptionKey);
        foreach (var attribute in Attributes)
        {
            SdpSession.AppendLine(builder, 'a', attribute.ToString());
        }
    }

    // m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14)
    internal static bool TryParseMediaLine(string value, out SdpMedia? media)
    {
        media = null;
        string[] parts = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3)
        {
            return false;
        }

        string port = parts[1];
        int portCount = 1;
        int slash = port.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!int.TryParse(port.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out portCount) || portCount < 1)
            {
                return false;
            }

            port = port[..slash];
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int portNumber) || portNumber > 65535)
        {
            return false;
        }

        media = new SdpMedia
        {
            MediaType = parts[0],
            Port = portNumber,
            PortCount = portCount,
            Protocol = parts[2],
        };
        media.Formats.AddRange(parts.AsSpan(3));
        return true;
    }

    private static bool TrySplitPayloadType(string value, out int payloadType, out string rest)
    {
        ReadOnlySpan<char> text = value.AsSpan().TrimStart();
        int end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        rest = string.Empty;
        if (!int.TryParse(text[..end], NumberStyles.None, CultureInfo.InvariantCulture, out payloadType))
        {
            return false;
        }

        rest = text[end..].Trim().ToString();
        return true;
    }

    private void SetPerPayloadType(string name, int payloadType, string? value)
    {
        for (int i = 0; i < Attributes.Count; i++)
        {
            var attribute = Attributes[i];
            if (IsName(attribute, name) && attribute.Value is { } existing
                && TrySplitPayloadType(existing, out int pt, out _) && pt == payloadType)
            {
                Attributes.RemoveAll(a => IsName(a, name) && a.Value is { } v && TrySplitPayloadType(v, out int p, out _) && p == payloadType);
                if (value is not null)
                {
                    Attributes.Insert(Math.Min(i, Attributes.Count), new SdpAttribute(name, value));
                }

                return;
            }
        }

        if (value is not null)
        {
            Attributes.Add(name, value);
        }
    }

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

    private static bool IsName(SdpAttribute attribute, string name) =>
        string.Equals(attribute.Name, name, StringComparison.OrdinalIgnoreCase);
}
