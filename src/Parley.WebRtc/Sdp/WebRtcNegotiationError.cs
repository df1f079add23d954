namespace Parley.WebRtc.Sdp;

/// <summary>Why an offer could not be answered; the HTTP layer maps each to a status code.</summary>
public enum WebRtcNegotiationError
{
    /// <summary>Negotiated.</summary>
    None,

    /// <summary>The source has no track a browser can receive as is (for example JPEG, AAC): 415 in WHEP.</summary>
    UnsupportedSource,

    /// <summary>The offer has no section for a source track with a matching codec: 406 in WHEP.</summary>
    NoCommonCodec,
}
