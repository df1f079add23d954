using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Codecs.Opus;
using Parley.Media.Jitter;

namespace Parley.Endpoint.View;

/// <summary>
/// Plays one Opus track: an <see cref="AdaptiveAudioJitterBuffer"/> filled by the receive path and drained by a
/// 20 ms audio clock, each pull decoded by libopus (a missing frame concealed by its PLC, RFC 6716 §4.4) and
/// written to the audio output at 48 kHz stereo. With no output the audio is still decoded, so statistics and
/// timing are the same as when playing.
/// </summary>
/// <remarks>Insert and the clock run on different threads; the jitter buffer is guarded by one lock.</remarks>
public sealed class AudioPlayer : IDisposable
{
    /// <summary>Audio played per clock tick: 20 ms, the usual Opus frame.</summary>
    public static readonly TimeSpan FrameDuration = TimeSpan.FromMilliseconds(20);

    /// <summary>Channels written to the output (libopus downmixes or duplicates as needed).</summary>
    public const int OutputChannels = 2;

    private const int SamplesPerFrame = OpusDecoder.SampleRate / 50;
    private const int ConcealmentGranule = 120; // libopus conceals in multiples of 2.5 ms

    private readonly Lock _gate = new();
    private readonly AudioJitterBufferOptions? _options;
    private AdaptiveAudioJitterBuffer _buffer;
    private readonly OpusDecoder _decoder = new(OutputChannels);
    private readonly short[] _pcm = new short[OpusDecoder.MaxFrameSize * OutputChannels];
    private readonly IMediaSink? _output;
    private readonly TrackStatistics _statistics;
    private readonly ViewClock _clock;
    private readonly ILogger _logger;
    private long _samplesWritten;

    /// <summary>Creates the player.</summary>
    /// <param name="output">The audio output (already started); null to decode without playing.</param>
    /// <param name="statistics">The run's counters for the track.</param>
    /// <param name="clock">The receiver's clock; arrival times and pulls use its <see cref="ViewClock.Now"/>.</param>
    /// <param name="options">Jitter buffer settings; the Opus defaults when null.</param>
    /// <param name="logger">Decoder failures at debug; null logs nothing.</param>
    /// <exception cref="CodecException">libopus is missing.</exception>
    public AudioPlayer(IMediaSink? output, TrackStatistics statistics, ViewClock clock, AudioJitterBufferOptions? options = null, ILogger? logger = null)
    {
        _output = output;
        _statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _options = options;
        _buffer = new AdaptiveAudioJitterBuffer(options);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The jitter buffer's playout delay at the last frame played.</summary>
    public TimeSpan PlayoutDelay
    {
        get
        {
            lock (_gate)
            {
                return _buffer.PlayoutDelay;
            }
        }
    }

    /// <summary>The playout delay the jitter buffer aims at (97th percentile of arrival delay).</summary>
    public TimeSpan TargetDelay
    {
        get
        {
            lock (_gate)
            {
                return _buffer.TargetDelay;
            }
        }
    }

    /// <summary>Frames the jitter buffer refused as arriving after their playout position.</summary>
    public long FramesDroppedLate
    {
        get
        {
            lock (_gate)
            {
                return _buffer.FramesDroppedLate;
            }
        }
    }

    /// <summary>Takes one Opus packet from the receive path (copied).</summary>
    /// <param name="packet">The Opus packet.</param>
    /// <param name="rtpTimestamp">Its RTP timestamp (48 kHz).</param>
    /// <param name="sampleCount">Samples per channel it decodes to (from its TOC).</param>
    /// <param name="arrival">When it arrived, on <see cref="ViewClock.Now"/>.</param>
    public void Insert(ReadOnlySpan<byte> packet, uint rtpTimestamp, int sampleCount, TimeSpan arrival)
    {
        lock (_gate)
        {
            _buffer.Insert(packet, rtpTimestamp, sampleCount, arrival);
        }
    }

    /// <summary>
    /// One tick of the audio clock: pulls what is due, decodes or conceals it and writes it to the output.
    /// </summary>
    /// <param name="now">The time of the tick on <see cref="ViewClock.Now"/>'s scale.</param>
    /// <returns>What the jitter buffer asked for.</returns>
    public AudioPlayoutKind Tick(TimeSpan now)
    {
        int samples;
        AudioPlayoutKind kind;
        lock (_gate)
        {
            var playout = _buffer.Pull(now);
            kind = playout.Kind;
            samples = kind switch
            {
                AudioPlayoutKind.Frame => Decode(playout.Payload),
                AudioPlayoutKind.Conceal => Conceal(playout.SampleCount),
                _ => 0,
            };
            if (kind == AudioPlayoutKind.Frame)
            {
                _statistics.OnFramePlayed(_buffer.PlayoutDelay);
            }
            else if (kind == AudioPlayoutKind.Conceal)
            {
                _statistics.OnFrameConcealed();
            }
        }

        if (samples > 0 && _output is not null)
        {
            var timestamp = TimeSpan.FromTicks(_samplesWritten * TimeSpan.TicksPerSecond / OpusDecoder.SampleRate);
            _output.WriteAudio(_pcm.AsSpan(0, samples * OutputChannels), timestamp);
        }

        _samplesWritten += samples;
        return kind;
    }

    /// <summary>Runs the 20 ms audio clock until cancelled, catching up (at most 200 ms) when a tick came late.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var next = _clock.Now;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _clock.Now;
            if (now - next > TimeSpan.FromMilliseconds(200))
            {
                next = now;
            }

            while (next <= now)
            {
                Tick(next);
                next += FrameDuration;
            }

            try
            {
                await Task.Delay(next - now, _clock.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Empties the jitter buffer and resets the decoder, for a new connection.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            // Arrival delays of the old connection say nothing about the new one.
            _buffer.Dispose();
            _buffer = new AdaptiveAudioJitterBuffer(_options);

            _decoder.Reset();
        }
    }

    /// <summary>Releases the decoder and the buffer's pooled frames.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _buffer.Dispose();
            _decoder.Dispose();
        }
    }

    private int Decode(ReadOnlySpan<byte> packet)
    {
        try
        {
            return _decoder.Decode(packet, _pcm, OpusDecoder.MaxFrameSize, decodeFec: false);
        }
        catch (CodecException e)
        {
            _statistics.OnDecodeError();
            _logger.LogDebug("view: Opus packet refused ({Message}); concealing", e.Message);
            return Conceal(SamplesPerFrame);
        }
    }

    private int Conceal(int sampleCount)
    {
        int samples = Math.Max(ConcealmentGranule, sampleCount / ConcealmentGranule * ConcealmentGranule);
        return _decoder.Decode([], _pcm, Math.Min(samples, OpusDecoder.MaxFrameSize), decodeFec: false);
    }
}
