using System.Diagnostics.CodeAnalysis;
using Parley.Rtp.Sdp;
using Parley.Security.Dtls;

namespace Parley.WebRtc.Sdp;

/// <summary>
/// A WebRTC peer's SDP offer as the answerer needs it (RFC 8829 §5.3, RFC 8839 §5, RFC 8842 §5): the parsed session
/// and the transport parameters of its BUNDLE transport (ICE ufrag and password, DTLS fingerprint and setup role),
/// taken from the first media section or the session level.
/// </summary>
public sealed class WebRtcOffer
{
    private WebRtcOffer(SdpSession session, string ufrag, string password, DtlsFingerprint fingerprint, string setup)
    {
        Session = session;
        IceUfrag = ufrag;
        IcePassword = password;
        Fingerprint = fingerprint;
        Setup = setup;
    }

    /// <summary>The parsed offer.</summary>
    public SdpSession Session { get; }

    /// <summary>The offerer's a=ice-ufrag (RFC 8839 §5.4).</summary>
    public string IceUfrag { get; }

    /// <summary>The offerer's a=ice-pwd.</summary>
    public string IcePassword { get; }

    /// <summary>The offerer's certificate fingerprint (RFC 8122 §5); its DTLS certificate must match.</summary>
    public DtlsFingerprint Fingerprint { get; }

    /// <summary>The offerer's a=setup: "actpass" (browsers), "active" or "passive" (RFC 4145 §4).</summary>
    public string Setup { get; }

    /// <summary>
    /// The DTLS role this side takes in the answer (RFC 8842 §5.3): server (a=setup:passive) when the offer is
    /// actpass or active, client when it is passive.
    /// </summary>
    public DtlsRole LocalRole => Setup.Equals("passive", StringComparison.OrdinalIgnoreCase) ? DtlsRole.Client : DtlsRole.Server;

    /// <summary>Parses an offer. Never throws.</summary>
    /// <param name="text">The SDP text (application/sdp body).</param>
    /// <param name="offer">The offer when the result is true.</param>
    /// <param name="error">What was wrong, for the 400 response, when the result is false.</param>
    /// <returns>False when the SDP does not parse, has no media, or lacks ICE credentials or a usable fingerprint.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out WebRtcOffer? offer, [NotNullWhen(false)] out string? error)
    {
        offer = null;
        if (!SdpSession.TryParse(text, out var session, out error) || session is null)
        {
            error = "the offer is not valid SDP: " + error;
            return false;
        }

        if (session.Media.Count == 0)
        {
            error = "the offer has no media sections; add recvonly video and audio transceivers before createOffer()";
            return false;
        }

        var first = session.Media[0];
        string? ufrag = first.Attributes.Get("ice-ufrag") ?? session.Attributes.Get("ice-ufrag");
        string? password = first.Attributes.Get("ice-pwd") ?? session.Attributes.Get("ice-pwd");
        string? fingerprintText = first.Attributes.Get("fingerprint") ?? session.Attributes.Get("fingerprint");
        string setup = first.Attributes.Get("setup") ?? session.Attributes.Get("setup") ?? "actpass";
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(password))
        {
            error = "the offer has no a=ice-ufrag and a=ice-pwd (RFC 8839 §5.4); send a WebRTC offer";
            return false;
        }

        if (!DtlsFingerprint.TryParse(fingerprintText, out var fingerprint) || fingerprint is null)
        {
            error = $"the offer's a=fingerprint '{fingerprintText}' is missing or not 'sha-256 AB:CD:...' (RFC 8122 §5)";
            return false;
        }

        setup = setup.Trim();
        if (setup is not ("actpass" or "active" or "passive"))
        {
            error = $"the offer's a=setup:{setup} is not actpass, active or passive (RFC 4145 §4)";
            return false;
        }

        offer = new WebRtcOffer(session, ufrag.Trim(), password.Trim(), fingerprint, setup);
        error = null;
        return true;
    }
}
