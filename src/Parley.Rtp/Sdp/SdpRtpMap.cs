using System.Globalization;

namespace Parley.Rtp.Sdp;

/// <summary>
/// A payload type mapping, the value of <c>a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;channels&gt;]</c>
/// (RFC 8866 §6.6), or a static payload type of RFC 3551 §6.
/// </summary>
/// <param name="PayloadType">The RTP payload type, 0-127.</param>
/// <param name="EncodingName">The encoding name as written, e.g. "H264", "MP4A-LATM", "opus" (compare case-insensitively).</param>
/// <param name="ClockRate">The RTP clock rate in Hz.</param>
/// <param name="Channels">Audio channels; 1 when the SDP omits the encoding parameter (RFC 8866 §6.6).</param>
public readonly record struct SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int Channels)
{
    /// <summary>
    /// Parses an rtpmap value such as "96 H264/90000" or "97 MPEG4-GENERIC/44100/2" (RFC 8866 §6.6). Extra
    /// spaces are tolerated. Never throws.
    /// </summary>
    /// <returns>False when the payload type is not 0-127, the name is empty, or the clock rate or channel count
    /// is not a positive integer.</returns>
    public static bool TryParse(string? value, out SdpRtpMap map)
    {
        map = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        ReadOnlySpan<char> text = value.AsSpan().Trim();
        int space = text.IndexOfAny(' ', '\t');
        if (space <= 0
            || !int.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int payloadType)
            || payloadType > 127)
        {
            return false;
        }

        ReadOnlySpan<char> encoding = text[(space + 1)..].Trim();
        int slash = encoding.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        string name = encoding[..slash].Trim().ToString();
        ReadOnlySpan<char> rest = encoding[(slash + 1)..];
        int channels = 1;
        int secondSlash = rest.IndexOf('/');
        if (secondSlash >= 0)
        {
            if (!int.TryParse(rest[(secondSlash + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out channels) || channels <= 0)
            {
                return false;
            }

            rest = rest[..secondSlash];
        }

        if (name.Length == 0
            || !int.TryParse(rest.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int clockRate)
            || clockRate <= 0)
        {
            return false;
        }

        map = new SdpRtpMap(payloadType, name, clockRate, channels);
        return true;
    }

    /// <summary>
    /// Looks up a static payload type of RFC 3551 §6 (tables 4 and 5): 0 PCMU/8000, 3 GSM, 4 G723, 5-6 DVI4,
    /// 7 LPC, 8 PCMA/8000, 9 G722, 10 L16/44100/2, 11 L16/44100/1, 12 QCELP, 13 CN, 14 MPA/90000, 15 G728,
    /// 16-17 DVI4, 18 G729, 25 CelB, 26 JPEG/90000, 28 nv, 31 H261, 32 MPV/90000, 33 MP2T/90000, 34 H263.
    /// </summary>
    public static bool TryGetStatic(int payloadType, out SdpRtpMap map)
    {
        (string Name, int ClockRate, int Channels)? entry = payloadType switch
        {
            0 => ("PCMU", 8000, 1),
            3 => ("GSM", 8000, 1),
            4 => ("G723", 8000, 1),
            5 => ("DVI4", 8000, 1),
            6 => ("DVI4", 16000, 1),
            7 => ("LPC", 8000, 1),
            8 => ("PCMA", 8000, 1),
            9 => ("G722", 8000, 1),
            10 => ("L16", 44100, 2),
            11 => ("L16", 44100, 1),
            12 => ("QCELP", 8000, 1),
            13 => ("CN", 8000, 1),
            14 => ("MPA", 90000, 1),
            15 => ("G728", 8000, 1),
            16 => ("DVI4", 11025, 1),
            17 => ("DVI4", 22050, 1),
            18 => ("G729", 8000, 1),
            25 => ("CelB", 90000, 1),
            26 => ("JPEG", 90000, 1),
            28 => ("nv", 90000, 1),
            31 => ("H261", 90000, 1),
            32 => ("MPV", 90000, 1),
            33 => ("MP2T", 90000, 1),
            34 => ("H263", 90000, 1),
            _ => null,
        };

        if (entry is not { } e)
        {
            map = default;
            return false;
        }

        map = new SdpRtpMap(payloadType, e.Name, e.ClockRate, e.Channels);
        return true;
    }

    /// <summary>The rtpmap attribute value, "96 H264/90000" (channels written only when not 1).</summary>
    public override string ToString() => Channels == 1
        ? string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}")
        : string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}/{Channels}");
}

/// <summary>The media direction attributes (RFC 8866 §6.7).</summary>
public enum SdpDirection
{
    /// <summary>a=sendrecv, the default when none is given.</summary>
    SendReceive,

    /// <summary>a=sendonly.</summary>
    SendOnly,

    /// <summary>a=recvonly.</summary>
    ReceiveOnly,

    /// <summary>a=inactive.</summary>
    Inactive,
}

/// <summary>Reads and writes the direction attributes of an attribute list (RFC 8866 §6.7).</summary>
internal static class SdpDirectionAttributes
{
    private static readonly string[] Names = ["sendrecv", "sendonly", "recvonly", "inactive"];

    public static SdpDirection? Get(SdpAttributeList attributes)
    {
        foreach (var attribute in attributes)
        {
            for (int i = 0; i < Names.Length; i++)
            {
                if (string.Equals(attribute.Name, Names[i], StringComparison.OrdinalIgnoreCase))
                {
                    return (SdpDirection)i;
                }
            }
        }

        return null;
    }

    public static void Set(SdpAttributeList attributes, SdpDirection? direction)
    {
        attributes.RemoveAll(a => Array.Exists(Names, n => string.Equals(a.Name, n, StringComparison.OrdinalIgnoreCase)));
        if (direction is { } d)
        {
            if ((int)d is < 0 or > 3)
            {
                throw new ArgumentOutOfRangeException(nameof(direction), direction, "Not an SdpDirection value.");
            }

            attributes.Add(Names[(int)d]);
        }
    }
}
