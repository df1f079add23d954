using System.Security.Cryptography;
using Parley.Rtp;
using Parley.Security.Mikey;
using Parley.Security.Srtp;

namespace Parley.Rtsp.Server;

/// <summary>
/// One SRTP master key for RTSPS readers of a stream that play over UDP (RTP/SAVP). Shared (the default): every reader
/// of the stream holds it, each packet is protected once, into a per-thread buffer, and that one SRTP datagram goes to
/// all of them in one <see cref="UdpSendBatch"/> (DESIGN.md §3: "serialized, and encrypted for a shared key, once").
/// Per reader (<see cref="IsPerReader"/>): a group of one, so a reader that leaks its key exposes only its own copy
/// and cannot forge packets to the others; the price is one protection per reader and packet
/// (<see cref="SendToOne"/>). Readers learn the key from the SDP's <c>a=key-mgmt:mikey</c> (RFC 4567 §3.1), which
/// travels inside TLS.
/// </summary>
/// <remarks>
/// All readers receive the publisher's SSRCs and sequence numbers unchanged, so one sender context is right for
/// all of them. The rollover counter is not this object's guess: the caller passes the stream's extended highest
/// sequence number (RFC 3550 A.1), from which each packet's ROC follows, and the MIKEY crypto session map tells
/// a reader that joins after a wrap the ROC of that moment (RFC 3830 §6.1.1). Protecting is serialised by a lock
/// because a new reader's first RTCP (the last sender report) is offered from its own thread; the publisher's
/// fan-out is the only other caller, so the lock is uncontended.
/// </remarks>
public sealed class SrtpSendGroup : IDisposable
{
    [ThreadStatic]
    private static UdpSendBatch? t_batch;

    [ThreadStatic]
    private static byte[]? t_scratch;

    [ThreadStatic]
    private static UdpSendBatch? t_single;

    private readonly SrtpContext _context;
    private readonly byte[] _masterKey;
    private readonly byte[] _masterSalt;
    private readonly Func<int, (uint Ssrc, uint ExtendedHighestSequence)> _source;
    private readonly Lock _lock = new();
    private long _packetsProtected;

    /// <summary>Creates a group with a fresh random master key and salt.</summary>
    /// <param name="profile">An AES-CM profile (MIKEY carries those).</param>
    /// <param name="source">
    /// For a media index of the stream: its SSRC (0 before the first packet) and extended highest sequence number,
    /// from which the ROC signalled to new readers is taken.
    /// </param>
    /// <param name="perReader">True for a group of one reader (its own key, sent with <see cref="SendToOne"/>).</param>
    public SrtpSendGroup(SrtpProtectionProfile profile, Func<int, (uint Ssrc, uint ExtendedHighestSequence)> source, bool perReader = false)
    {
        Profile = profile;
        IsPerReader = perReader;
        _source = source;
        _masterKey = RandomNumberGenerator.GetBytes(SrtpProtectionProfiles.MasterKeyLength(profile));
        _masterSalt = RandomNumberGenerator.GetBytes(SrtpProtectionProfiles.MasterSaltLength(profile));
        _context = new SrtpContext(profile, _masterKey, _masterSalt, maxSources: 64);
    }

    /// <summary>The protection profile.</summary>
    public SrtpProtectionProfile Profile { get; }

    /// <summary>
    /// True when this key belongs to one reader: the server offers it in one connection's DESCRIBE and sets up that
    /// connection's session with it, and the reader sends with <see cref="SendToOne"/>.
    /// </summary>
    public bool IsPerReader { get; }

    /// <summary>Packets protected (once each, whatever the number of readers).</summary>
    public long PacketsProtected => Interlocked.Read(ref _packetsProtected);

    /// <summary>The batch SRTP readers of this thread's current fan-out add their addresses to.</summary>
    public static UdpSendBatch BatchForCurrentThread => t_batch ??= new UdpSendBatch();

    /// <summary>
    /// The value of the <c>a=key-mgmt</c> attribute for media <paramref name="mediaIndex"/>: "mikey " and the base64
    /// MIKEY message (RFC 4567 §3.1) with this group's key, policy and the media's SSRC and current ROC.
    /// </summary>
    public string CreateKeyManagement(int mediaIndex)
    {
        var (ssrc, extended) = _source(mediaIndex);
        var message = MikeySrtpPolicy.Create(Profile, _masterKey, _masterSalt,
            [new MikeyCryptoSession(0, ssrc, extended >> 16)], DateTimeOffset.UtcNow);
        return "mikey " + Convert.ToBase64String(MikeyWriter.Write(message));
    }

    /// <summary>
    /// If readers joined <see cref="BatchForCurrentThread"/> for this packet, protects <paramref name="packet"/>
    /// once (SRTP, or SRTCP when <paramref name="isRtcp"/>) and sends it to all of them; otherwise does nothing.
    /// </summary>
    /// <param name="packet">The plain RTP packet or RTCP compound packet, not modified.</param>
    /// <param name="isRtcp">True for RTCP.</param>
    /// <param name="extendedHighestSequence">The stream's extended highest sequence number on this packet's track.</param>
    public void Send(ReadOnlySpan<byte> packet, bool isRtcp, uint extendedHighestSequence) =>
        Send(BatchForCurrentThread, packet, isRtcp, extendedHighestSequence);

    /// <summary>
    /// Protects <paramref name="packet"/> with this (per-reader) key and sends it to the one reader behind
    /// <paramref name="transport"/>, at once, on the calling thread: a per-reader key cannot share the fan-out's
    /// batch, whose one datagram is for all. Allocates nothing per packet.
    /// </summary>
    /// <param name="transport">The reader's UDP transport.</param>
    /// <param name="mediaIndex">The packet's media index in the reader's session.</param>
    /// <param name="packet">The plain RTP packet or RTCP compound packet, not modified.</param>
    /// <param name="isRtcp">True for RTCP.</param>
    /// <param name="extendedHighestSequence">The stream's extended highest sequence number on this packet's track.</param>
    /// <returns>False when the reader takes no such packet, the packet is too large, or protection failed.</returns>
    public bool SendToOne(RtspMediaTransport transport, int mediaIndex, ReadOnlySpan<byte> packet, bool isRtcp, uint extendedHighestSequence)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var batch = t_single ??= new UdpSendBatch();
        if (!transport.TryAddToBatch(mediaIndex, isRtcp, batch))
        {
            batch.Discard();
            return false;
        }

        return Send(batch, packet, isRtcp, extendedHighestSequence);
    }

    private bool Send(UdpSendBatch batch, ReadOnlySpan<byte> packet, bool isRtcp, uint extendedHighestSequence)
    {
        if (batch.Count == 0)
        {
            return false;
        }

        var scratch = t_scratch ??= new byte[ushort.MaxValue + 64];
        if (packet.Length + 64 > scratch.Length)
        {
            batch.Discard();
            return false;
        }

        packet.CopyTo(scratch);
        bool ok;
        int length;
        lock (_lock)
        {
            if (isRtcp)
            {
                ok = _context.TryProtectRtcp(scratch, packet.Length, out length);
            }
            else
            {
                ushort sequence = packet.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) : (ushort)0;
                long index = extendedHighestSequence + (long)RtpSequence.Distance(unchecked((ushort)extendedHighestSequence), sequence);
                uint roc = index < 0 ? 0 : (uint)(index >> 16);
                ok = _context.TryProtectRtp(scratch, packet.Length, roc, out length);
            }
        }

        if (!ok)
        {
            batch.Discard();
            return false;
        }

        Interlocked.Increment(ref _packetsProtected);
        batch.Send(scratch.AsSpan(0, length));
        return true;
    }

    /// <summary>Frees the cipher state.</summary>
    public void Dispose() => _context.Dispose();
}
