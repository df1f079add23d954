using System.Globalization;

namespace Parley.Media.H264;

/// <summary>
/// The H.264 media type parameters of an SDP a=fmtp line (RFC 6184 §8.1): profile-level-id, packetization-mode and
/// sprop-parameter-sets, built from a stream's SPS and PPS or parsed from a peer's SDP.
/// </summary>
/// <remarks>
/// <code>
///  a=fmtp:96 packetization-mode=1;profile-level-id=64001F;sprop-parameter-sets=Z2QAH6zZQFAFuhAAAAMAEAAAAwPA8YMZYA==,aOvjyyLA
///            profile-level-id: 3 bytes in hex: profile_idc, profile-iop (constraint_set flags), level_idc
///            sprop-parameter-sets: base64 NAL units (SPS, PPS, ...) separated by commas
/// </code>
/// Pass it to and from SDP with <c>SdpMedia.SetFormatParameters</c> and <c>SdpMedia.GetFormatParameterMap</c>.
/// </remarks>
public sealed class H264Parameters
{
    /// <summary>profile_idc (first byte of profile-level-id); 0x42 (Baseline) when the SDP gives none (§8.1).</summary>
    public byte ProfileIdc { get; init; } = 0x42;

    /// <summary>profile-iop: the constraint_set flags byte of the SPS (second byte of profile-level-id).</summary>
    public byte ProfileIop { get; init; }

    /// <summary>level_idc (third byte of profile-level-id); 10 (level 1) when the SDP gives none (§8.1).</summary>
    public byte LevelIdc { get; init; } = 10;

    /// <summary>packetization-mode: 0 single NAL unit, 1 non-interleaved (what we send), 2 interleaved; 0 when absent.</summary>
    public int PacketizationMode { get; init; } = 1;

    /// <summary>The SPS NAL unit (header byte first, no start code); empty when unknown.</summary>
    public ReadOnlyMemory<byte> Sps { get; init; }

    /// <summary>The PPS NAL unit (header byte first, no start code); empty when unknown.</summary>
    public ReadOnlyMemory<byte> Pps { get; init; }

    /// <summary>profile-level-id: six hex digits, upper case, e.g. "64001F" (RFC 6184 §8.1).</summary>
    public string ProfileLevelId => string.Create(CultureInfo.InvariantCulture, $"{ProfileIdc:X2}{ProfileIop:X2}{LevelIdc:X2}");

    /// <summary>sprop-parameter-sets: base64 SPS, a comma, base64 PPS (§8.1); null without an SPS.</summary>
    public string? SpropParameterSets => Sps.IsEmpty
        ? null
        : Pps.IsEmpty ? Convert.ToBase64String(Sps.Span) : Convert.ToBase64String(Sps.Span) + "," + Convert.ToBase64String(Pps.Span);

    /// <summary>
    /// The a=fmtp value after the payload type: "packetization-mode=1;profile-level-id=...;sprop-parameter-sets=...",
    /// the last part only when an SPS is known.
    /// </summary>
    public string ToFormatParameters()
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"packetization-mode={PacketizationMode};profile-level-id={ProfileLevelId}");
        return SpropParameterSets is { } sets ? text + ";sprop-parameter-sets=" + sets : text;
    }

    /// <summary>Builds the parameters of a stream from its SPS and PPS (packetization-mode 1).</summary>
    /// <param name="sps">The SPS NAL unit (type 7), header byte first, without start code; at least 4 bytes.</param>
    /// <param name="pps">The PPS NAL unit (type 8), header byte first, without start code.</param>
    /// <exception cref="ArgumentException">A NAL unit is too short or of the wrong type.</exception>
    public static H264Parameters FromParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (sps.Length < 4 || (H264NalUnitType)(sps[0] & 0x1F) != H264NalUnitType.Sps)
        {
            throw new ArgumentException("Expected an SPS NAL unit (type 7) of at least 4 bytes, without start code.", nameof(sps));
        }

        if (pps.IsEmpty || (H264NalUnitType)(pps[0] & 0x1F) != H264NalUnitType.Pps)
        {
            throw new ArgumentException("Expected a PPS NAL unit (type 8), without start code.", nameof(pps));
        }

        return new H264Parameters { ProfileIdc = sps[1], ProfileIop = sps[2], LevelIdc = sps[3], Sps = sps.ToArray(), Pps = pps.ToArray() };
    }

    /// <summary>Reads the parameters from an a=fmtp line's name/value pairs (<c>SdpMedia.GetFormatParameterMap</c>).</summary>
    /// <param name="formatParameters">Names compared case-insensitively as the map does; unknown names are ignored.</param>
    /// <param name="parameters">The parameters, with RFC 6184 §8.1 defaults for absent ones, when the result is true.</param>
    /// <returns>False when a present profile-level-id, packetization-mode or sprop-parameter-sets is malformed.</returns>
    public static bool TryParse(IReadOnlyDictionary<string, string> formatParameters, out H264Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(formatParameters);
        parameters = new H264Parameters { PacketizationMode = 0 };
        byte profile = 0x42, iop = 0, level = 10;
        int mode = 0;
        byte[] sps = [], pps = [];
        if (formatParameters.TryGetValue("profile-level-id", out string? id) && !TryParseProfileLevelId(id, out profile, out iop, out level))
        {
            return false;
        }

        if (formatParameters.TryGetValue("packetization-mode", out string? modeText)
            && (!int.TryParse(modeText, NumberStyles.None, CultureInfo.InvariantCulture, out mode) || mode > 2))
        {
            return false;
        }

        if (formatParameters.TryGetValue("sprop-parameter-sets", out string? sets) && !TryParseSpropParameterSets(sets, out sps, out pps))
        {
            return false;
        }

        parameters = new H264Parameters { ProfileIdc = profile, ProfileIop = iop, LevelIdc = level, PacketizationMode = mode, Sps = sps, Pps = pps };
        return true;
    }

    /// <summary>Parses profile-level-id: exactly six hex digits (RFC 6184 §8.1).</summary>
    /// <returns>False when the value is not six hex digits.</returns>
    public static bool TryParseProfileLevelId(ReadOnlySpan<char> value, out byte profileIdc, out byte profileIop, out byte levelIdc)
    {
        profileIdc = profileIop = levelIdc = 0;
        if (value.Length != 6 || !uint.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint bytes))
        {
            return false;
        }

        profileIdc = (byte)(bytes >> 16);
        profileIop = (byte)(bytes >> 8);
        levelIdc = (byte)bytes;
        return true;
    }

    /// <summary>
    /// Parses sprop-parameter-sets (RFC 6184 §8.1): comma-separated base64 NAL units. The first SPS and first PPS
    /// are returned; other NAL units are ignored.
    /// </summary>
    /// <param name="value">The parameter's value.</param>
    /// <param name="sps">The first SPS NAL unit, or empty.</param>
    /// <param name="pps">The first PPS NAL unit, or empty.</param>
    /// <returns>False when a part is not valid base64 or decodes to nothing.</returns>
    public static bool TryParseSpropParameterSets(ReadOnlySpan<char> value, out byte[] sps, out byte[] pps)
    {
        sps = pps = [];
        foreach (Range range in value.Split(','))
        {
            ReadOnlySpan<char> part = value[range].Trim();
            if (part.IsEmpty)
            {
                continue;
            }

            byte[] nal = new byte[((part.Length + 3) / 4) * 3];
            if (!Convert.TryFromBase64Chars(part, nal, out int length) || length == 0)
            {
                return false;
            }

            switch ((H264NalUnitType)(nal[0] & 0x1F))
            {
                case H264NalUnitType.Sps when sps.Length == 0:
                    sps = nal[..length];
                    break;
                case H264NalUnitType.Pps when pps.Length == 0:
                    pps = nal[..length];
                    break;
            }
        }

        return true;
    }
}
