using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Media.Jitter;

namespace Parley.Endpoint.View;

/// <summary>
/// Plays one audio track: an <see cref="AdaptiveAudioJitterBuffer"/> filled by the receive path and drained by a
/// 20 ms audio clock, each pull decoded or concealed by the codec's decoder and written to the audio output at
/// 48 kHz stereo. Opus (RFC 7587) goes through libopus, whose PLC conceals a missing frame (RFC 6716 §4.4); G.711
/// (PCMU/PCMA, RFC 3551 §4.5.14) through GStreamer's mulawdec/alawdec and audioresample, a missing frame played as
/// silence. With no output the audio is still decoded, so statistics and timing are the same as when playing.
/// </summary>
/// <remarks>
/// <para>Each tick plays 20 ms of media time: it pulls frames until their durations (RTP clock units, as inserted)
/// cover the 20 ms, carrying any excess to the next tick, so 10 ms G.711 packets take two pulls per tick and a
/// 60 ms Opus or G.711 packet one pull every third tick. The jitter buffer works in the track's clock rate
/// (48 kHz for Opus, 8000 Hz for G.711), with 20 ms concealment frames.</para>
/// <para>Insert and the clock run on different threads. The jitter buffer has one lock and the decoder another, so
/// the receive path never waits for a decode.</para>
/// </remarks>
public sealed class AudioPlayer : IDisposable
{
    /// <summary>Audio played per clock tick: 20 ms, the usual Opus and G.711 packet.</summary>
    public static readonly TimeSpan FrameDuration = TimeSpan.FromMilliseconds(20);

    /// <summary>Channels written to the output (decoders downmix or duplicate as needed).</summary>
    public const int OutputChannels = 2;

    /// <summary>Sample rate written to the output, in Hz.</summary>
    public const int OutputRate = 48000;

    private readonly Lock _gate = new(); // the jitter buffer: the receive path inserts, the clock pulls
    private readonly Lock _decodeGate = new(); // the decoder: the clock decodes, a new connection resets it
    private readonly AudioJitterBufferOptions _options;
    private AdaptiveAudioJitterBuffer _buffer;
    private readonly IAudioFrameDecoder _decoder;
    private readonly IMediaSink? _output;
    private readonly TrackStatistics _statistics;
    private readonly ViewClock _clock;
    private readonly ILogger _logger;
    private readonly string _codec;
    private long _samplesWritten;
    private byte[] _frame = new byte[1500]; // the pulled frame, copied out of the jitter buffer to decode outside _gate
    private long _owedTicks; // media time still owed to the output this tick (TimeSpan ticks); only the clock thread touches it

    /// <summary>Creates the player for the codec of <paramref name="statistics"/>' track.</summary>
    /// <param name="output">The audio output (already started); null to decode without playing.</param>
    /// <param name="statistics">The run's counters for the track; its <see cref="TrackStatistics.Track"/> says the codec (Opus, PCMU or PCMA) and clock rate.</param>
    /// <param name="clock">The receiver's clock; arrival times and pulls use its <see cref="ViewClock.Now"/>.</param>
    /// <param name="options">Jitter buffer settings; the defaults when null. Its clock rate and concealment frame are set from the track (20 ms).</param>
    /// <param name="logger">Decoder failures at debug; null logs nothing.</param>
    /// <exception cref="ArgumentException">The track is not Opus, PCMU or PCMA.</exception>
    /// <exception cref="CodecException">libopus, or GStreamer's G.711 decoder, is missing.</exception>
    public AudioPlayer(IMediaSink? output, TrackStatistics statistics, ViewClock clock, AudioJitterBufferOptions? options = null, ILogger? logger = null)
    {
        _output = output;
        _statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        var track = statistics.Track;
        _codec = track.CodecName;
        _options = (options ?? new AudioJitterBufferOptions()) with
        {
            ClockRate = track.ClockRate,
            ConcealmentSamples = (int)(track.ClockRate * FrameDuration.Ticks / TimeSpan.TicksPerSecond),
        };
        _decoder = track.Codec switch
        {
            ViewCodec.Opus => new OpusFrameDecoder(),
            ViewCodec.Pcmu or ViewCodec.Pcma => new G711FrameDecoder(track.Codec),
            _ => throw new ArgumentException($"{track.CodecName} is not an audio codec `parley view` plays.", nameof(statistics)),
        };
        _buffer = new AdaptiveAudioJitterBuffer(_options);
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

    /// <summary>Takes one encoded frame from the receive path (copied).</summary>
    /// <param name="packet">The Opus packet or G.711 payload.</param>
    /// <param name="rtpTimestamp">Its RTP timestamp (the track's clock rate).</param>
    /// <param name="sampleCount">Samples per channel it decodes to, in RTP clock units (Opus: from its TOC; G.711: its length).</param>
    /// <param name="arrival">When it arrived, on <see cref="ViewClock.Now"/>.</param>
    public void Insert(ReadOnlySpan<byte> packet, uint rtpTimestamp, int sampleCount, TimeSpan arrival)
    {
        lock (_gate)
        {
            _buffer.Insert(packet, rtpTimestamp, sampleCount, arrival);
        }
    }

    /// <summary>
    /// One tick of the audio clock: pulls what is due for the next 20 ms, decodes or conceals it and writes it to
    /// the output.
    /// </summary>
    /// <param name="now">The time of the tick on <see cref="ViewClock.Now"/>'s scale.</param>
    /// <returns>What the jitter buffer asked for at the tick's last pull (<see cref="AudioPlayoutKind.Frame"/> when a
    /// frame longer than 20 ms is still playing).</returns>
    public AudioPlayoutKind Tick(TimeSpan now)
    {
        var kind = AudioPlayoutKind.Frame;
        _owedTicks += FrameDuration.Ticks;
        long playedTicks = 0;
        while (_owedTicks > 0)
        {
            kind = PullOne(now + TimeSpan.FromTicks(playedTicks), out int sampleCount);
            if (kind == AudioPlayoutKind.Buffering)
            {
                _owedTicks = 0;
                break;
            }

            long ticks = Math.Max(1, sampleCount * TimeSpan.TicksPerSecond / _options.ClockRate);
            _owedTicks -= ticks;
            playedTicks += ticks;
        }

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
        }

        lock (_decodeGate)
        {
            _decoder.Reset();
        }
    }

    /// <summary>Releases the decoder and the buffer's pooled frames.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _buffer.Dispose();
        }

        lock (_decodeGate)
        {
            _decoder.Dispose();
        }
    }

    // One pull: decodes or conceals it and writes the audio out; sampleCount is the media time covered (RTP clock units).
    private AudioPlayoutKind PullOne(TimeSpan now, out int sampleCount)
    {
        AudioPlayoutKind kind;
        int frameLength = 0;
        lock (_gate)
        {
            var playout = _buffer.Pull(now);
            kind = playout.Kind;
            sampleCount = playout.SampleCount;
            if (kind == AudioPlayoutKind.Frame)
            {
                // The payload is the buffer's until its next call: copied, so the receive path never waits for a
                // decode (GStreamer's G.711 decoder can take up to its timeout).
                if (_frame.Length < playout.Payload.Length)
                {
                    _frame = new byte[playout.Payload.Length];
                }

                playout.Payload.CopyTo(_frame);
                frameLength = playout.Payload.Length;
                _statistics.OnFramePlayed(_buffer.PlayoutDelay);
            }
            else if (kind == AudioPlayoutKind.Conceal)
            {
                _statistics.OnFrameConcealed();
            }
        }

        ReadOnlySpan<short> pcm;
        lock (_decodeGate)
        {
            pcm = kind switch
            {
                AudioPlayoutKind.Frame => Decode(_frame.AsSpan(0, frameLength), sampleCount),
                AudioPlayoutKind.Conceal => _decoder.Conceal(sampleCount),
                _ => default,
            };
        }

        // The decoder's buffer is only touched again by this thread's next pull.
        int samples = pcm.Length / OutputChannels;
        if (samples > 0 && _output is not null)
        {
            var timestamp = TimeSpan.FromTicks(_samplesWritten * TimeSpan.TicksPerSecond / OutputRate);
            _output.WriteAudio(pcm[..(samples * OutputChannels)], timestamp);
        }

        _samplesWritten += samples;
        return kind;
    }

    private ReadOnlySpan<short> Decode(ReadOnlySpan<byte> frame, int sampleCount)
    {
        if (_decoder.TryDecode(frame, sampleCount, out var pcm, out string? error))
        {
            return pcm;
        }

        _statistics.OnDecodeError();
        _logger.LogDebug("view: {Codec} frame refused ({Message}); concealing", _codec, error);
        return _decoder.Conceal(sampleCount);
    }
}
