using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Parley.Rtp;

namespace Parley.Security.Srtp;

/// <summary>
/// One SRTP/SRTCP cryptographic context (RFC 3711 §3.2): a protection profile, the session keys derived from one
/// master key and salt, and per-SSRC state (rollover counter, replay window, SRTCP index). Protects outgoing RTP
/// and RTCP and unprotects incoming packets, in place in the caller's buffer, allocating nothing per packet.
/// </summary>
/// <remarks>
/// <para>
/// DTLS-SRTP (RFC 5764 §4.2) gives each direction its own master key, so a WebRTC session uses two contexts, one
/// to protect what it sends and one to unprotect what it receives. A single context can do both (loopback tests,
/// a shared SDES key); its outbound and inbound halves have separate key schedules and state, so one thread may
/// protect while another unprotects. Neither direction may be used from two threads at once.
/// </para>
/// <para>
/// Unprotect never throws on wire input: it returns an <see cref="SrtpResult"/> and counts each failure. The replay
/// check runs before authentication (cheap rejection), and state (rollover counter, replay window, new SSRCs) only
/// changes after a packet authenticated, so forged packets cannot move it. On any result other than
/// <see cref="SrtpResult.Ok"/> the bytes after the header are unspecified.
/// </para>
/// <para>
/// Not implemented: MKI, key derivation rates other than 0, re-keying, signalled initial rollover counters, and
/// the NULL cipher. The packet index is limited to 2^48 SRTP and 2^31 SRTCP packets per SSRC (§9.2); protecting
/// beyond that fails.
/// </para>
/// </remarks>
public sealed class SrtpContext : IDisposable
{
    /// <summary>The default for <see cref="MaxSources"/>: SSRCs tracked per direction.</summary>
    public const int DefaultMaxSources = 256;

    private const long MaxRtpIndex = (1L << 48) - 1;
    private const uint MaxRtcpIndex = 0x7FFF_FFFF;
    private const int RtcpHeaderLength = 8;

    private readonly SrtpCipher _outbound;
    private readonly SrtpCipher _inbound;
    private readonly Dictionary<uint, SourceState> _sent = [];
    private readonly Dictionary<uint, SourceState> _received = [];
    private readonly Dictionary<uint, uint> _initialReceivedRoc = [];
    private long _authenticationFailures;
    private long _replays;
    private long _malformed;
    private long _sourceLimitRejections;

    /// <summary>
    /// Creates a context and derives its session keys from <paramref name="masterKey"/> and
    /// <paramref name="masterSalt"/> (RFC 3711 §4.3, key derivation rate 0; RFC 7714 §11 for GCM).
    /// </summary>
    /// <param name="profile">The protection profile, e.g. as negotiated by DTLS-SRTP.</param>
    /// <param name="masterKey">16 bytes for every supported profile.</param>
    /// <param name="masterSalt">14 bytes for the AES-CM profiles, 12 for AEAD_AES_128_GCM.</param>
    /// <param name="maxSources">SSRCs tracked per direction; packets of further SSRCs are refused.</param>
    /// <exception cref="ArgumentException">Unsupported profile, or key or salt of the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSources"/> is less than 1.</exception>
    public SrtpContext(SrtpProtectionProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, int maxSources = DefaultMaxSources)
        : this(profile, SrtpSessionKeys.Derive(profile, masterKey, masterSalt), maxSources)
    {
    }

    /// <summary>Creates a context from session keys directly (test vectors that start after the KDF).</summary>
    internal SrtpContext(SrtpProtectionProfile profile, SrtpSessionKeys keys, int maxSources = DefaultMaxSources)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSources, 1);
        Profile = profile;
        MaxSources = maxSources;
        _outbound = SrtpCipher.Create(profile, keys);
        _inbound = SrtpCipher.Create(profile, keys);
    }

    /// <summary>The protection profile this context was created with.</summary>
    public SrtpProtectionProfile Profile { get; }

    /// <summary>SSRCs tracked per direction (sent and received are counted separately).</summary>
    public int MaxSources { get; }

    /// <summary>Bytes SRTP adds after an RTP packet: the tag (10, 4 or 16). Reserve this much room.</summary>
    public int RtpOverhead => _outbound.RtpTagLength;

    /// <summary>Bytes SRTCP adds after an RTCP compound packet: E/index word plus tag (14 or 20).</summary>
    public int RtcpOverhead => 4 + _outbound.RtcpTagLength;

    /// <summary>
    /// Whether protected RTCP is encrypted (E flag set, the default) or only authenticated (RFC 3711 §3.4:
    /// "encryption of RTCP is optional"). Unprotect accepts both whatever this says.
    /// </summary>
    public bool EncryptRtcp { get; set; } = true;

    /// <summary>Incoming SRTP/SRTCP packets whose authentication tag did not match.</summary>
    public long AuthenticationFailures => Interlocked.Read(ref _authenticationFailures);

    /// <summary>Incoming packets dropped as replays or as older than the replay window (RFC 3711 §3.3.2).</summary>
    public long Replays => Interlocked.Read(ref _replays);

    /// <summary>Incoming packets too short or without a valid RTP/RTCP header.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformed);

    /// <summary>Incoming packets of a new SSRC refused because <see cref="MaxSources"/> were already tracked.</summary>
    public long SourceLimitRejections => Interlocked.Read(ref _sourceLimitRejections);

    /// <summary>
    /// Protects the RTP packet <c>buffer[..length]</c> in place (RFC 3711 §3.3; RFC 7714 §8.2 for GCM): encrypts
    /// everything after the header (CSRCs and header extension stay clear and authenticated) and appends the tag.
    /// </summary>
    /// <param name="buffer">Holds the packet and at least <see cref="RtpOverhead"/> bytes of room after it.</param>
    /// <param name="length">The RTP packet's length in bytes.</param>
    /// <param name="protectedLength">The SRTP packet's length, <paramref name="length"/> + <see cref="RtpOverhead"/>.</param>
    /// <returns>
    /// False, with the buffer untouched, when the packet has no valid RTP header, the buffer lacks room for the
    /// tag, a new SSRC exceeds <see cref="MaxSources"/>, or the SSRC's 2^48 packet indexes are used up.
    /// </returns>
    public bool TryProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        int tag = _outbound.RtpTagLength;
        if ((uint)length > (uint)buffer.Length || buffer.Length - length < tag
            || !RtpPacketView.TryGetHeaderLength(buffer[..length], out int headerLength))
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        ushort sequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        ref SourceState state = ref CollectionsMarshal.GetValueRefOrNullRef(_sent, ssrc);
        bool known = !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref state);
        if (!known && _sent.Count >= MaxSources)
        {
            return false;
        }

        long index = known ? EstimateIndex(state.Rtp, sequenceNumber) : sequenceNumber;
        if (index is < 0 or > MaxRtpIndex)
        {
            return false;
        }

        _outbound.ProtectRtp(buffer, length, headerLength, ssrc, (uint)(index >> 16), sequenceNumber);
        if (!known)
        {
            state = ref CollectionsMarshal.GetValueRefOrAddDefault(_sent, ssrc, out _);
        }

        state.Rtp.Accept(index);
        protectedLength = length + tag;
        return true;
    }

    /// <summary>
    /// Protects the RTP packet <c>buffer[..length]</c> in place like <see cref="TryProtectRtp(Span{byte}, int, out int)"/>,
    /// but with the rollover counter the caller knows (RFC 3711 §3.3.1: "the sender knows its ROC") instead of the
    /// one this context would estimate: for a relay that protects the packets of a long-running stream once for
    /// many readers, and signals the same ROC to readers that join mid-stream. Keeps no per-SSRC state, so it is
    /// not bounded by <see cref="MaxSources"/>.
    /// </summary>
    /// <param name="buffer">Holds the packet and at least <see cref="RtpOverhead"/> bytes of room after it.</param>
    /// <param name="length">The RTP packet's length in bytes.</param>
    /// <param name="rolloverCounter">The packet's ROC: its 48-bit index is 2^16 * ROC + SEQ, below 2^32 here.</param>
    /// <param name="protectedLength">The SRTP packet's length, <paramref name="length"/> + <see cref="RtpOverhead"/>.</param>
    /// <returns>False, with the buffer untouched, when the packet has no valid RTP header or the buffer lacks room.</returns>
    public bool TryProtectRtp(Span<byte> buffer, int length, uint rolloverCounter, out int protectedLength)
    {
        protectedLength = 0;
        int tag = _outbound.RtpTagLength;
        if ((uint)length > (uint)buffer.Length || buffer.Length - length < tag
            || !RtpPacketView.TryGetHeaderLength(buffer[..length], out int headerLength))
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        ushort sequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        _outbound.ProtectRtp(buffer, length, headerLength, ssrc, rolloverCounter, sequenceNumber);
        protectedLength = length + tag;
        return true;
    }

    /// <summary>
    /// Sets the rollover counter the first SRTP packet received from <paramref name="ssrc"/> is assumed to carry
    /// (RFC 3711 §3.3.1), as key management signalled it (MIKEY's SRTP-ID map, RFC 3830 §6.1.1), for a receiver
    /// that joins a stream whose sequence numbers already wrapped. Without it the first packet's ROC is 0. Has no
    /// effect once a packet of the SSRC authenticated. Call it on the thread that unprotects.
    /// </summary>
    public void SetInitialRolloverCounter(uint ssrc, uint rolloverCounter) => _initialReceivedRoc[ssrc] = rolloverCounter;

    /// <summary>
    /// Unprotects the SRTP packet <c>buffer[..length]</c> in place (RFC 3711 §3.3): estimates the packet index
    /// from the sequence number and the SSRC's rollover counter (§3.3.1, Appendix A), rejects replays (§3.3.2),
    /// verifies the tag, and decrypts. Never throws.
    /// </summary>
    /// <param name="buffer">Holds the SRTP packet as received.</param>
    /// <param name="length">The SRTP packet's length in bytes.</param>
    /// <param name="plainLength">On <see cref="SrtpResult.Ok"/>, the RTP packet's length (the tag removed).</param>
    /// <returns><see cref="SrtpResult.Ok"/> or the reason the packet must be dropped (counted).</returns>
    public SrtpResult UnprotectRtp(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        int tag = _inbound.RtpTagLength;
        if ((uint)length > (uint)buffer.Length || length < RtpPacketView.FixedHeaderLength + tag
            || !RtpPacketView.TryGetHeaderLength(buffer[..(length - tag)], out int headerLength))
        {
            return Count(SrtpResult.Malformed);
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        ushort sequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        ref SourceState state = ref CollectionsMarshal.GetValueRefOrNullRef(_received, ssrc);
        bool known = !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref state);
        if (!known && _received.Count >= MaxSources)
        {
            return Count(SrtpResult.SourceLimitReached);
        }

        long index = known ? EstimateIndex(state.Rtp, sequenceNumber)
            : _initialReceivedRoc.TryGetValue(ssrc, out uint roc) ? ((long)roc << 16) | sequenceNumber : sequenceNumber;
        if (index < 0 || (known && state.Rtp.IsReplay(index)))
        {
            return Count(SrtpResult.Replayed);
        }

        if (index > MaxRtpIndex)
        {
            return Count(SrtpResult.Malformed);
        }

        if (!_inbound.UnprotectRtp(buffer[..length], headerLength, ssrc, (uint)(index >> 16), sequenceNumber))
        {
            return Count(SrtpResult.AuthenticationFailed);
        }

        if (!known)
        {
            state = ref CollectionsMarshal.GetValueRefOrAddDefault(_received, ssrc, out _);
        }

        state.Rtp.Accept(index);
        plainLength = length - tag;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Protects the RTCP compound packet <c>buffer[..length]</c> in place (RFC 3711 §3.4; RFC 7714 §9 for GCM):
    /// everything after the first 8 bytes is encrypted (unless <see cref="EncryptRtcp"/> is false), then the E
    /// flag with the sender SSRC's next SRTCP index (from 0) and the tag are appended.
    /// </summary>
    /// <param name="buffer">Holds the compound packet and at least <see cref="RtcpOverhead"/> bytes of room after it.</param>
    /// <param name="length">The compound packet's length in bytes, at least 8.</param>
    /// <param name="protectedLength">The SRTCP packet's length, <paramref name="length"/> + <see cref="RtcpOverhead"/>.</param>
    /// <returns>
    /// False, with the buffer untouched, when the packet is shorter than 8 bytes or not version 2, the buffer lacks
    /// room, a new SSRC exceeds <see cref="MaxSources"/>, or the SSRC's 2^31 SRTCP indexes are used up.
    /// </returns>
    public bool TryProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length || buffer.Length - length < RtcpOverhead || !IsRtcpHeader(buffer[..length]))
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        ref SourceState state = ref CollectionsMarshal.GetValueRefOrNullRef(_sent, ssrc);
        bool known = !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref state);
        if (!known && _sent.Count >= MaxSources)
        {
            return false;
        }

        uint index = known ? state.NextRtcpIndex : 0;
        if (index > MaxRtcpIndex)
        {
            return false;
        }

        protectedLength = _outbound.ProtectRtcp(buffer, length, ssrc, index, EncryptRtcp);
        if (!known)
        {
            state = ref CollectionsMarshal.GetValueRefOrAddDefault(_sent, ssrc, out _);
        }

        state.NextRtcpIndex = index + 1;
        return true;
    }

    /// <summary>
    /// Unprotects the SRTCP packet <c>buffer[..length]</c> in place (RFC 3711 §3.4): reads the E flag and SRTCP
    /// index, rejects replays (§3.3.2), verifies the tag, and decrypts when E is set. Never throws.
    /// </summary>
    /// <param name="buffer">Holds the SRTCP packet as received.</param>
    /// <param name="length">The SRTCP packet's length in bytes.</param>
    /// <param name="plainLength">On <see cref="SrtpResult.Ok"/>, the RTCP compound packet's length.</param>
    /// <returns><see cref="SrtpResult.Ok"/> or the reason the packet must be dropped (counted).</returns>
    public SrtpResult UnprotectRtcp(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        int trailer = RtcpOverhead;
        if ((uint)length > (uint)buffer.Length || length < RtcpHeaderLength + trailer || !IsRtcpHeader(buffer))
        {
            return Count(SrtpResult.Malformed);
        }

        Span<byte> packet = buffer[..length];
        // AES-CM puts the E/index word before the tag, GCM after it (RFC 3711 §3.4, RFC 7714 §9.1).
        int wordOffset = SrtpProtectionProfiles.IsAead(Profile) ? length - 4 : length - trailer;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[wordOffset..]);
        bool encrypted = (word & 0x8000_0000u) != 0;
        uint index = word & MaxRtcpIndex;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);

        ref SourceState state = ref CollectionsMarshal.GetValueRefOrNullRef(_received, ssrc);
        bool known = !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref state);
        if (!known && _received.Count >= MaxSources)
        {
            return Count(SrtpResult.SourceLimitReached);
        }

        if (known && state.Rtcp.IsReplay(index))
        {
            return Count(SrtpResult.Replayed);
        }

        if (!_inbound.UnprotectRtcp(packet, ssrc, index, encrypted))
        {
            return Count(SrtpResult.AuthenticationFailed);
        }

        if (!known)
        {
            state = ref CollectionsMarshal.GetValueRefOrAddDefault(_received, ssrc, out _);
        }

        state.Rtcp.Accept(index);
        plainLength = length - trailer;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Forgets the receive state (rollover counter, replay windows) of <paramref name="ssrc"/>, freeing its slot
    /// under <see cref="MaxSources"/>: for a source that sent an RTCP BYE (RFC 3550 §6.6) or timed out. Its next
    /// packet is treated as a first packet again, so call this only for sources that are gone. Call it on the
    /// thread that unprotects.
    /// </summary>
    /// <returns>True when the SSRC was tracked.</returns>
    public bool ForgetReceivedSource(uint ssrc) => _received.Remove(ssrc);

    /// <inheritdoc />
    public void Dispose()
    {
        _outbound.Dispose();
        _inbound.Dispose();
    }

    /// <summary>
    /// The packet index i = 2^16 * ROC + SEQ (RFC 3711 §3.3.1): the sequence number placed at its signed modular
    /// distance from the highest index so far, which is Appendix A's choice among ROC - 1, ROC and ROC + 1.
    /// </summary>
    private static long EstimateIndex(in SrtpReplayWindow window, ushort sequenceNumber) =>
        window.IsInitialized
            ? window.Highest + RtpSequence.Distance(unchecked((ushort)window.Highest), sequenceNumber)
            : sequenceNumber;

    private static bool IsRtcpHeader(ReadOnlySpan<byte> packet) =>
        packet.Length >= RtcpHeaderLength && (packet[0] >> 6) == RtpPacketView.SupportedVersion;

    private SrtpResult Count(SrtpResult result)
    {
        switch (result)
        {
            case SrtpResult.AuthenticationFailed:
                Interlocked.Increment(ref _authenticationFailures);
                break;
            case SrtpResult.Replayed:
                Interlocked.Increment(ref _replays);
                break;
            case SrtpResult.SourceLimitReached:
                Interlocked.Increment(ref _sourceLimitRejections);
                break;
            default:
                Interlocked.Increment(ref _malformed);
                break;
        }

        return result;
    }

    /// <summary>The per-SSRC part of the cryptographic context (RFC 3711 §3.2.1), one direction.</summary>
    private struct SourceState
    {
        /// <summary>SRTP: highest index (ROC and s_l together) and, inbound, the replay window.</summary>
        public SrtpReplayWindow Rtp;

        /// <summary>SRTCP inbound: highest index and replay window.</summary>
        public SrtpReplayWindow Rtcp;

        /// <summary>SRTCP outbound: the index the next protected packet gets.</summary>
        public uint NextRtcpIndex;
    }
}
