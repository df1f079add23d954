using Parley.Media.Sync;
using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.Endpoint.View;

/// <summary>
/// The RTCP side of receiving one track: RFC 3550 reception statistics of the sender's SSRC (A.1, A.3, A.8),
/// sender reports taken into the track's <see cref="RtpClockMapping"/> (for lip sync and latency) and remembered
/// for LSR/DLSR, and the compound packets sent back: RR + SDES CNAME (§6.1), followed by a PLI (RFC 4585 §6.3.1)
/// when a key frame is wanted. Not thread safe: the owning track receiver serializes calls.
/// </summary>
public sealed class ReceptionReporter
{
    /// <summary>The CNAME of every view session (RFC 3550 §6.5.1); SSRCs tell sessions apart.</summary>
    public static ReadOnlySpan<byte> CanonicalName => "parley-view"u8;

    /// <summary>The largest compound packet <see cref="WriteReport"/> writes, in bytes.</summary>
    public static readonly int MaxReportLength =
        RtcpWriter.GetReceiverReportLength(1) + RtcpWriter.GetSourceDescriptionCnameLength(CanonicalName.Length) + RtcpWriter.PictureLossIndicationLength;

    private readonly int _clockRate;
    private readonly ViewClock _clock;
    private RtpSourceStatistics? _source;
    private uint _lastSenderReportMiddle32;
    private TimeSpan _lastSenderReportArrival;

    /// <summary>Creates the reporter of one track.</summary>
    /// <param name="clockRate">The track's RTP clock rate in Hz.</param>
    /// <param name="localSsrc">This receiver's SSRC, the sender of the reports.</param>
    /// <param name="clock">The receiver's clock (arrival times, DLSR).</param>
    public ReceptionReporter(int clockRate, uint localSsrc, ViewClock clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
        LocalSsrc = localSsrc;
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        ClockMapping = new RtpClockMapping(clockRate);
    }

    /// <summary>This receiver's SSRC.</summary>
    public uint LocalSsrc { get; }

    /// <summary>The SSRC of the sender whose packets are counted; 0 before the first packet.</summary>
    public uint RemoteSsrc { get; private set; }

    /// <summary>The sender's RTP-to-wall-clock mapping from its sender reports.</summary>
    public RtpClockMapping ClockMapping { get; private set; }

    /// <summary>The reception statistics of the current sender (null before its first packet).</summary>
    public RtpSourceStatistics? Source => _source;

    /// <summary>Sender reports taken.</summary>
    public long SenderReports { get; private set; }

    /// <summary>RTCP compound packets that did not parse (counted, ignored).</summary>
    public long MalformedRtcp { get; private set; }

    /// <summary>
    /// Counts one RTP packet at its arrival. A new SSRC (a sender that restarted) starts new statistics and a new
    /// clock mapping, since its sequence numbers and timestamps start anywhere.
    /// </summary>
    public void OnRtp(in RtpPacketView packet, long arrivalTimestamp)
    {
        if (_source is null || packet.Ssrc != RemoteSsrc)
        {
            // A sender report can come before the first RTP packet (a hub hands a new reader the publisher's last
            // one at PLAY): keep its mapping when the RTP is from the same SSRC.
            bool reportedEarly = _source is null && _lastSenderReportMiddle32 != 0 && packet.Ssrc == RemoteSsrc;
            RemoteSsrc = packet.Ssrc;
            _source = new RtpSourceStatistics(_clockRate);
            if (!reportedEarly)
            {
                ClockMapping = new RtpClockMapping(_clockRate);
                _lastSenderReportMiddle32 = 0;
            }
        }

        _source.Update(packet.SequenceNumber, packet.Timestamp, arrivalTimestamp, _clock.Time.TimestampFrequency, packet.Payload.Length);
    }

    /// <summary>Takes the sender reports of an RTCP compound packet (RFC 3550 §6.4.1); other packets are ignored.</summary>
    /// <returns>True when a sender report of the current sender was taken.</returns>
    public bool OnRtcp(ReadOnlySpan<byte> compound)
    {
        var reader = new RtcpCompoundReader(compound);
        bool taken = false;
        while (reader.TryReadNext(out var packet))
        {
            if (packet.PacketType == RtcpPacketType.SenderReport && RtcpSenderReportView.TryParse(packet, out var report)
                && (_source is null || report.Ssrc == RemoteSsrc) && ClockMapping.Update(report))
            {
                RemoteSsrc = report.Ssrc;
                _lastSenderReportMiddle32 = report.NtpTimestamp.Middle32;
                _lastSenderReportArrival = _clock.Now;
                SenderReports++;
                taken = true;
            }
        }

        if (reader.IsMalformed)
        {
            MalformedRtcp++;
        }

        return taken;
    }

    /// <summary>
    /// Writes RR (with a report block once the sender is known) + SDES CNAME, then a PLI for the sender when
    /// <paramref name="pictureLoss"/> is set. Starts a new report interval for the fraction lost.
    /// </summary>
    /// <param name="destination">At least <see cref="MaxReportLength"/> bytes.</param>
    /// <param name="pictureLoss">Append a picture loss indication (needs a known sender).</param>
    /// <returns>Bytes written.</returns>
    public int WriteReport(Span<byte> destination, bool pictureLoss)
    {
        int length;
        if (_source is { IsValid: true } source)
        {
            uint dlsr = 0;
            if (_lastSenderReportMiddle32 != 0)
            {
                // RFC 3550 §6.4.1: DLSR in units of 1/65536 s.
                dlsr = (uint)Math.Min(uint.MaxValue, (_clock.Now - _lastSenderReportArrival).TotalSeconds * 65536);
            }

            Span<RtcpReportBlock> blocks = [source.CreateReportBlock(RemoteSsrc, _lastSenderReportMiddle32, dlsr)];
            length = RtcpWriter.WriteReceiverReport(destination, LocalSsrc, blocks);
        }
        else
        {
            length = RtcpWriter.WriteReceiverReport(destination, LocalSsrc, []);
        }

        length += RtcpWriter.WriteSourceDescriptionCname(destination[length..], LocalSsrc, CanonicalName);
        if (pictureLoss && _source is not null)
        {
            length += RtcpWriter.WritePictureLossIndication(destination[length..], LocalSsrc, RemoteSsrc);
        }

        return length;
    }
}
