using System.Globalization;

namespace Parley.Media.Aac;

/// <summary>
/// The SDP format parameters of an RTP mpeg4-generic stream carrying AAC (RFC 3640 §4.1), as ffmpeg, GStreamer and
/// cameras announce them: <c>a=fmtp:97 streamtype=5; profile-level-id=1; mode=AAC-hbr; sizelength=13;
/// indexlength=3; indexdeltalength=3; config=1210</c>. They say how each AU-header is laid out (§3.2.1) and carry
/// the AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) a decoder or an MP4 sample entry needs.
/// </summary>
/// <param name="Mode">The mode, for example <c>AAC-hbr</c> (high bit rate) or <c>AAC-lbr</c> (low bit rate).</param>
/// <param name="SizeLength">Bits of the AU-size field, 1 to 16 (AAC-hbr: 13; AAC-lbr: 6).</param>
/// <param name="IndexLength">Bits of the AU-Index field of the first AU-header, 0 to 16 (AAC-hbr: 3).</param>
/// <param name="IndexDeltaLength">Bits of the AU-Index-delta field of the others, 0 to 16 (AAC-hbr: 3).</param>
/// <param name="CtsDeltaLength">Bits of the optional CTS-delta field (0: absent).</param>
/// <param name="DtsDeltaLength">Bits of the optional DTS-delta field (0: absent).</param>
/// <param name="RandomAccessIndication">Whether each AU-header has a RAP-flag bit.</param>
/// <param name="StreamStateIndication">Bits of the optional Stream-state field (0: absent).</param>
/// <param name="AuxiliaryDataSizeLength">Bits of the auxiliary-data size field before the AUs (0: no auxiliary section).</param>
/// <param name="AudioSpecificConfig">The <c>config=</c> bytes (hexadecimal in the SDP), 2 to 64 bytes.</param>
public sealed record Mpeg4GenericParameters(
    string Mode,
    int SizeLength,
    int IndexLength,
    int IndexDeltaLength,
    int CtsDeltaLength,
    int DtsDeltaLength,
    bool RandomAccessIndication,
    int StreamStateIndication,
    int AuxiliaryDataSizeLength,
    ReadOnlyMemory<byte> AudioSpecificConfig)
{
    /// <summary>
    /// Reads the parameters of an AAC stream from its fmtp map (names compared without case, as MIME parameters are).
    /// </summary>
    /// <param name="fmtp">The <c>a=fmtp</c> parameters, for example from <c>SdpMedia.GetFormatParameterMap</c>.</param>
    /// <param name="parameters">The parameters when the return value is true.</param>
    /// <returns>False when the stream is not AAC in a mode this depacketizer reads (no or bad <c>config</c>, a
    /// non-AAC <c>mode</c> such as CELP, or field lengths outside 0-16 with <c>sizelength</c> at least 1).</returns>
    public static bool TryParse(IReadOnlyDictionary<string, string> fmtp, out Mpeg4GenericParameters? parameters)
    {
        ArgumentNullException.ThrowIfNull(fmtp);
        parameters = null;
        string mode = fmtp.TryGetValue("mode", out string? m) ? m : "";
        if (!mode.StartsWith("AAC-", StringComparison.OrdinalIgnoreCase)
            || !fmtp.TryGetValue("config", out string? configHex) || !TryParseHex(configHex, out byte[] config) || config.Length is < 2 or > 64)
        {
            return false;
        }

        if (!TryLength(fmtp, "sizelength", out int size) || size < 1
            || !TryLength(fmtp, "indexlength", out int index)
            || !TryLength(fmtp, "indexdeltalength", out int indexDelta)
            || !TryLength(fmtp, "ctsdeltalength", out int ctsDelta)
            || !TryLength(fmtp, "dtsdeltalength", out int dtsDelta)
            || !TryLength(fmtp, "streamstateindication", out int streamState)
            || !TryLength(fmtp, "auxiliarydatasizelength", out int auxiliary)
            || !TryLength(fmtp, "randomaccessindication", out int randomAccess) || randomAccess > 1)
        {
            return false;
        }

        parameters = new Mpeg4GenericParameters(mode, size, index, indexDelta, ctsDelta, dtsDelta, randomAccess == 1, streamState, auxiliary, config);
        return true;
    }

    /// <summary>The MPEG-4 audio object type from the AudioSpecificConfig (2: AAC-LC).</summary>
    public int AudioObjectType => AudioSpecificConfig.Span[0] >> 3;

    /// <summary>Bits of the first AU-header of a packet.</summary>
    internal int FirstHeaderBits => SizeLength + IndexLength + OptionalBits;

    /// <summary>Bits of every later AU-header, when its optional flags are all 0 (the flags add their deltas).</summary>
    internal int OptionalBits => (CtsDeltaLength > 0 ? 1 : 0) + (DtsDeltaLength > 0 ? 1 : 0) + (RandomAccessIndication ? 1 : 0) + StreamStateIndication;

    // Absent means 0 (RFC 3640 §4.1: "default value of zero").
    private static bool TryLength(IReadOnlyDictionary<string, string> fmtp, string name, out int value)
    {
        value = 0;
        return !fmtp.TryGetValue(name, out string? text)
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 16);
    }

    private static bool TryParseHex(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 2 != 0)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
