using Parley.Codecs;

namespace Parley.Endpoint.Rooms;

/// <summary>
/// One participant's audio on its way into an <see cref="AudioMixer"/>: an audio-only <see cref="IMediaSink"/>
/// holding interleaved 48 kHz stereo in a ring (<see cref="Capacity"/> samples). Writes come from the participant's
/// <see cref="View.AudioPlayer"/> clock and reads from the mixer's: both sides take a lock for a copy and nothing more.
/// </summary>
public sealed class MixerInput : IMediaSink
{
    /// <summary>Frames buffered before the input is mixed (again, after running dry).</summary>
    public const int PrimeFrames = 2;

    /// <summary>Frames held at most; beyond <see cref="MaxFrames"/> at a read, the oldest are dropped back to <see cref="PrimeFrames"/>.</summary>
    public const int MaxFrames = 6;

    /// <summary>Ring size in samples: room for a 200 ms catch-up burst from the player on top of <see cref="MaxFrames"/>.</summary>
    public const int Capacity = 16 * AudioMixer.FrameSamples;

    private readonly Lock _gate = new();
    private readonly short[] _ring = new short[Capacity];
    private int _start;
    private int _count;
    private bool _primed;

    internal MixerInput(string name) => Name = name;

    /// <summary>Whose audio this is.</summary>
    public string Name { get; }

    /// <summary>Samples (all channels) written by the player.</summary>
    public long SamplesWritten { get; private set; }

    /// <summary>Samples (all channels) taken into the mix.</summary>
    public long SamplesMixed { get; private set; }

    /// <summary>Samples dropped because the input ran too far ahead of the mixer.</summary>
    public long SamplesDropped { get; private set; }

    /// <summary>Times the input ran dry while being mixed.</summary>
    public long Underruns { get; private set; }

    /// <summary>Samples buffered now.</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <inheritdoc/>
    public void Start()
    {
    }

    /// <inheritdoc/>
    public bool WriteVideo(ReadOnlySpan<byte> i420, int width, int height, TimeSpan timestamp) => false;

    /// <summary>Appends interleaved stereo samples; when the ring is full the oldest are dropped.</summary>
    public bool WriteAudio(ReadOnlySpan<short> samples, TimeSpan timestamp)
    {
        lock (_gate)
        {
            if (samples.Length > Capacity)
            {
                SamplesDropped += samples.Length - Capacity;
                samples = samples[^Capacity..];
            }

            int overflow = _count + samples.Length - Capacity;
            if (overflow > 0)
            {
                Skip(overflow);
                SamplesDropped += overflow;
            }

            int end = (_start + _count) % Capacity;
            int first = Math.Min(samples.Length, Capacity - end);
            samples[..first].CopyTo(_ring.AsSpan(end));
            samples[first..].CopyTo(_ring);
            _count += samples.Length;
            SamplesWritten += samples.Length;
        }

        return true;
    }

    /// <inheritdoc/>
    public bool Complete(TimeSpan timeout) => true;

    /// <summary>Nothing to release: the input is memory only.</summary>
    public void Dispose()
    {
    }

    /// <summary>Takes up to one frame for the mix.</summary>
    /// <param name="frame">Receives the samples; its length is the frame.</param>
    /// <returns>Samples written to <paramref name="frame"/> from its start; 0 while priming.</returns>
    internal int Read(Span<short> frame)
    {
        lock (_gate)
        {
            if (!_primed)
            {
                if (_count < PrimeFrames * frame.Length)
                {
                    return 0;
                }

                _primed = true;
            }

            if (_count > MaxFrames * frame.Length)
            {
                // A burst after a stall: play the newest audio rather than keep the delay.
                int excess = _count - (PrimeFrames * frame.Length);
                Skip(excess);
                SamplesDropped += excess;
            }

            int read = Math.Min(frame.Length, _count);
            int first = Math.Min(read, Capacity - _start);
            _ring.AsSpan(_start, first).CopyTo(frame);
            _ring.AsSpan(0, read - first).CopyTo(frame[first..]);
            Skip(read);
            SamplesMixed += read;
            if (read < frame.Length)
            {
                Underruns++;
                _primed = false;
            }

            return read;
        }
    }

    private void Skip(int samples)
    {
        _start = (_start + samples) % Capacity;
        _count -= samples;
    }
}
