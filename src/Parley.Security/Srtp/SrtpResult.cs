namespace Parley.Security.Srtp;

/// <summary>
/// The outcome of unprotecting one SRTP or SRTCP packet. Every value other than <see cref="Ok"/> means the packet
/// must be dropped; <see cref="SrtpContext"/> counts each reason.
/// </summary>
public enum SrtpResult
{
    /// <summary>Authenticated, not a replay, decrypted in place.</summary>
    Ok,

    /// <summary>Too short for its header and tag, not version 2, or a header that runs past the packet.</summary>
    Malformed,

    /// <summary>
    /// Its index was already received, or is older than the replay window (RFC 3711 §3.3.2). Checked before the
    /// tag, so it is also what an attacker replaying captured packets sees.
    /// </summary>
    Replayed,

    /// <summary>
    /// The authentication tag did not match (RFC 3711 §3.3 step 5, RFC 7714 §8.2): tampered, wrong key, or the
    /// rollover counter guess was wrong after a loss of more than 32768 packets.
    /// </summary>
    AuthenticationFailed,

    /// <summary>
    /// A new SSRC arrived while the context already tracks its maximum number of sources
    /// (<see cref="SrtpContext.MaxSources"/>); state is only created for authenticated packets.
    /// </summary>
    SourceLimitReached,
}
