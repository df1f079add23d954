using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.Media.Sync;

/// <summary>
/// Maps the RTP timestamps of one track to the sender's wall clock, using the (NTP time, RTP timestamp) pair of
/// its latest RTCP sender report (RFC 3550 §6.4.1: "the same time as the NTP timestamp, but in the same units and
/// with the same random offset as the RTP timestamps in data packets"). This is what lets a receiver line up
/// tracks whose RTP timestamps have unrelated random starts and clock rates.
/// </summary>
/// <remarks>
/// A timestamp is placed at its signed 32-bit distance from the report's RTP timestamp
/// (<see cref="RtpTimestamp.Distance"/>), so wrap-around between report and packet is handled and packets from
/// before the report map to earlier times; this holds within 2^31 clock units of the report (6.6 h at 90 kHz).
/// The nominal clock rate is used; senders refresh reports every few seconds, which bounds drift. Not thread safe.
/// </remarks>
public sealed class RtpClockMapping
{
    private readonly int _clockRate;

    /// <summary>Creates a mapping that has no sender report yet.</summary>
    /// <param name="clockRate">The track's RTP clock rate in Hz (e.g. 48000 for Opus, 90000 for video).</param>
    /// <exception cref="ArgumentOutOfRangeException">The clock rate is not positive.</exception>
    public RtpClockMapping(int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
    }

    /// <summary>The track's RTP clock rate in Hz.</summary>
    public int ClockRate => _clockRate;

    /// <summary>True once a sender report has been taken.</summary>
    public bool HasSenderReport { get; private set; }

    /// <summary>The sender's wall clock (UTC) in the latest report taken.</summary>
    public DateTime ReportWallClock { get; private set; }

    /// <summary>The RTP timestamp of the latest report taken.</summary>
    public uint ReportTimestamp { get; private set; }

    /// <summary>Takes the NTP/RTP pair of a sender report (RFC 3550 §6.4.1).</summary>
    /// <returns>False when the report is older than the one already taken (a reordered or repeated RTCP packet).</returns>
    public bool Update(NtpTimestamp ntp, uint rtpTimestamp)
    {
        DateTime wallClock = ntp.ToDateTime();
        if (HasSenderReport && wallClock < ReportWallClock)
        {
            return false;
        }

        ReportWallClock = wallClock;
        ReportTimestamp = rtpTimestamp;
        HasSenderReport = true;
        return true;
    }

    /// <summary>Takes the NTP/RTP pair of a parsed sender report; the caller has matched its SSRC to this track.</summary>
    /// <returns>False when the report is older than the one already taken.</returns>
    public bool Update(in RtcpSenderReportView report) => Update(report.NtpTimestamp, report.RtpTimestamp);

    /// <summary>The sender's wall clock (UTC) at the instant <paramref name="rtpTimestamp"/> describes, e.g. a frame's capture.</summary>
    /// <returns>False before the first sender report.</returns>
    public bool TryGetWallClock(uint rtpTimestamp, out DateTime wallClock)
    {
        if (!HasSenderReport)
        {
            wallClock = default;
            return false;
        }

        long units = RtpTimestamp.Distance(ReportTimestamp, rtpTimestamp);
        wallClock = ReportWallClock.AddTicks(units * TimeSpan.TicksPerSecond / _clockRate);
        return true;
    }
}
