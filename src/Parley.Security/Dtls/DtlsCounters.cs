namespace Parley.Security.Dtls;

/// <summary>
/// DTLS-SRTP outcomes, shared by all transports of a process (or of a test) so they can be exported as metrics.
/// Thread-safe.
/// </summary>
public sealed class DtlsCounters
{
    private long _completed;
    private long _fingerprintMismatches;
    private long _noCommonProfile;
    private long _failed;

    /// <summary>Handshakes that completed with a checked peer certificate and an SRTP profile.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>
    /// Handshakes refused because the peer's certificate was missing or did not hash to the fingerprint its SDP
    /// gave (RFC 8122 §5, RFC 5763 §5). Counted also in <see cref="Failed"/>.
    /// </summary>
    public long FingerprintMismatches => Interlocked.Read(ref _fingerprintMismatches);

    /// <summary>Handshakes refused because use_srtp was absent or offered no profile in common (RFC 5764 §4.1.3).</summary>
    public long NoCommonProfile => Interlocked.Read(ref _noCommonProfile);

    /// <summary>Handshakes that failed for any reason (alert, timeout, refusal, close).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void CountCompleted() => Interlocked.Increment(ref _completed);

    internal void CountFingerprintMismatch() => Interlocked.Increment(ref _fingerprintMismatches);

    internal void CountNoCommonProfile() => Interlocked.Increment(ref _noCommonProfile);

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}
