using System.Security.Cryptography;
using Parley.Rtp;
using Parley.Security.Mikey;
using Parley.Security.Srtp;

namespace Parley.Rtsp.Server;

/// <summary>
/// One SRTP master key shared by every RTSPS reader of a stream that plays over UDP (RTP/SAVP): each packet is
/// protected once, into a per-thread buffer, and that one SRTP datagram goes to all of them in one
/// <see cref="UdpSendBatch"/> (DESIGN.md §3: "serialized, and encrypted for a shared key, once"). Readers learn
/// the key from the SDP's <c>a=key-mgmt:mikey</c> (RFC 4567 §3.1), which travels inside TLS.
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
    public SrtpSendGroup(SrtpProtectionProfile profile, Func<int, (uint Ssrc, uint ExtendedHighestSequence)> source)
    {
        Profile = profile;
        _source = source;
        _masterKey = RandomNumberGenerator.GetBytes(SrtpProtectionProfiles.MasterKeyLength(profile));
        _masterSalt = RandomNumberGenerator.GetBytes(SrtpProtectionProfiles.MasterSaltLength(profile));
        _context = new SrtpContext(profile, _masterKey, _masterSalt, maxSources: 64);
    }

    /// <summary>The protection profile.</summary>
    public SrtpProtectionProfile Profile { get; }

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
    public void Send(ReadOnlySpan<byte> packet, bool isRtcp, uint extendedHighestSequence)
    {
        var batch = BatchForCurrentThread;
        if (batch.Count == 0)
        {
            return;
        }

        var scratch = t_scratch ??= new byte[ushort.MaxValue + 64];
        if (packet.Length + 64 > scratch.Length)
        {
            batch.Discard();
            return;
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
            return;
        }

        Interlocked.Increment(ref _packetsProtected);
        batch.Send(scratch.AsSpan(0, length));
    }

    /// <summary>Frees the cipher state.</summary>
    public void Dispose() => _context.Dispose();
}
