using System.Diagnostics;
using System.Text;
using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Security.Srtp;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Rtp;
using Parley.WebRtc.Sdp;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>
/// A WHEP player (RFC 9725) as a reader of one stream: each RTP packet of a negotiated track is copied into the
/// session's buffer with the negotiated payload type, SSRC and sequence number, SRTP-protected and sent on the ICE
/// session, inline on the publisher's thread. The publisher's sender reports become this session's own (same NTP
/// and RTP times, its SSRC and counts) as SRTCP. SRTCP from the browser is read for PLI and FIR, which become key
/// frame requests to the publisher; a generic NACK is answered by resending the cached packet
/// (<see cref="WhepOutgoingTrack.Retransmissions"/>). Outgoing packets carry this session's own header extensions
/// (<see cref="WebRtcRtpRewriter"/>: transport-wide sequence number, MID, abs-send-time, as negotiated).
/// </summary>
/// <remarks>Nothing on the send or receive path allocates: one send buffer, one scratch buffer, one receive buffer,
/// and the retransmission caches' pooled slots.</remarks>
internal sealed class WhepSession : MediaStreamReader
{
    private static readonly byte[] Cname = Encoding.ASCII.GetBytes("parley");
    private readonly MediaStream _stream;
    private readonly IceSession _ice;
    private readonly WhepOutgoingTrack?[] _tracks;
    private readonly Lock _sendLock = new();
    private readonly Lock _receiveLock = new();
    private readonly byte[] _sendBuffer = new byte[MediaPacketPool.MaxPacketSize + 64];
    private readonly byte[] _receiveBuffer = new byte[2048];
    private readonly byte[] _scratch = new byte[MediaPacketPool.MaxPacketSize];
    private readonly long _start = Stopwatch.GetTimestamp();
    private ushort _transportSequence;
    private long _nacksReceived;
    private long _packetsRetransmitted;
    private long _retransmissionsMissed;
    private long _transportFeedbackReceived;
    private SrtpContext? _send;
    private SrtpContext? _receive;
    private bool _closed;
    private long _keyFrameRequests;
    private long _parameterSetsInserted;
    private long _receiveFailures;

    public WhepSession(string id, MediaStream stream, WebRtcAnswer answer, IceSession ice, string remote)
        : base(stream.Tracks.Count, Accepted(stream, answer), queueCapacity: 1)
    {
        Id = id;
        _stream = stream;
        _ice = ice;
        _tracks = new WhepOutgoingTrack?[stream.Tracks.Count];
        foreach (var track in answer.AcceptedTracks)
        {
            _tracks[track.SourceIndex] = new WhepOutgoingTrack(track, stream.Tracks[track.SourceIndex]);
        }

        Remote = remote;
    }

    /// <summary>The session resource id (the last segment of the Location URL).</summary>
    public string Id { get; }

    public string Remote { get; }

    public MediaStream Stream => _stream;

    /// <summary>The ICE session the packets go out on.</summary>
    public IceSession Ice => _ice;

    public override string Description => $"whep {Remote} (session {Id})";

    /// <summary>PLI and FIR received from the browser.</summary>
    public long KeyFrameRequests => Interlocked.Read(ref _keyFrameRequests);

    /// <summary>SPS/PPS STAP-A packets put in front of key frames.</summary>
    public long ParameterSetsInserted => Interlocked.Read(ref _parameterSetsInserted);

    /// <summary>Generic NACK messages received from the browser (RFC 4585 §6.2.1).</summary>
    public long NacksReceived => Interlocked.Read(ref _nacksReceived);

    /// <summary>Packets sent again because a NACK named them.</summary>
    public long PacketsRetransmitted => Interlocked.Read(ref _packetsRetransmitted);

    /// <summary>Packets a NACK named that were no longer (or never) in the cache.</summary>
    public long RetransmissionsMissed => Interlocked.Read(ref _retransmissionsMissed);

    /// <summary>Transport-wide congestion control feedback packets received from the browser.</summary>
    public long TransportFeedbackReceived => Interlocked.Read(ref _transportFeedbackReceived);

    /// <summary>Completes when the stream ended or the reader was removed.</summary>
    public Task Ended => Queue.Completion;

    protected override bool DeliversInline => true;

    /// <summary>Starts sending and receiving with the DTLS-SRTP keys; called once, before the reader is attached.</summary>
    public void Activate(SrtpContext send, SrtpContext receive)
    {
        lock (_sendLock)
        {
            _send = send;
            _receive = receive;
        }

        _ice.RtpReceived = OnReceived;
    }

    protected override bool TryDeliver(MediaPacket packet)
    {
        lock (_sendLock)
        {
            if (_closed || _send is null || _tracks[packet.TrackIndex] is not { } track)
            {
                return false;
            }

            return packet.IsRtcp ? SendReports(packet.Span, track) : SendRtp(packet, track);
        }
    }

    private bool SendRtp(MediaPacket packet, WhepOutgoingTrack track)
    {
        var source = packet.Span;
        if (!RtpPacketView.TryParse(source, out var rtp))
        {
            return false;
        }

        if (track.ParameterSets is { } sets && packet.IsFrameStart && WhepOutgoingTrack.NeedsParameterSets(rtp.Payload))
        {
            var header = new RtpHeader { Timestamp = rtp.Timestamp };
            int inserted = RtpPacketWriter.Write(_scratch, header, sets);
            int length = Stamp(_scratch.AsSpan(0, inserted), unchecked((ushort)(rtp.SequenceNumber + track.SequenceOffset)), track);
            track.SequenceOffset++;
            Interlocked.Increment(ref _parameterSetsInserted);
            Protect(length, sets.Length, track);
        }

        return Protect(Stamp(source, unchecked((ushort)(rtp.SequenceNumber + track.SequenceOffset)), track), rtp.Payload.Length, track);
    }

    // The packet as this peer sees it, into the send buffer, and kept for NACKs before it is encrypted in place.
    private int Stamp(ReadOnlySpan<byte> source, ushort sequenceNumber, WhepOutgoingTrack track)
    {
        var extensions = track.Negotiated.Extensions;
        int length = WebRtcRtpRewriter.Rewrite(source, _sendBuffer, track.PayloadType, sequenceNumber, track.Ssrc, extensions, track.Mid,
            extensions.TransportSequenceNumber != 0 ? _transportSequence++ : (ushort)0, Microseconds());
        track.Retransmissions?.Store(_sendBuffer.AsSpan(0, length));
        return length;
    }

    private long Microseconds() => (long)((Stopwatch.GetTimestamp() - _start) * (1_000_000.0 / Stopwatch.Frequency));

    private bool Protect(int length, int payloadLength, WhepOutgoingTrack track)
    {
        if (length == 0 || !_send!.TryProtectRtp(_sendBuffer, length, out int protectedLength))
        {
            return false;
        }

        track.PacketCount++;
        track.OctetCount += (uint)payloadLength;
        _ice.Send(_sendBuffer.AsSpan(0, protectedLength));
        return true;
    }

    // RFC 3550 §6.4.1: the publisher's SR maps its RTP time to wall clock; the RTP timestamps pass through unchanged,
    // so the same pair holds for this SSRC. A BYE from the publisher (stream end) becomes this SSRC's BYE.
    private bool SendReports(ReadOnlySpan<byte> compound, WhepOutgoingTrack track)
    {
        var reader = new RtcpCompoundReader(compound);
        int length = 0;
        while (reader.TryReadNext(out var rtcp))
        {
            if (rtcp.PacketType == RtcpPacketType.SenderReport && RtcpSenderReportView.TryParse(rtcp, out var sr))
            {
                length = RtcpWriter.WriteSenderReport(_sendBuffer, track.Ssrc, sr.NtpTimestamp, sr.RtpTimestamp, track.PacketCount, track.OctetCount, []);
                length += RtcpWriter.WriteSourceDescriptionCname(_sendBuffer.AsSpan(length), track.Ssrc, Cname);
                break;
            }

            if (rtcp.PacketType == RtcpPacketType.Goodbye)
            {
                length = RtcpWriter.WriteReceiverReport(_sendBuffer, track.Ssrc, []);
                length += RtcpWriter.WriteBye(_sendBuffer.AsSpan(length), [track.Ssrc], []);
                break;
            }
        }

        if (length == 0)
        {
            return true;
        }

        if (!_send!.TryProtectRtcp(_sendBuffer, length, out int protectedLength))
        {
            return false;
        }

        _ice.Send(_sendBuffer.AsSpan(0, protectedLength));
        return true;
    }

    // On the ICE server's receive thread: SRTCP from the browser (receiver reports, PLI, FIR, NACK, TWCC).
    private void OnReceived(ReadOnlySpan<byte> packet)
    {
        lock (_receiveLock)
        {
            if (_receive is { } receive && packet.Length <= _receiveBuffer.Length && RtcpPacketView.LooksLikeRtcp(packet))
            {
                Receive(receive, packet);
            }
        }
    }

    private void Receive(SrtpContext receive, ReadOnlySpan<byte> packet)
    {

        packet.CopyTo(_receiveBuffer);
        if (receive.UnprotectRtcp(_receiveBuffer, packet.Length, out int plainLength) != SrtpResult.Ok)
        {
            Interlocked.Increment(ref _receiveFailures);
            return;
        }

        var reader = new RtcpCompoundReader(_receiveBuffer.AsSpan(0, plainLength));
        while (reader.TryReadNext(out var rtcp))
        {
            if (RtcpFeedbackView.TryParse(rtcp, out var feedback) && (feedback.IsPictureLossIndication || feedback.IsFullIntraRequest))
            {
                Interlocked.Increment(ref _keyFrameRequests);
                foreach (var track in _tracks)
                {
                    if (track is { IsVideo: true } && (track.Ssrc == feedback.MediaSsrc || feedback.IsFullIntraRequest))
                    {
                        _stream.RequestKeyFrame(track.SourceIndex);
                    }
                }
            }
            else if (RtcpFeedbackView.TryParse(rtcp, out feedback) && feedback.IsGenericNack)
            {
                Interlocked.Increment(ref _nacksReceived);
                Retransmit(feedback.MediaSsrc, feedback.Fci);
            }
            else if (RtcpFeedbackView.TryParse(rtcp, out feedback) && RtcpTransportFeedbackView.TryParse(feedback, out _))
            {
                Interlocked.Increment(ref _transportFeedbackReceived);
            }
        }
    }

    // RFC 4585 §6.2.1 / RFC 4588 §3 without RTX: the same packet again, with a fresh transport-wide sequence number
    // (each packet on the wire has its own), protected again. Not counted in the sender report's counts.
    private void Retransmit(uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        WhepOutgoingTrack? track = null;
        foreach (var candidate in _tracks)
        {
            if (candidate is not null && candidate.Ssrc == mediaSsrc)
            {
                track = candidate;
            }
        }

        lock (_sendLock)
        {
            foreach (ushort sequence in RtcpGenericNack.EnumerateLost(fci))
            {
                if (_closed || _send is not { } send || track?.Retransmissions is not { } cache || !cache.TryGet(sequence, out var packet))
                {
                    Interlocked.Increment(ref _retransmissionsMissed);
                    continue;
                }

                packet.CopyTo(_sendBuffer);
                WebRtcRtpRewriter.TrySetTransportSequenceNumber(_sendBuffer.AsSpan(0, packet.Length), track.Negotiated.Extensions.TransportSequenceNumber, _transportSequence++);
                if (send.TryProtectRtp(_sendBuffer, packet.Length, out int protectedLength))
                {
                    _ice.Send(_sendBuffer.AsSpan(0, protectedLength));
                    Interlocked.Increment(ref _packetsRetransmitted);
                }
            }
        }
    }

    /// <summary>Stops sending and frees the SRTP contexts; the publisher's thread may still be inside a delivery.</summary>
    public void Close()
    {
        _ice.RtpReceived = null;
        Release();
        _ice.Close();
    }

    /// <summary>
    /// Stops sending and frees what the session holds (SRTP contexts, retransmission caches) without touching its
    /// ICE session: for a session whose ICE and DTLS association others share (a room participant's one peer
    /// connection) once its reader is off the stream. <see cref="Close"/> does this and closes ICE as well.
    /// </summary>
    public void Release()
    {
        lock (_sendLock)
        {
            _closed = true;
            _send?.Dispose();
            _send = null;
            foreach (var track in _tracks)
            {
                track?.Retransmissions?.Dispose();
            }
        }

        lock (_receiveLock)
        {
            _receive?.Dispose();
            _receive = null;
        }
    }

    private static bool[] Accepted(MediaStream stream, WebRtcAnswer answer)
    {
        var accepted = new bool[stream.Tracks.Count];
        foreach (var track in answer.AcceptedTracks)
        {
            accepted[track.SourceIndex] = true;
        }

        return accepted;
    }
}
