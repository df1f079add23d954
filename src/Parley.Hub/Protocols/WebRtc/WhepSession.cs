using System.Buffers.Binary;
using System.Text;
using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Security.Srtp;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>
/// A WHEP player (RFC 9725) as a reader of one stream: each RTP packet of a negotiated track is copied into the
/// session's buffer with the negotiated payload type, SSRC and sequence number, SRTP-protected and sent on the ICE
/// session, inline on the publisher's thread. The publisher's sender reports become this session's own (same NTP
/// and RTP times, its SSRC and counts) as SRTCP. SRTCP from the browser is read for PLI and FIR, which become key
/// frame requests to the publisher; NACK is not answered (no retransmission buffer yet).
/// </summary>
/// <remarks>Nothing on the send or receive path allocates: one send buffer, one receive buffer.</remarks>
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
            var header = new RtpHeader
            {
                PayloadType = track.PayloadType,
                SequenceNumber = unchecked((ushort)(rtp.SequenceNumber + track.SequenceOffset)),
                Timestamp = rtp.Timestamp,
                Ssrc = track.Ssrc,
            };
            int length = RtpPacketWriter.Write(_sendBuffer, header, sets);
            track.SequenceOffset++;
            Interlocked.Increment(ref _parameterSetsInserted);
            Protect(length, sets.Length, track);
        }

        source.CopyTo(_sendBuffer);
        _sendBuffer[1] = (byte)((_sendBuffer[1] & 0x80) | track.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(_sendBuffer.AsSpan(2), unchecked((ushort)(rtp.SequenceNumber + track.SequenceOffset)));
        BinaryPrimitives.WriteUInt32BigEndian(_sendBuffer.AsSpan(8), track.Ssrc);
        return Protect(source.Length, rtp.Payload.Length, track);
    }

    private bool Protect(int length, int payloadLength, WhepOutgoingTrack track)
    {
        if (!_send!.TryProtectRtp(_sendBuffer, length, out int protectedLength))
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
        }
    }

    /// <summary>Stops sending and frees the SRTP contexts; the publisher's thread may still be inside a delivery.</summary>
    public void Close()
    {
        _ice.RtpReceived = null;
        lock (_sendLock)
        {
            _closed = true;
            _send?.Dispose();
            _send = null;
        }

        _ice.Close();
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
