using Parley.Rtp.Rtcp;

namespace Parley.Rtp;

/// <summary>
/// Reception statistics for one RTP source, as a receiver keeps them for its reception reports: sequence number
/// validation with probation (RFC 3550 A.1), expected/lost packets and fraction lost per report interval (A.3),
/// and interarrival jitter (A.8). Not thread safe; one per SSRC. <see cref="Update"/> allocates nothing.
/// </summary>
/// <remarks>
/// As in A.1, a new source is on probation until <c>minSequential</c> packets arrive in sequence; packets during
/// probation are not counted, and the base sequence number is the one that ends probation. A jump of more than
/// 3000 packets forward (or 100 back) is ignored unless the next packet follows it, in which case the source is
/// taken to have restarted and loss accounting starts over.
/// </remarks>
public sealed class RtpSourceStatistics
{
    /// <summary>RFC 3550 A.1 MAX_DROPOUT: the largest forward jump still treated as loss.</summary>
    public const int MaxDropout = 3000;

    /// <summary>RFC 3550 A.1 MAX_MISORDER: the largest backward jump still treated as reordering.</summary>
    public const int MaxMisorder = 100;

    /// <summary>RFC 3550 A.1 MIN_SEQUENTIAL: in-sequence packets needed to validate a new source.</summary>
    public const int DefaultMinSequential = 2;

    private const int SequenceModulo = 1 << 16;

    private readonly int _minSequential;
    private bool _initialized;
    private ushort _maxSeq;
    private long _cycles;
    private uint _baseSeq;
    private int _badSeq;
    private int _probation;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;

    private bool _hasTransit;
    private long _lastArrivalTicks;
    private uint _lastRtpTimestamp;
    private double _jitter;

    /// <summary>Creates statistics for a source with the RFC's probation of 2 sequential packets.</summary>
    /// <param name="clockRate">The payload format's RTP clock rate in Hz, e.g. 90000 for video.</param>
    /// <exception cref="ArgumentOutOfRangeException">The clock rate is not positive.</exception>
    public RtpSourceStatistics(int clockRate)
        : this(clockRate, DefaultMinSequential)
    {
    }

    /// <summary>Creates statistics for a source.</summary>
    /// <param name="clockRate">The payload format's RTP clock rate in Hz.</param>
    /// <param name="minSequential">Sequential packets needed before a source is valid (1 accepts the first packet).</param>
    /// <exception cref="ArgumentOutOfRangeException">The clock rate or <paramref name="minSequential"/> is not positive.</exception>
    public RtpSourceStatistics(int clockRate, int minSequential)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minSequential);
        ClockRate = clockRate;
        _minSequential = minSequential;
    }

    /// <summary>The RTP clock rate in Hz used to convert arrival times and jitter.</summary>
    public int ClockRate { get; }

    /// <summary>True once the source has passed probation (RFC 3550 A.1).</summary>
    public bool IsValid => _initialized && _probation == 0;

    /// <summary>Packets counted since the source became valid (A.1 "received"; a restart after a large jump
    /// does not reset this total).</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>Payload bytes of the counted packets (headers and padding excluded).</summary>
    public long BytesReceived { get; private set; }

    /// <summary>The packets rejected by A.1 validation: during probation or after an unconfirmed large jump.</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>The first sequence number counted, A.1 "base_seq".</summary>
    public uint BaseSequence => _baseSeq;

    /// <summary>Cycles * 65536 + the highest sequence number received (RFC 3550 A.3 "extended_max").</summary>
    public uint ExtendedHighestSequence => unchecked((uint)(_cycles + _maxSeq));

    /// <summary>Packets expected since the base sequence number: extended_max - base_seq + 1 (RFC 3550 A.3).</summary>
    public long Expected => IsValid ? _cycles + _maxSeq - _baseSeq + 1 : 0;

    /// <summary>Expected minus received packets since the base (RFC 3550 A.3); negative with duplicates.</summary>
    public long CumulativeLost => IsValid ? Expected - _received : 0;

    /// <summary>The interarrival jitter estimate in RTP timestamp units, fractional (RFC 3550 A.8).</summary>
    public double JitterTimestampUnitsExact => _jitter;

    /// <summary>The interarrival jitter in RTP timestamp units, truncated, as the report block carries it (RFC 3550 §6.4.1).</summary>
    public uint JitterTimestampUnits => (uint)_jitter;

    /// <summary>The interarrival jitter in seconds: <see cref="JitterTimestampUnitsExact"/> / clock rate.</summary>
    public double JitterSeconds => _jitter / ClockRate;

    /// <summary>
    /// Accounts one received RTP packet (RFC 3550 A.1 update_seq and A.8 jitter). Allocates nothing.
    /// </summary>
    /// <param name="sequenceNumber">The packet's sequence number.</param>
    /// <param name="rtpTimestamp">The packet's RTP timestamp (clock units).</param>
    /// <param name="arrivalTicks">Arrival time on any monotonic clock, in its ticks (e.g. <c>TimeProvider.GetTimestamp()</c>).</param>
    /// <param name="ticksPerSecond">Ticks per second of that clock (e.g. <c>TimeProvider.TimestampFrequency</c>).</param>
    /// <param name="payloadBytes">The payload length in bytes.</param>
    public void Update(ushort sequenceNumber, uint rtpTimestamp, long arrivalTicks, long ticksPerSecond, int payloadBytes)
    {
        if (!UpdateSequence(sequenceNumber))
        {
            PacketsDiscarded++;
            return;
        }

        PacketsReceived++;
        BytesReceived += payloadBytes;
        UpdateJitter(rtpTimestamp, arrivalTicks, ticksPerSecond);
    }

    /// <summary>
    /// Builds a reception report block for this source and starts a new report interval: the fraction lost is
    /// lost/expected packets since the previous call, in 1/256 (RFC 3550 A.3); cumulative loss is clamped to 24 bits.
    /// </summary>
    /// <param name="ssrc">The SSRC of this source (SSRC_n).</param>
    /// <param name="lastSenderReportMiddle32">LSR: <see cref="NtpTimestamp.Middle32"/> of the last SR received, 0 if none.</param>
    /// <param name="delaySinceLastSenderReport">DLSR in 1/65536 s, 0 if no SR was received.</param>
    public RtcpReportBlock CreateReportBlock(uint ssrc, uint lastSenderReportMiddle32, uint delaySinceLastSenderReport)
    {
        long expected = Expected;
        long expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        long receivedInterval = _received - _receivedPrior;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0
            ? (byte)0
            : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        int cumulative = (int)Math.Clamp(CumulativeLost, RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost);
        return new RtcpReportBlock(
            ssrc,
            fraction,
            cumulative,
            ExtendedHighestSequence,
            JitterTimestampUnits,
            lastSenderReportMiddle32,
            delaySinceLastSenderReport);
    }

    // RFC 3550 A.1 init_seq.
    private void InitSequence(ushort sequenceNumber)
    {
        _baseSeq = sequenceNumber;
        _maxSeq = sequenceNumber;
        _badSeq = SequenceModulo + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
    }

    // RFC 3550 A.1 update_seq; true when the packet is counted.
    private bool UpdateSequence(ushort sequenceNumber)
    {
        if (!_initialized)
        {
            InitSequence(sequenceNumber);
            _maxSeq = unchecked((ushort)(sequenceNumber - 1));
            _probation = _minSequential;
            _initialized = true;
        }

        ushort udelta = unchecked((ushort)(sequenceNumber - _maxSeq));
        if (_probation > 0)
        {
            if (sequenceNumber == unchecked((ushort)(_maxSeq + 1)))
            {
                _probation--;
                _maxSeq = sequenceNumber;
                if (_probation == 0)
                {
                    InitSequence(sequenceNumber);
                    _received++;
                    return true;
                }
            }
            else
            {
                _probation = _minSequential - 1;
                _maxSeq = sequenceNumber;
            }

            return false;
        }

        if (udelta < MaxDropout)
        {
            if (sequenceNumber < _maxSeq)
            {
                _cycles += SequenceModulo;
            }

            _maxSeq = sequenceNumber;
        }
        else if (udelta <= SequenceModulo - MaxMisorder)
        {
            if (sequenceNumber == _badSeq)
            {
                // Two sequential packets after a large jump: the source restarted (A.1 resync).
                InitSequence(sequenceNumber);
                _hasTransit = false;
            }
            else
            {
                _badSeq = (sequenceNumber + 1) & (SequenceModulo - 1);
                return false;
            }
        }

        // Otherwise a duplicate or reordered packet: counted, max unchanged.
        _received++;
        return true;
    }

    // RFC 3550 A.8, with the transit difference computed from deltas so neither clock's wrap nor a large tick
    // count overflows: D = (arrival_j - arrival_i) - (ts_j - ts_i), in RTP units.
    private void UpdateJitter(uint rtpTimestamp, long arrivalTicks, long ticksPerSecond)
    {
        if (_hasTransit && ticksPerSecond > 0)
        {
            long deltaTicks = arrivalTicks - _lastArrivalTicks;
            double arrivalDelta = (double)deltaTicks * ClockRate / ticksPerSecond;
            double d = Math.Abs(arrivalDelta - RtpTimestamp.Distance(_lastRtpTimestamp, rtpTimestamp));
            _jitter += (d - _jitter) / 16.0;
        }

        _hasTransit = true;
        _lastArrivalTicks = arrivalTicks;
        _lastRtpTimestamp = rtpTimestamp;
    }
}
