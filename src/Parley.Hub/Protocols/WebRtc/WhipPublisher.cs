using System.Diagnostics;
using System.Globalization;
using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;
using Parley.Security.Srtp;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Rtcp;
using Parley.WebRtc.Sdp;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>
/// A WHIP publisher (RFC 9725): SRTP and SRTCP from the peer's ICE session are unprotected into one receive buffer
/// and written to the stream, RTP by payload type (unique across the BUNDLE), RTCP by the SSRC its RTP used. The
/// stream's receiver reports and key frame requests (PLI) go back as SRTCP. When transport-cc was negotiated, every
/// packet's transport-wide sequence number is recorded with its arrival time and feedback (RTPFB FMT 15) goes back
/// every <see cref="TransportFeedbackRecorder.DefaultInterval"/>, which drives the browser's bandwidth estimate.
/// Everything runs on the ICE server's receive thread, which is this publisher's receive path; nothing allocates
/// per packet.
/// </summary>
internal sealed class WhipPublisher : IStreamPublisher, IDisposable
{
    private readonly IceSession _ice;
    private readonly int[] _trackByPayloadType = new int[128];
    private readonly uint[] _ssrcByTrack;
    private readonly byte[] _receiveBuffer = new byte[2048];
    private readonly byte[] _sendBuffer = new byte[1500];
    private readonly CancellationTokenSource _kicked = new();
    private SrtpContext? _send;
    private SrtpContext? _receive;
    private long _unprotectFailures;
    private readonly TransportFeedbackRecorder? _transportFeedback;
    private readonly byte _transportSequenceId;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _nextTransportFeedback;
    private long _transportFeedbackSent;

    public WhipPublisher(string id, WebRtcAnswer answer, IceSession ice, string remote)
    {
        Id = id;
        _ice = ice;
        Array.Fill(_trackByPayloadType, -1);
        foreach (var track in answer.AcceptedTracks)
        {
            _trackByPayloadType[track.PayloadType] = track.SourceIndex;
        }

        _ssrcByTrack = new uint[answer.AcceptedTracks.Count()];
        if (answer.AcceptedTracks.FirstOrDefault(t => t.TransportWideCongestionControl) is { } congestionControlled)
        {
            _transportSequenceId = congestionControlled.Extensions.TransportSequenceNumber;
            _transportFeedback = new TransportFeedbackRecorder((uint)Random.Shared.Next() | 1u);
        }

        Description = $"whip {remote} (session {id})";
        StreamDescription = CreateDescription(answer);
    }

    public string Id { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>The stream's SDP: one section per received track, with the offer's rtpmap and fmtp.</summary>
    public SdpSession StreamDescription { get; }

    /// <summary>Set once the stream started; packets before that are dropped.</summary>
    public MediaStream? Stream { get; set; }

    public IceSession Ice => _ice;

    /// <summary>Cancelled when the hub asks the publisher to leave (take-over, shutdown).</summary>
    public CancellationToken Kicked => _kicked.Token;

    /// <summary>SRTP or SRTCP packets that failed authentication or replay checks.</summary>
    public long UnprotectFailures => Interlocked.Read(ref _unprotectFailures);

    /// <summary>Transport-wide congestion control feedback packets sent (0 when transport-cc was not negotiated).</summary>
    public long TransportFeedbackSent => Interlocked.Read(ref _transportFeedbackSent);

    public void Activate(SrtpContext send, SrtpContext receive)
    {
        _send = send;
        _receive = receive;
        _ice.RtpReceived = OnReceived;
    }

    /// <inheritdoc/>
    public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
    {
        // On the receive thread (the stream calls back from WriteRtp), like the unprotect below.
        if (_send is not { } send || compound.Length > _sendBuffer.Length - send.RtcpOverhead)
        {
            return;
        }

        compound.CopyTo(_sendBuffer);
        if (send.TryProtectRtcp(_sendBuffer, compound.Length, out int length))
        {
            _ice.Send(_sendBuffer.AsSpan(0, length));
        }
    }

    /// <inheritdoc/>
    public void Kick(string reason)
    {
        try
        {
            _kicked.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session already ended.
        }
    }

    /// <summary>Stops receiving and closes the ICE session.</summary>
    public void Dispose()
    {
        _ice.RtpReceived = null;
        _ice.Close();
        _kicked.Dispose();
    }

    // Internal for the forwarding benchmark, which drives the receive path without a socket.
    internal void OnReceived(ReadOnlySpan<byte> packet)
    {
        if (Stream is not { } stream || _receive is not { } receive || packet.Length > _receiveBuffer.Length)
        {
            return;
        }

        packet.CopyTo(_receiveBuffer);
        if (RtcpPacketView.LooksLikeRtcp(packet))
        {
            if (receive.UnprotectRtcp(_receiveBuffer, packet.Length, out int plain) != SrtpResult.Ok)
            {
                Interlocked.Increment(ref _unprotectFailures);
                return;
            }

            var reader = new RtcpCompoundReader(_receiveBuffer.AsSpan(0, plain));
            if (reader.TryReadNext(out var first) && first.PacketType == RtcpPacketType.SenderReport
                && RtcpSenderReportView.TryParse(first, out var sr) && Array.IndexOf(_ssrcByTrack, sr.Ssrc) is int track and >= 0)
            {
                stream.WriteRtcp(track, _receiveBuffer.AsSpan(0, plain));
            }

            return;
        }

        if (receive.UnprotectRtp(_receiveBuffer, packet.Length, out int length) != SrtpResult.Ok)
        {
            Interlocked.Increment(ref _unprotectFailures);
            return;
        }

        if (!RtpPacketView.TryParse(_receiveBuffer.AsSpan(0, length), out var rtp))
        {
            return;
        }

        // Every packet of the transport counts for congestion control, padding-only probes included.
        long now = Stopwatch.GetTimestamp();
        bool recorded = false;
        if (_transportFeedback is { } feedback && TransportFeedbackRecorder.TryReadSequenceNumber(rtp, _transportSequenceId, out ushort transportSequence))
        {
            feedback.Record(transportSequence, rtp.Ssrc, (long)((now - _start) * (1_000_000.0 / Stopwatch.Frequency)));
            recorded = true;
        }

        if (_trackByPayloadType[rtp.PayloadType] is int index and >= 0)
        {
            _ssrcByTrack[index] = rtp.Ssrc;
            stream.WriteRtp(index, _receiveBuffer.AsSpan(0, length));
        }

        if (recorded && now >= _nextTransportFeedback)
        {
            _nextTransportFeedback = now + (long)(TransportFeedbackRecorder.DefaultInterval.TotalSeconds * Stopwatch.Frequency);
            SendTransportFeedback(_transportFeedback!);
        }
    }

    // draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, sent alone (reduced-size RTCP, as browsers do).
    private void SendTransportFeedback(TransportFeedbackRecorder feedback)
    {
        if (_send is not { } send || !feedback.TryWriteFeedback(_sendBuffer.AsSpan(0, 1200), out int length))
        {
            return;
        }

        if (send.TryProtectRtcp(_sendBuffer, length, out int protectedLength))
        {
            _ice.Send(_sendBuffer.AsSpan(0, protectedLength));
            Interlocked.Increment(ref _transportFeedbackSent);
        }
    }

    private static SdpSession CreateDescription(WebRtcAnswer answer)
    {
        var session = new SdpSession { SessionName = "WHIP" };
        foreach (var track in answer.AcceptedTracks)
        {
            var media = new SdpMedia { MediaType = track.MediaType, Protocol = "RTP/AVP" };
            media.Formats.Add(track.PayloadType.ToString(CultureInfo.InvariantCulture));
            track.Offered.TryGetRtpMap(track.PayloadType, out var map);
            media.SetRtpMap(map);
            if (track.Offered.GetFormatParameters(track.PayloadType) is { } parameters)
            {
                media.SetFormatParameters(track.PayloadType, parameters);
            }

            session.Media.Add(media);
        }

        return session;
    }
}
