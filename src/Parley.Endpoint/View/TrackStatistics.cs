namespace Parley.Endpoint.View;

/// <summary>
/// What `parley view` counts for one stream (audio or video) over the whole run, across reconnections: RTP
/// packets and payload bytes, loss and jitter from the RFC 3550 receiver statistics, frames played, concealed
/// and dropped, key-frame requests, playout delay and capture-to-render latency.
/// </summary>
/// <remarks>Written by the receive loop and the render or playout thread; every member takes one lock, so reads
/// from the status line see consistent values.</remarks>
public sealed class TrackStatistics
{
    private readonly Lock _gate = new();
    private readonly LatencySamples _latency = new();
    private readonly LatencySamples _playoutDelay = new();
    private long _packets;
    private long _bytes;
    private long _lostBefore;
    private long _lostNow;
    private double _jitterMs;
    private double _jitterSumMs;
    private long _jitterSamples;
    private long _frames;
    private long _framesDropped;
    private long _framesConcealed;
    private long _pliSent;
    private long _decodeErrors;

    /// <summary>Creates the statistics of one track.</summary>
    /// <param name="track">The track counted.</param>
    public TrackStatistics(ViewTrack track)
    {
        Track = track ?? throw new ArgumentNullException(nameof(track));
    }

    /// <summary>The track counted.</summary>
    public ViewTrack Track { get; }

    /// <summary>Counts one RTP packet as received (before reordering).</summary>
    /// <param name="payloadBytes">Payload length in bytes (RTP header excluded).</param>
    public void OnPacket(int payloadBytes)
    {
        lock (_gate)
        {
            _packets++;
            _bytes += payloadBytes;
        }
    }

    /// <summary>Takes the receiver statistics of the current connection (RFC 3550 A.3 cumulative loss, A.8 jitter).</summary>
    /// <param name="cumulativeLost">Packets lost since this connection's first packet; negative values (duplicates) count as 0.</param>
    /// <param name="jitterSeconds">Interarrival jitter in seconds.</param>
    public void OnReceptionStatistics(long cumulativeLost, double jitterSeconds)
    {
        lock (_gate)
        {
            _lostNow = Math.Max(0, cumulativeLost);
            _jitterMs = jitterSeconds * 1000;
            _jitterSumMs += _jitterMs;
            _jitterSamples++;
        }
    }

    /// <summary>A new connection starts: its loss counts on top of the previous connections'.</summary>
    public void BeginConnection()
    {
        lock (_gate)
        {
            _lostBefore += _lostNow;
            _lostNow = 0;
        }
    }

    /// <summary>Counts one frame played (video rendered, audio frame decoded) and its playout delay.</summary>
    /// <param name="playoutDelay">From arrival of its last packet to rendering; null when not known.</param>
    public void OnFramePlayed(TimeSpan? playoutDelay)
    {
        lock (_gate)
        {
            _frames++;
            if (playoutDelay is { } delay)
            {
                _playoutDelay.Add(delay.TotalMilliseconds);
            }
        }
    }

    /// <summary>Counts a frame dropped before playing (incomplete, waiting for a key frame, queue full, too late).</summary>
    public void OnFrameDropped()
    {
        lock (_gate)
        {
            _framesDropped++;
        }
    }

    /// <summary>Counts an audio frame replaced by loss concealment.</summary>
    public void OnFrameConcealed()
    {
        lock (_gate)
        {
            _framesConcealed++;
        }
    }

    /// <summary>Counts an RTCP picture loss indication sent (RFC 4585 §6.3.1).</summary>
    public void OnPictureLossIndication()
    {
        lock (_gate)
        {
            _pliSent++;
        }
    }

    /// <summary>Counts a frame the decoder refused.</summary>
    public void OnDecodeError()
    {
        lock (_gate)
        {
            _decodeErrors++;
        }
    }

    /// <summary>Records the capture-to-render latency of one frame.</summary>
    public void OnLatency(TimeSpan latency)
    {
        lock (_gate)
        {
            _latency.Add(latency.TotalMilliseconds);
        }
    }

    /// <summary>A consistent copy of the counters.</summary>
    /// <param name="percentiles">Also work out percentiles (sorts the samples: for the final report, not every second).</param>
    public TrackSnapshot Snapshot(bool percentiles = false)
    {
        lock (_gate)
        {
            return new TrackSnapshot
            {
                Packets = _packets,
                Bytes = _bytes,
                Lost = _lostBefore + _lostNow,
                JitterMs = _jitterMs,
                MeanJitterMs = _jitterSamples == 0 ? 0 : _jitterSumMs / _jitterSamples,
                Frames = _frames,
                FramesDropped = _framesDropped,
                FramesConcealed = _framesConcealed,
                PictureLossIndications = _pliSent,
                DecodeErrors = _decodeErrors,
                PlayoutDelayMs = _playoutDelay.Last,
                MeanPlayoutDelayMs = _playoutDelay.Mean,
                LatencyCount = _latency.Count,
                LatencyMs = _latency.Count == 0 ? null : _latency.Last,
                MeanLatencyMs = _latency.Count == 0 ? null : _latency.Mean,
                LatencyP50Ms = percentiles ? _latency.Percentile(0.50) : null,
                LatencyP95Ms = percentiles ? _latency.Percentile(0.95) : null,
                LatencyP99Ms = percentiles ? _latency.Percentile(0.99) : null,
            };
        }
    }
}

/// <summary>The counters of a <see cref="TrackStatistics"/> at one instant. Times in milliseconds.</summary>
public readonly record struct TrackSnapshot
{
    /// <summary>RTP packets received.</summary>
    public long Packets { get; init; }

    /// <summary>RTP payload bytes received.</summary>
    public long Bytes { get; init; }

    /// <summary>Packets lost (RFC 3550 A.3), summed over connections.</summary>
    public long Lost { get; init; }

    /// <summary>Current interarrival jitter (RFC 3550 A.8), ms.</summary>
    public double JitterMs { get; init; }

    /// <summary>Mean of the jitter estimates taken (about one per second), ms.</summary>
    public double MeanJitterMs { get; init; }

    /// <summary>Frames played: video frames rendered, audio frames decoded (concealment excluded).</summary>
    public long Frames { get; init; }

    /// <summary>Frames dropped before playing.</summary>
    public long FramesDropped { get; init; }

    /// <summary>Audio frames concealed.</summary>
    public long FramesConcealed { get; init; }

    /// <summary>PLIs sent.</summary>
    public long PictureLossIndications { get; init; }

    /// <summary>Frames the decoder refused.</summary>
    public long DecodeErrors { get; init; }

    /// <summary>Latest playout delay (arrival to render), ms.</summary>
    public double PlayoutDelayMs { get; init; }

    /// <summary>Mean playout delay, ms.</summary>
    public double MeanPlayoutDelayMs { get; init; }

    /// <summary>Frames whose capture-to-render latency was measured.</summary>
    public long LatencyCount { get; init; }

    /// <summary>Latest latency, ms; null when frames carry no capture time.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Mean latency, ms.</summary>
    public double? MeanLatencyMs { get; init; }

    /// <summary>Median latency, ms (final report only).</summary>
    public double? LatencyP50Ms { get; init; }

    /// <summary>95th percentile latency, ms (final report only).</summary>
    public double? LatencyP95Ms { get; init; }

    /// <summary>99th percentile latency, ms (final report only).</summary>
    public double? LatencyP99Ms { get; init; }

    /// <summary>Fraction of expected packets lost, 0..1.</summary>
    public double LossFraction => Packets + Lost == 0 ? 0 : (double)Lost / (Packets + Lost);
}
