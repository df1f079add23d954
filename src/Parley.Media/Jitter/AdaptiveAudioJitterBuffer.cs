using System.Buffers;
using Parley.Rtp;

namespace Parley.Media.Jitter;

/// <summary>
/// An adaptive jitter buffer for audio frames (e.g. Opus packets), a simplified WebRTC NetEq: it measures each
/// packet's delay relative to the fastest packet of the last seconds (<see cref="RelativeArrivalDelay"/>), keeps a
/// forgetting histogram of those delays (<see cref="DelayHistogram"/>) and aims the playout delay at its
/// <see cref="AudioJitterBufferOptions.Quantile"/> (97th percentile by default), within the configured bounds.
/// </summary>
/// <remarks>
/// <para>The playout delay is how long after its fastest possible arrival a frame is played: a frame whose
/// relative delay is at most the playout delay is in time. The consumer's audio clock calls <see cref="Pull"/>
/// whenever it needs the next frame (every 20 ms for 20 ms frames). Without time-stretching, the delay is
/// adapted whole frames at a time, as NetEq's decision logic would with its simplest operations: when the delay is
/// below the target, a concealment frame is played in front of the frame due ("expand", the delay grows by one
/// frame); when it is more than 1.5 frames above the target and the next frame is there, the frame due is
/// dropped ("accelerate"). Never two adjustments in a row, so artefacts are spread out.</para>
/// <para>A missing frame with later frames buffered is concealed and skipped (lost, or too late). An empty buffer
/// is an underrun: concealment is played without moving the playout position, and playout resumes at the next
/// frame that arrives, which also bridges Opus DTX gaps (RFC 7587 §3.1.3) without a string of concealment.</para>
/// <para>Times are the receiver's monotonic clock (e.g. <see cref="TimeProvider.GetElapsedTime(long)"/> from a
/// fixed start), passed explicitly so tests and the audio callback control them. Frames are copied into buffers
/// rented from <see cref="ArrayPool{T}.Shared"/>; Insert and Pull allocate nothing once warm. Not thread safe.</para>
/// </remarks>
public sealed class AdaptiveAudioJitterBuffer : IDisposable
{
    private readonly AudioJitterBufferOptions _options;
    private readonly Frame[] _frames;
    private readonly RelativeArrivalDelay _arrivalDelay;
    private readonly DelayHistogram _histogram;
    private readonly TimeSpan _frameDuration;
    private TimestampUnwrapper _unwrapper;
    private int _head;
    private int _count;
    private bool _started;
    private bool _underrun;
    private bool _adjustedLastPull;
    private long _playoutTimestamp;
    private byte[]? _lastPlayed;

    /// <summary>Creates a buffer.</summary>
    /// <param name="options">Settings; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range, or the bounds contradict each other.</exception>
    public AdaptiveAudioJitterBuffer(AudioJitterBufferOptions? options = null)
    {
        _options = options ?? new AudioJitterBufferOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.ClockRate, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.ConcealmentSamples, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Capacity, 2, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.WarmUpPackets, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MinimumDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaximumDelay, _options.MinimumDelay, nameof(options));
        if (!(_options.Quantile > 0 && _options.Quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Quantile, "Quantile must be in (0, 1].");
        }

        _frames = new Frame[_options.Capacity];
        _arrivalDelay = new RelativeArrivalDelay(_options.ClockRate, _options.DelayWindow);
        int buckets = (int)(_options.MaximumDelay.Ticks / _options.HistogramBucket.Ticks) + 2;
        _histogram = new DelayHistogram(_options.HistogramBucket, buckets, _options.ForgetFactor);
        _frameDuration = ToTime(_options.ConcealmentSamples);
        TargetDelay = Clamp(_options.InitialDelay);
    }

    /// <summary>The playout delay aimed at: the chosen quantile of relative arrival delay, within the bounds.</summary>
    public TimeSpan TargetDelay { get; private set; }

    /// <summary>The playout delay measured at the last pull that played a frame (see the class remarks).</summary>
    public TimeSpan PlayoutDelay { get; private set; }

    /// <summary>Audio buffered ahead of the playout position: from it to the end of the newest frame held.</summary>
    public TimeSpan BufferLevel
    {
        get
        {
            if (_count == 0)
            {
                return TimeSpan.Zero;
            }

            ref Frame last = ref _frames[(_head + _count - 1) % _frames.Length];
            long from = _started ? _playoutTimestamp : _frames[_head].Timestamp;
            return ToTime(last.Timestamp + last.SampleCount - from);
        }
    }

    /// <summary>Frames held now.</summary>
    public int Count => _count;

    /// <summary>Frames accepted by <see cref="Insert"/>.</summary>
    public long FramesInserted { get; private set; }

    /// <summary>Frames returned for decoding.</summary>
    public long FramesPlayed { get; private set; }

    /// <summary>Concealment frames returned, for losses, late frames, underruns and expansion alike.</summary>
    public long FramesConcealed { get; private set; }

    /// <summary>Concealment frames inserted on purpose to grow the playout delay (a subset of <see cref="FramesConcealed"/>).</summary>
    public long FramesExpanded { get; private set; }

    /// <summary>Frames dropped on purpose to shrink the playout delay.</summary>
    public long FramesAccelerated { get; private set; }

    /// <summary>Frames that arrived after their playout position had passed.</summary>
    public long FramesDroppedLate { get; private set; }

    /// <summary>Frames dropped because the buffer was full (the oldest go first).</summary>
    public long FramesDroppedOverflow { get; private set; }

    /// <summary>Frames dropped because a frame with the same timestamp was held.</summary>
    public long FramesDuplicate { get; private set; }

    /// <summary>Frames refused as malformed: empty, or a sample count that is not positive or over one second.</summary>
    public long FramesMalformed { get; private set; }

    /// <summary>
    /// Takes one encoded frame, measures its arrival delay and holds a copy until its playout position. Never
    /// throws on wire input. Does not invalidate the payload last returned by <see cref="Pull"/>.
    /// </summary>
    /// <param name="payload">The encoded frame (e.g. an Opus packet); not kept.</param>
    /// <param name="rtpTimestamp">The RTP timestamp of its first sample.</param>
    /// <param name="sampleCount">Samples per channel it decodes to, in RTP clock units (e.g. from the Opus TOC).</param>
    /// <param name="arrival">When it arrived, on the receiver's monotonic clock.</param>
    /// <returns>True when held; false when malformed, late, a duplicate or refused for overflow (counted).</returns>
    public bool Insert(ReadOnlySpan<byte> payload, uint rtpTimestamp, int sampleCount, TimeSpan arrival)
    {
        if (payload.IsEmpty || sampleCount <= 0 || sampleCount > _options.ClockRate)
        {
            FramesMalformed++;
            return false;
        }

        long timestamp = _unwrapper.Unwrap(rtpTimestamp);
        if (_started && timestamp < _playoutTimestamp)
        {
            // A late frame is the very evidence that the delay is too short: measure it before dropping it.
            UpdateTarget(timestamp, arrival);
            FramesDroppedLate++;
            return false;
        }

        int position = _count;
        while (position > 0 && At(position - 1).Timestamp >= timestamp)
        {
            position--;
        }

        if (position < _count && At(position).Timestamp == timestamp)
        {
            FramesDuplicate++;
            return false;
        }

        UpdateTarget(timestamp, arrival);
        if (_count == _frames.Length)
        {
            FramesDroppedOverflow++;
            if (position == 0)
            {
                return false;
            }

            DropHead();
            position--;
        }

        for (int i = _count; i > position; i--)
        {
            At(i) = At(i - 1);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(buffer);
        At(position) = new Frame { Buffer = buffer, Length = payload.Length, Timestamp = timestamp, SampleCount = sampleCount };
        _count++;
        FramesInserted++;
        return true;
    }

    /// <summary>
    /// Returns what to play next: a frame, a concealment frame, or nothing yet. Call it whenever the audio output
    /// needs the next frame. Invalidates the payload returned by the previous pull.
    /// </summary>
    /// <param name="now">The receiver's monotonic clock, on the same scale as the arrival times.</param>
    public AudioPlayout Pull(TimeSpan now)
    {
        ReturnLastPlayed();
        if (!_started)
        {
            if (_count == 0 || DelayOf(_frames[_head].Timestamp, now) < TargetDelay)
            {
                return default;
            }

            _started = true;
            _playoutTimestamp = _frames[_head].Timestamp;
        }

        // Only a frame overlapping the one just played can be behind the playout position.
        while (_count > 0 && _frames[_head].Timestamp < _playoutTimestamp)
        {
            FramesDroppedLate++;
            DropHead();
        }

        if (_count == 0)
        {
            _underrun = true;
            return Conceal(_options.ConcealmentSamples, advance: false);
        }

        long due = _frames[_head].Timestamp;
        if (due > _playoutTimestamp)
        {
            if (!_underrun)
            {
                return Conceal((int)Math.Min(_options.ConcealmentSamples, due - _playoutTimestamp), advance: true);
            }

            _playoutTimestamp = due;
        }

        _underrun = false;
        PlayoutDelay = DelayOf(_playoutTimestamp, now);
        bool adjusted = _adjustedLastPull;
        _adjustedLastPull = false;
        if (!adjusted && PlayoutDelay < TargetDelay)
        {
            FramesExpanded++;
            _adjustedLastPull = true;
            return Conceal(_options.ConcealmentSamples, advance: false);
        }

        if (!adjusted && PlayoutDelay >= TargetDelay + (_frameDuration * 1.5) && _count >= 2
            && At(1).Timestamp == due + _frames[_head].SampleCount)
        {
            FramesAccelerated++;
            _adjustedLastPull = true;
            DropHead();
        }

        ref Frame frame = ref _frames[_head];
        _lastPlayed = frame.Buffer;
        var playout = new AudioPlayout(AudioPlayoutKind.Frame, _lastPlayed.AsSpan(0, frame.Length), unchecked((uint)frame.Timestamp), frame.SampleCount);
        _playoutTimestamp = frame.Timestamp + frame.SampleCount;
        frame = default;
        _head = (_head + 1) % _frames.Length;
        _count--;
        FramesPlayed++;
        return playout;
    }

    /// <summary>Returns every pooled buffer. The buffer must not be used afterwards.</summary>
    public void Dispose()
    {
        ReturnLastPlayed();
        while (_count > 0)
        {
            DropHead();
        }
    }

    private ref Frame At(int index) => ref _frames[(_head + index) % _frames.Length];

    // How long after its fastest possible arrival the audio at `timestamp` would be played at `now`.
    private TimeSpan DelayOf(long timestamp, TimeSpan now) =>
        now - _arrivalDelay.MinimumTransit - _arrivalDelay.MediaTime(timestamp);

    private void UpdateTarget(long timestamp, TimeSpan arrival)
    {
        _histogram.Add(_arrivalDelay.Add(timestamp, arrival));
        TimeSpan target = _histogram.GetQuantile(_options.Quantile);
        if (_histogram.Count < _options.WarmUpPackets && target < _options.InitialDelay)
        {
            target = _options.InitialDelay;
        }

        TargetDelay = Clamp(target);
    }

    private AudioPlayout Conceal(int sampleCount, bool advance)
    {
        FramesConcealed++;
        var playout = new AudioPlayout(AudioPlayoutKind.Conceal, default, unchecked((uint)_playoutTimestamp), sampleCount);
        if (advance)
        {
            _playoutTimestamp += sampleCount;
        }

        return playout;
    }

    private void DropHead()
    {
        ref Frame frame = ref _frames[_head];
        if (frame.Buffer is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (_started && frame.Timestamp + frame.SampleCount > _playoutTimestamp)
        {
            _playoutTimestamp = frame.Timestamp + frame.SampleCount;
        }

        frame = default;
        _head = (_head + 1) % _frames.Length;
        _count--;
    }

    private void ReturnLastPlayed()
    {
        if (_lastPlayed is { } buffer)
        {
            _lastPlayed = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private TimeSpan Clamp(TimeSpan delay) =>
        delay < _options.MinimumDelay ? _options.MinimumDelay : delay > _options.MaximumDelay ? _options.MaximumDelay : delay;

    private TimeSpan ToTime(long samples) => TimeSpan.FromTicks(samples * TimeSpan.TicksPerSecond / _options.ClockRate);

    private struct Frame
    {
        public byte[]? Buffer;
        public int Length;
        public long Timestamp;
        public int SampleCount;
    }
}
