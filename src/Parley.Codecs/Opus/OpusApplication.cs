namespace Parley.Codecs.Opus;

/// <summary>The coding mode an <see cref="OpusEncoder"/> is tuned for (<c>OPUS_APPLICATION_*</c>, RFC 6716).</summary>
public enum OpusApplication
{
    /// <summary>Speech: best intelligibility at low bitrates (<c>OPUS_APPLICATION_VOIP</c>, 2048).</summary>
    Voip = 2048,

    /// <summary>Music and mixed content: best fidelity (<c>OPUS_APPLICATION_AUDIO</c>, 2049).</summary>
    Audio = 2049,

    /// <summary>CELT only, lowest algorithmic delay (<c>OPUS_APPLICATION_RESTRICTED_LOWDELAY</c>, 2051).</summary>
    RestrictedLowDelay = 2051,
}
