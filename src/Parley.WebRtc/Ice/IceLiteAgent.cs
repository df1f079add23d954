using System.Net;
using Parley.Rtp.Stun;

namespace Parley.WebRtc.Ice;

/// <summary>What <see cref="IceLiteAgent.HandleRequest"/> did with a Binding request.</summary>
public enum IceCheckOutcome
{
    /// <summary>Valid check: answered with a success response; consent refreshed.</summary>
    Answered,

    /// <summary>Valid check with USE-CANDIDATE: answered, and the pair it came on is now selected (RFC 8445 §7.3.1.5).</summary>
    Nominated,

    /// <summary>Authenticated check from a peer that also claims the controlled role: answered with 487 (RFC 8445 §7.3.1.1).</summary>
    RoleConflict,

    /// <summary>Authenticated check with an unknown comprehension-required attribute: answered with 420 (RFC 8489 §6.3.1.1).</summary>
    UnknownAttribute,

    /// <summary>USERNAME absent, or not "local-ufrag:remote-ufrag" for this agent: dropped, counted, no response.</summary>
    UnknownUsername,

    /// <summary>MESSAGE-INTEGRITY absent or wrong for the local password: dropped, counted, no response.</summary>
    BadIntegrity,

    /// <summary>Not a Binding request, or FINGERPRINT present and wrong: dropped, counted, no response.</summary>
    Malformed,
}

/// <summary>
/// The responder side of an ICE-lite agent (RFC 8445 §2.5, §7.3), always in the controlled role: it answers the
/// full agent's connectivity checks, learns which pair is nominated (USE-CANDIDATE) and tracks consent (RFC 7675).
/// It has no sockets; <see cref="IceServer"/> feeds it and sends what it writes.
/// </summary>
/// <remarks>
/// <para>
/// Unauthenticated checks (unknown ufrag, bad or missing MESSAGE-INTEGRITY) are dropped silently and counted rather
/// than answered with 400/401 (RFC 8489 §9.1.3). The port is public and shared by every peer: an error response
/// would answer spoofed traffic (a reflector) and tell a scanner which ufrags exist, while a real full agent treats
/// silence as loss and retransmits, which also covers the race where its checks arrive before our SDP answer was
/// applied. Browsers ignore a 401 to a check anyway (they only act on 487). Authenticated checks with a problem do
/// get their error (420, 487): the peer proved it knows the password.
/// </para>
/// <para>
/// Consent freshness: a lite agent sends no checks, so it takes the peer's valid checks as consent (the full agent
/// sends them at least every 5 s, RFC 7675 §5.1). <see cref="IsConsentExpired"/> turns true 30 s after the last
/// valid check (or after creation, when none came).
/// </para>
/// Not thread-safe: the owning server calls it from its receive paths under the session's lock.
/// </remarks>
public sealed class IceLiteAgent
{
    /// <summary>Consent lapses after this long without a valid check (RFC 7675 §5.1: 30 s).</summary>
    public static readonly TimeSpan DefaultConsentTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Largest response this agent writes: header, XOR-MAPPED-ADDRESS (IPv6), MESSAGE-INTEGRITY, FINGERPRINT, with room for an error.</summary>
    public const int MaxResponseLength = 160;

    private readonly TimeProvider _time;
    private long _lastConsent;
    private long _answered;
    private long _badIntegrity;
    private long _unknownUsername;
    private long _malformed;

    /// <summary>Creates an agent with the given local credentials.</summary>
    /// <param name="local">Our ufrag and password, as put into the SDP answer.</param>
    /// <param name="time">Clock for consent freshness; the system clock when null.</param>
    /// <param name="consentTimeout">How long consent lasts without a valid check; 30 s by default.</param>
    public IceLiteAgent(IceCredentials local, TimeProvider? time = null, TimeSpan? consentTimeout = null)
    {
        LocalCredentials = local ?? throw new ArgumentNullException(nameof(local));
        _time = time ?? TimeProvider.System;
        ConsentTimeout = consentTimeout ?? DefaultConsentTimeout;
        _lastConsent = _time.GetTimestamp();
    }

    /// <summary>Our ufrag and password.</summary>
    public IceCredentials LocalCredentials { get; }

    /// <summary>
    /// The peer's ufrag from its SDP, when known. While null any "local-ufrag:..." USERNAME is accepted, because
    /// checks can arrive before the remote description is applied (RFC 8445 §7.3).
    /// </summary>
    public string? RemoteUfrag { get; set; }

    /// <summary>How long consent lasts without a valid check.</summary>
    public TimeSpan ConsentTimeout { get; }

    /// <summary>True once a check with USE-CANDIDATE was answered.</summary>
    public bool IsNominated { get; private set; }

    /// <summary>Valid checks answered (success, 420 or 487).</summary>
    public long ChecksAnswered => Interlocked.Read(ref _answered);

    /// <summary>Checks dropped for a missing or wrong MESSAGE-INTEGRITY.</summary>
    public long IntegrityFailures => Interlocked.Read(ref _badIntegrity);

    /// <summary>Checks dropped for a USERNAME that does not name this agent.</summary>
    public long UnknownUsernames => Interlocked.Read(ref _unknownUsername);

    /// <summary>Messages dropped as not a Binding request or with a wrong FINGERPRINT.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>Time since the last valid check (or creation).</summary>
    public TimeSpan TimeSinceConsent => _time.GetElapsedTime(Interlocked.Read(ref _lastConsent));

    /// <summary>True when no valid check came for <see cref="ConsentTimeout"/> (RFC 7675 §5.1).</summary>
    public bool IsConsentExpired => TimeSinceConsent >= ConsentTimeout;

    /// <summary>
    /// True when USERNAME starts with "local-ufrag:" (and, when <see cref="RemoteUfrag"/> is known, is exactly
    /// "local-ufrag:remote-ufrag", RFC 8445 §7.2.2). Allocates nothing.
    /// </summary>
    public bool MatchesUsername(ReadOnlySpan<byte> username)
    {
        byte[] ufrag = LocalCredentials.UfragBytes;
        if (username.Length <= ufrag.Length || !username.StartsWith(ufrag) || username[ufrag.Length] != (byte)':')
        {
            return false;
        }

        if (RemoteUfrag is not { } remote)
        {
            return true;
        }

        ReadOnlySpan<byte> rest = username[(ufrag.Length + 1)..];
        if (rest.Length != remote.Length)
        {
            return false;
        }

        for (int i = 0; i < rest.Length; i++)
        {
            if (rest[i] != remote[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Handles a Binding request from <paramref name="source"/> (RFC 8445 §7.3) and writes the response, if any,
    /// into <paramref name="response"/>.
    /// </summary>
    /// <param name="request">A parsed STUN message.</param>
    /// <param name="source">The transport address the request came from (for XOR-MAPPED-ADDRESS).</param>
    /// <param name="response">At least <see cref="MaxResponseLength"/> bytes.</param>
    /// <param name="responseLength">Bytes written; 0 when nothing is to be sent.</param>
    public IceCheckOutcome HandleRequest(in StunMessageView request, IPEndPoint source, Span<byte> response, out int responseLength)
    {
        ArgumentNullException.ThrowIfNull(source);
        responseLength = 0;
        if (request.Type != StunMessageType.BindingRequest || (request.HasFingerprint && !request.VerifyFingerprint()))
        {
            Interlocked.Increment(ref _malformed);
            return IceCheckOutcome.Malformed;
        }

        if (!request.TryGetUsername(out var username) || !MatchesUsername(username))
        {
            Interlocked.Increment(ref _unknownUsername);
            return IceCheckOutcome.UnknownUsername;
        }

        if (!request.VerifyMessageIntegrity(LocalCredentials.PasswordBytes))
        {
            Interlocked.Increment(ref _badIntegrity);
            return IceCheckOutcome.BadIntegrity;
        }

        Interlocked.Increment(ref _answered);
        ushort unknown = request.FirstUnknownRequiredAttribute();
        if (unknown != 0)
        {
            var error = new StunMessageWriter(response, StunMessageType.BindingError, request.TransactionId);
            error.AddErrorCode(420, "Unknown Attribute");
            Span<byte> type = stackalloc byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(type, unknown);
            error.AddAttribute(StunAttributeType.UnknownAttributes, type);
            error.AddMessageIntegrity(LocalCredentials.PasswordBytes);
            error.AddFingerprint();
            responseLength = error.Length;
            return IceCheckOutcome.UnknownAttribute;
        }

        // A lite agent is always controlled (RFC 8445 §6.1.1); a peer claiming controlled too must switch, and 487
        // tells it to (§7.3.1.1).
        if (request.HasAttribute(StunAttributeType.IceControlled))
        {
            var error = new StunMessageWriter(response, StunMessageType.BindingError, request.TransactionId);
            error.AddErrorCode(487, "Role Conflict");
            error.AddMessageIntegrity(LocalCredentials.PasswordBytes);
            error.AddFingerprint();
            responseLength = error.Length;
            return IceCheckOutcome.RoleConflict;
        }

        Interlocked.Exchange(ref _lastConsent, _time.GetTimestamp());
        var writer = new StunMessageWriter(response, StunMessageType.BindingSuccess, request.TransactionId);
        writer.AddXorMappedAddress(source.Address, source.Port);
        writer.AddMessageIntegrity(LocalCredentials.PasswordBytes);
        writer.AddFingerprint();
        responseLength = writer.Length;
        if (request.HasAttribute(StunAttributeType.UseCandidate))
        {
            IsNominated = true;
            return IceCheckOutcome.Nominated;
        }

        return IceCheckOutcome.Answered;
    }

}
