using Parley.Media.Jitter;
using Parley.Media.Sync;
using Parley.Rtp;

namespace Parley.Endpoint.View;

/// <summary>
/// The common receive path of one track: RTP in (from the RTSP client's loops), RFC 3550 statistics at arrival,
/// over UDP a reorder buffer (<see cref="RtpReorderBuffer"/>) that puts packets back in sequence order, then the
/// codec-specific stage; RTCP in (sender reports) and receiver reports out.
/// </summary>
/// <remarks>
/// Every entry point takes the receiver's lock: over UDP the RTP and RTCP loops and the session's timer call
/// concurrently. The receive path allocates nothing once the pools are warm.
/// </remarks>
public abstract class TrackReceiver : IDisposable
{
    /// <summary>How long a missing packet is waited for over UDP before it is given up as lost.</summary>
    public static readonly TimeSpan ReorderWait = TimeSpan.FromMilliseconds(40);

    private readonly bool _reorder;
    private RtpReorderBuffer? _reorderBuffer;
    private bool _disposed;

    /// <summary>Creates the receiver.</summary>
    /// <param name="track">The track received.</param>
    /// <param name="reorder">Run packets through a reorder buffer (UDP); TCP delivers in order.</param>
    /// <param name="statistics">Where the run's counters go.</param>
    /// <param name="clock">The receiver's clock.</param>
    /// <param name="localSsrc">This receiver's SSRC in its RTCP reports.</param>
    protected TrackReceiver(ViewTrack track, bool reorder, TrackStatistics statistics, ViewClock clock, uint localSsrc)
    {
        Track = track ?? throw new ArgumentNullException(nameof(track));
        Statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        Clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _reorder = reorder;
        Reporter = new ReceptionReporter(track.ClockRate, localSsrc, clock);
        Timeline = new MediaTimeline(track.ClockRate);
        _reorderBuffer = reorder ? new RtpReorderBuffer(ReorderWait, RtpReorderBuffer.DefaultCapacity, clock.Time) : null;
    }

    /// <summary>The track received.</summary>
    public ViewTrack Track { get; }

    /// <summary>The run's counters for this track.</summary>
    public TrackStatistics Statistics { get; }

    /// <summary>The receiver's clock.</summary>
    protected ViewClock Clock { get; }

    /// <summary>Reception statistics and RTCP reports of the current sender.</summary>
    protected ReceptionReporter Reporter { get; private set; }

    /// <summary>Where frames sit on the recording's timeline.</summary>
    protected MediaTimeline Timeline { get; }

    /// <summary>The lock every entry point takes; subclasses take it for their own public members.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>The sender's RTP-to-wall-clock mapping (replaced when the sender's SSRC changes).</summary>
    public RtpClockMapping ClockMapping
    {
        get
        {
            lock (Gate)
            {
                return Reporter.ClockMapping;
            }
        }
    }

    /// <summary>The RTP timestamp and arrival time of the latest packet handed to the codec stage; null before one.</summary>
    public (uint RtpTimestamp, TimeSpan Arrival)? LatestPacket
    {
        get
        {
            lock (Gate)
            {
                return _latest;
            }
        }
    }

    private (uint, TimeSpan)? _latest;

    /// <summary>Packets released by the reorder buffer after giving up on missing ones, or dropped as late; 0 over TCP.</summary>
    public long PacketsReorderLost
    {
        get
        {
            lock (Gate)
            {
                return _reorderBuffer?.PacketsLost ?? 0;
            }
        }
    }

    /// <summary>One RTP packet as received. Never throws on wire input.</summary>
    public void OnRtp(ReadOnlySpan<byte> packet)
    {
        lock (Gate)
        {
            if (_disposed || !RtpPacketView.TryParse(packet, out var view) || view.PayloadType != Track.PayloadType)
            {
                return;
            }

            long now = Clock.Time.GetTimestamp();
            Statistics.OnPacket(view.Payload.Length);
            Reporter.OnRtp(view, now);
            if (_reorderBuffer is null)
            {
                Deliver(view, 0, Clock.FromTimestamp(now));
                return;
            }

            _reorderBuffer.Push(packet);
            Drain();
        }
    }

    /// <summary>One RTCP compound packet as received. Never throws on wire input.</summary>
    public void OnRtcp(ReadOnlySpan<byte> compound)
    {
        lock (Gate)
        {
            if (!_disposed)
            {
                Reporter.OnRtcp(compound);
            }
        }
    }

    /// <summary>Releases packets whose wait for a missing predecessor ran out; call every few milliseconds.</summary>
    public void Poll()
    {
        lock (Gate)
        {
            if (!_disposed && _reorderBuffer is not null)
            {
                Drain();
            }
        }
    }

    /// <summary>
    /// Writes the RTCP compound packet to send now, if any: the periodic receiver report when
    /// <paramref name="reportDue"/>, or a PLI (with its RR, RFC 4585 §3.1) when the codec stage wants a key frame.
    /// </summary>
    /// <param name="destination">At least <see cref="ReceptionReporter.MaxReportLength"/> bytes.</param>
    /// <param name="reportDue">The report interval has passed.</param>
    /// <returns>Bytes written; 0 when nothing is to be sent.</returns>
    public int WriteFeedback(Span<byte> destination, bool reportDue)
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return 0;
            }

            bool pli = WantsPictureLossIndication();
            if (!reportDue && !pli)
            {
                return 0;
            }

            if (Reporter.Source is { IsValid: true } source)
            {
                Statistics.OnReceptionStatistics(source.CumulativeLost, source.JitterSeconds);
            }

            if (pli)
            {
                Statistics.OnPictureLossIndication();
            }

            return Reporter.WriteReport(destination, pli);
        }
    }

    /// <summary>
    /// A new RTSP connection begins: sequence numbers, timestamps and SSRC start anywhere, so the reorder buffer,
    /// statistics, timeline and codec state start over (totals keep counting).
    /// </summary>
    public void BeginConnection()
    {
        lock (Gate)
        {
            Statistics.BeginConnection();
            Reporter = new ReceptionReporter(Track.ClockRate, Reporter.LocalSsrc, Clock);
            Timeline.Reset();
            _latest = null;
            if (_reorder)
            {
                _reorderBuffer?.Dispose();
                _reorderBuffer = new RtpReorderBuffer(ReorderWait, RtpReorderBuffer.DefaultCapacity, Clock.Time);
            }

            ResetCodec();
        }
    }

    /// <summary>Returns pooled buffers; later packets are ignored.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns pooled buffers; subclasses release their codec state and call the base.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        lock (Gate)
        {
            _disposed = true;
            _reorderBuffer?.Dispose();
        }
    }

    /// <summary>The codec stage: one packet in sequence order (under the lock).</summary>
    /// <param name="packet">The packet.</param>
    /// <param name="lostBefore">Packets given up as lost right before it (reorder buffer); the codec stage sees the gap too.</param>
    /// <param name="arrival">When it arrived, since the run began.</param>
    protected abstract void OnOrderedPacket(in RtpPacketView packet, int lostBefore, TimeSpan arrival);

    /// <summary>Whether a PLI should go out now (under the lock); false by default.</summary>
    protected virtual bool WantsPictureLossIndication() => false;

    /// <summary>Forgets codec state for a new connection (under the lock).</summary>
    protected abstract void ResetCodec();

    private void Drain()
    {
        while (_reorderBuffer!.TryRead(out var released))
        {
            if (RtpPacketView.TryParse(released.Packet, out var view))
            {
                Deliver(view, released.LostBefore, Clock.FromTimestamp(released.ArrivalTimestamp));
            }
        }
    }

    private void Deliver(in RtpPacketView packet, int lostBefore, TimeSpan arrival)
    {
        _latest = (packet.Timestamp, arrival);
        OnOrderedPacket(packet, lostBefore, arrival);
    }
}
