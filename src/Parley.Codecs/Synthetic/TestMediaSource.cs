using System.Diagnostics;

namespace Parley.Codecs.Synthetic;

/// <summary>
/// The `test` source: a live moving pattern (<see cref="TestPatternGenerator"/>, frame number and capture time
/// stamped into every frame) and a tone with a beep each second (<see cref="ToneGenerator"/>), paced in real time
/// like a camera and a microphone, so any receiver can measure latency and A/V offset from what it decodes.
/// </summary>
/// <remarks>
/// Timestamps count from <see cref="Start"/>; the capture wall clock of a frame is <see cref="StartUnixMilliseconds"/>
/// plus its timestamp, which is also what the stamp carries. A reader that falls behind skips frames, as a camera
/// would drop them. Video and audio may be read from two threads, one each.
/// </remarks>
public sealed class TestMediaSource : IMediaSource
{
    private readonly TestPatternGenerator? _pattern;
    private readonly ToneGenerator? _tone;
    private readonly byte[] _frame;
    private readonly short[] _samples;
    private readonly int _framesPerSecond;
    private readonly int _blockSamples;
    private readonly Stopwatch _clock = new();
    private long _nextFrame;
    private long _nextSample;

    /// <summary>Creates a test source.</summary>
    /// <param name="width">Frame width in pixels (even), or 0 for no video.</param>
    /// <param name="height">Frame height in pixels (even).</param>
    /// <param name="framesPerSecond">Frame rate, 1-120.</param>
    /// <param name="audioChannels">1 or 2 for a 48 kHz tone, 0 for no audio.</param>
    /// <param name="blockMilliseconds">Audio block length in ms (20 matches one Opus frame).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, rate or channel count out of range.</exception>
    public TestMediaSource(int width, int height, int framesPerSecond = 30, int audioChannels = 1, int blockMilliseconds = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(framesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(framesPerSecond, 120);
        ArgumentOutOfRangeException.ThrowIfNegative(audioChannels);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(audioChannels, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockMilliseconds, 1);
        _framesPerSecond = framesPerSecond;
        if (width > 0)
        {
            _pattern = new TestPatternGenerator(width, height, framesPerSecond);
            _frame = new byte[_pattern.FrameSize];
        }
        else
        {
            _frame = [];
        }

        if (audioChannels > 0)
        {
            _tone = new ToneGenerator(audioChannels);
            _blockSamples = ToneGenerator.SampleRate / 1000 * blockMilliseconds;
            _samples = new short[_blockSamples * audioChannels];
        }
        else
        {
            _samples = [];
        }

        Width = width;
        Height = height;
    }

    /// <summary>Frame width in pixels (0 without video).</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <inheritdoc/>
    public bool HasVideo => _pattern is not null;

    /// <inheritdoc/>
    public bool HasAudio => _tone is not null;

    /// <inheritdoc/>
    public bool IsEndOfStream => false;

    /// <summary>Unix time in ms at <see cref="Start"/>: the capture wall clock of timestamp zero.</summary>
    public long StartUnixMilliseconds { get; private set; }

    /// <inheritdoc/>
    public void Start()
    {
        StartUnixMilliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _clock.Restart();
    }

    /// <inheritdoc/>
    public bool TryReadVideo(TimeSpan timeout, out VideoFrame frame)
    {
        frame = default;
        if (_pattern is null || !WaitUntil(TimeSpan.FromSeconds((double)_nextFrame / _framesPerSecond), timeout))
        {
            return false;
        }

        // Like a camera: a late reader gets the newest frame, the ones in between are gone.
        long current = (long)(_clock.Elapsed.TotalSeconds * _framesPerSecond);
        long number = Math.Max(_nextFrame, current);
        _nextFrame = number + 1;
        var timestamp = TimeSpan.FromSeconds((double)number / _framesPerSecond);
        _pattern.Render(number, StartUnixMilliseconds + (long)timestamp.TotalMilliseconds, _frame);
        frame = new VideoFrame(_frame, Width, Height, timestamp);
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadAudio(TimeSpan timeout, out AudioFrame frame)
    {
        frame = default;
        // A block is captured once its last sample is.
        if (_tone is null || !WaitUntil(TimeSpan.FromSeconds((double)(_nextSample + _blockSamples) / ToneGenerator.SampleRate), timeout))
        {
            return false;
        }

        // The beeps must fall on whole seconds of the capture wall clock, where the video stamp's second rolls
        // over; counting from Start alone would put them StartUnixMilliseconds mod 1000 away from the picture.
        _tone.Position = (StartUnixMilliseconds * (ToneGenerator.SampleRate / 1000)) + _nextSample;
        _tone.Fill(_samples);
        frame = new AudioFrame(_samples, ToneGenerator.SampleRate, _tone.Channels, TimeSpan.FromSeconds((double)_nextSample / ToneGenerator.SampleRate));
        _nextSample += _blockSamples;
        return true;
    }

    private bool WaitUntil(TimeSpan due, TimeSpan timeout)
    {
        if (!_clock.IsRunning)
        {
            throw new InvalidOperationException("Start the source before reading it.");
        }

        var wait = due - _clock.Elapsed;
        if (wait > timeout)
        {
            Thread.Sleep(timeout);
            return false;
        }

        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }

        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _clock.Stop();
}
