using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Endpoint.View;

namespace Parley.Endpoint.Rooms;

/// <summary>
/// Mixes the decoded audio of several participants into one playback: each participant's <see cref="AudioPlayer"/>
/// (its own jitter buffer, Opus decoder and 20 ms clock, as in `parley view`) writes into a <see cref="MixerInput"/>,
/// and the mixer's own 20 ms clock takes one frame from every input, sums the samples in 32 bits and clips the sum
/// to 16 bits (<see cref="Accumulate"/>, <see cref="Clip"/>) before writing it to the single audio output.
/// </summary>
/// <remarks>
/// The players' clocks and the mixer's run on the same monotonic time but in different phases; each input holds
/// back <see cref="MixerInput.PrimeFrames"/> frames before it is mixed, which absorbs the phase difference and
/// thread wake-up jitter at a cost of up to 40 ms of extra delay.
/// </remarks>
public sealed class AudioMixer
{
    /// <summary>Interleaved channels in and out: 2, as <see cref="AudioPlayer"/> writes.</summary>
    public const int Channels = AudioPlayer.OutputChannels;

    /// <summary>Samples (all channels) per 20 ms mixed frame at 48 kHz.</summary>
    public const int FrameSamples = 48_000 / 50 * Channels;

    private readonly IMediaSink? _output;
    private readonly ViewClock _clock;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly int[] _sum = new int[FrameSamples];
    private readonly short[] _input = new short[FrameSamples];
    private readonly short[] _mixed = new short[FrameSamples];
    private MixerInput[] _inputs = [];
    private long _framesMixed;

    /// <summary>Creates a mixer; <see cref="RunAsync"/> runs its clock.</summary>
    /// <param name="output">The audio output (already started, 48 kHz, <see cref="Channels"/> channels); null mixes
    /// without playing, so the figures are the same headless.</param>
    /// <param name="clock">The clock; a new system clock when null.</param>
    /// <param name="logger">Output failures; null logs nothing.</param>
    public AudioMixer(IMediaSink? output, ViewClock? clock = null, ILogger? logger = null)
    {
        _output = output;
        _clock = clock ?? new ViewClock();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Frames of 20 ms mixed so far.</summary>
    public long FramesMixed => Interlocked.Read(ref _framesMixed);

    /// <summary>Adds an input (a participant); it is mixed once it has <see cref="MixerInput.PrimeFrames"/> frames.</summary>
    /// <param name="name">Whose audio it carries (statistics).</param>
    public MixerInput AddInput(string name)
    {
        var input = new MixerInput(name);
        lock (_gate)
        {
            _inputs = [.. _inputs, input];
        }

        return input;
    }

    /// <summary>Removes an input; what it still holds is not played.</summary>
    public void RemoveInput(MixerInput input)
    {
        lock (_gate)
        {
            _inputs = _inputs.Where(i => !ReferenceEquals(i, input)).ToArray();
        }
    }

    /// <summary>Adds 16-bit samples into a 32-bit sum (no overflow: 65 536 full-scale inputs fit).</summary>
    /// <param name="sum">The running sum.</param>
    /// <param name="samples">One input's samples, at most <paramref name="sum"/>'s length; a shorter input adds silence.</param>
    /// <exception cref="ArgumentException"><paramref name="samples"/> is longer than <paramref name="sum"/>.</exception>
    public static void Accumulate(Span<int> sum, ReadOnlySpan<short> samples)
    {
        if (samples.Length > sum.Length)
        {
            throw new ArgumentException($"{samples.Length} samples do not fit a sum of {sum.Length}", nameof(samples));
        }

        for (int i = 0; i < samples.Length; i++)
        {
            sum[i] += samples[i];
        }
    }

    /// <summary>Clips a sum to 16 bits: values beyond ±32767/-32768 become the limit (hard clipping).</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <paramref name="sum"/>.</exception>
    public static void Clip(ReadOnlySpan<int> sum, Span<short> output)
    {
        if (output.Length < sum.Length)
        {
            throw new ArgumentException($"{sum.Length} samples do not fit an output of {output.Length}", nameof(output));
        }

        for (int i = 0; i < sum.Length; i++)
        {
            output[i] = (short)Math.Clamp(sum[i], short.MinValue, short.MaxValue);
        }
    }

    /// <summary>
    /// Mixes one 20 ms frame: a frame from every primed input (silence for inputs still priming or short of samples),
    /// summed and clipped. The mixer's clock calls this; tests call it directly. One caller at a time.
    /// </summary>
    /// <returns>The mixed frame, <see cref="FrameSamples"/> samples, valid until the next call.</returns>
    public ReadOnlySpan<short> MixFrame()
    {
        MixerInput[] inputs;
        lock (_gate)
        {
            inputs = _inputs;
        }

        Array.Clear(_sum);
        foreach (var input in inputs)
        {
            int read = input.Read(_input);
            Accumulate(_sum, _input.AsSpan(0, read));
        }

        Clip(_sum, _mixed);
        Interlocked.Increment(ref _framesMixed);
        return _mixed;
    }

    /// <summary>Runs the 20 ms mixing clock until cancelled, catching up (at most 200 ms) when a tick came late.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var next = _clock.Now;
        long samplesWritten = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _clock.Now;
            if (now - next > TimeSpan.FromMilliseconds(200))
            {
                next = now;
            }

            while (next <= now)
            {
                var frame = MixFrame();
                next += AudioPlayer.FrameDuration;
                try
                {
                    _output?.WriteAudio(frame, TimeSpan.FromTicks(samplesWritten / Channels * TimeSpan.TicksPerSecond / 48_000));
                }
                catch (CodecException e)
                {
                    _logger.LogWarning("call: the audio output failed ({Message}); still mixing for the statistics", e.Message);
                }

                samplesWritten += FrameSamples;
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
}
