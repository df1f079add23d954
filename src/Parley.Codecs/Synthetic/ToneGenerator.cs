namespace Parley.Codecs.Synthetic;

/// <summary>
/// A test tone: 48 kHz signed 16-bit PCM, a steady sine (440 Hz by default) interrupted once a second, at each
/// whole second of the sample clock, by a short 1 kHz beep. The beeps are time marks: with
/// <see cref="Position"/> = capture Unix time in ms × 48 they fall on wall-clock seconds, where
/// <see cref="TestPatternGenerator"/>'s clock rolls over, so a receiver can measure audio/video skew.
/// </summary>
/// <remarks>
/// The waveform is a pure function of the sample index (phase = index mod one second), so any span can be
/// regenerated exactly and there is no drift. <see cref="Fill"/> allocates nothing. Not thread-safe.
/// </remarks>
public sealed class ToneGenerator
{
    /// <summary>The sampling rate of the output, in Hz.</summary>
    public const int SampleRate = 48000;

    private readonly double _amplitude;
    private readonly int _beepSamples;

    /// <summary>Creates a generator.</summary>
    /// <param name="channels">1 (mono) or 2 (the same signal interleaved on both channels).</param>
    /// <param name="frequency">Tone frequency in Hz, 1..23999 (whole Hz keep the phase continuous across seconds).</param>
    /// <param name="beepFrequency">Time-mark frequency in Hz, 1..23999.</param>
    /// <param name="beepDuration">Time-mark length, 0 (no beeps) to 1 s.</param>
    /// <param name="amplitude">Peak level as a fraction of full scale, 0..1.</param>
    /// <exception cref="ArgumentOutOfRangeException">Any argument outside its range.</exception>
    public ToneGenerator(int channels = 1, int frequency = 440, int beepFrequency = 1000, TimeSpan? beepDuration = null, double amplitude = 0.3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(frequency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frequency, SampleRate / 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(beepFrequency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(beepFrequency, SampleRate / 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(amplitude, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(amplitude, 1);
        TimeSpan beep = beepDuration ?? TimeSpan.FromMilliseconds(50);
        if (beep < TimeSpan.Zero || beep > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(beepDuration), beep, "Expected 0 to 1 second.");
        }

        Channels = channels;
        Frequency = frequency;
        BeepFrequency = beepFrequency;
        _amplitude = amplitude * short.MaxValue;
        _beepSamples = (int)(beep.Ticks * SampleRate / TimeSpan.TicksPerSecond);
    }

    /// <summary>Interleaved channels per sample frame (1 or 2).</summary>
    public int Channels { get; }

    /// <summary>The steady tone, in Hz.</summary>
    public int Frequency { get; }

    /// <summary>The time-mark beep, in Hz.</summary>
    public int BeepFrequency { get; }

    /// <summary>The length of each beep, in samples per channel at 48 kHz, starting at every multiple of 48000.</summary>
    public int BeepSamples => _beepSamples;

    /// <summary>
    /// The index (samples per channel since sample 0) of the next sample <see cref="Fill"/> produces. Set it to
    /// Unix time in ms × 48 to put the beeps on wall-clock seconds.
    /// </summary>
    public long Position { get; set; }

    /// <summary>True when sample <paramref name="index"/> lies inside a time-mark beep.</summary>
    public bool IsBeep(long index) => ((index % SampleRate) + SampleRate) % SampleRate < _beepSamples;

    /// <summary>
    /// Fills <paramref name="destination"/> with the next destination.Length / <see cref="Channels"/> sample
    /// frames (interleaved when stereo) and advances <see cref="Position"/> by that many.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="Channels"/>.</exception>
    public void Fill(Span<short> destination)
    {
        if (destination.Length % Channels != 0)
        {
            throw new ArgumentException($"A {Channels}-channel buffer must hold a multiple of {Channels} samples; got {destination.Length}.", nameof(destination));
        }

        int frames = destination.Length / Channels;
        long index = Position;
        for (int i = 0; i < frames; i++, index++)
        {
            short s = Sample(index);
            if (Channels == 1)
            {
                destination[i] = s;
            }
            else
            {
                destination[2 * i] = s;
                destination[(2 * i) + 1] = s;
            }
        }

        Position = index;
    }

    /// <summary>The sample at <paramref name="index"/> (samples per channel at 48 kHz).</summary>
    public short Sample(long index)
    {
        int inSecond = (int)(((index % SampleRate) + SampleRate) % SampleRate);
        int f = inSecond < _beepSamples ? BeepFrequency : Frequency;

        // (f * inSecond) mod SampleRate keeps the argument small and exact, so the phase never drifts.
        double phase = 2 * Math.PI * ((long)f * inSecond % SampleRate) / SampleRate;
        return (short)Math.Round(_amplitude * Math.Sin(phase));
    }
}
