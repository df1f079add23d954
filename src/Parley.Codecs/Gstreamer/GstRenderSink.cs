namespace Parley.Codecs.Gstreamer;

/// <summary>
/// Renders decoded media through GStreamer: raw I420 video pushed into <c>appsrc name=video</c> and S16LE 48 kHz
/// audio into <c>appsrc name=audio</c>, each converted and handed to an output element chain (a window, the
/// Linux framebuffer, ALSA, or fakesink).
/// </summary>
/// <remarks>
/// The outputs render on arrival (sync=false): the caller's playout buffer and A/V clock decide when to write.
/// A change of frame size renegotiates the video caps. A short leaky queue in front of each output drops the
/// oldest frames rather than blocking the caller when the display is slow. Writes from one thread per track.
/// </remarks>
public sealed class GstRenderSink : IMediaSink
{
    /// <summary>A window on the desktop (or whatever autovideosink finds).</summary>
    public const string WindowOutput = "autovideosink sync=false";

    /// <summary>Discards video or audio (benchmarks, headless runs).</summary>
    public const string NullOutput = "fakesink sync=false";

    private const string VideoSource = "video";
    private const string AudioSource = "audio";
    private readonly GstPipeline _pipeline;
    private readonly GstAppSrc? _video;
    private readonly GstAppSrc? _audio;
    private readonly int _audioChannels;
    private GstI420Layout _layout;

    /// <summary>Builds the pipeline (call <see cref="Start"/> to open the outputs).</summary>
    /// <param name="videoOutput">The video output chain, for example <see cref="WindowOutput"/>,
    /// <see cref="Framebuffer"/> or any elements ending in a sink; null for no video.</param>
    /// <param name="audioOutput">The audio output chain, for example <see cref="Alsa"/> or <see cref="NullOutput"/>; null for no audio.</param>
    /// <param name="audioChannels">Channels of the audio written (1 or 2).</param>
    /// <exception cref="ArgumentException">Neither output was given.</exception>
    /// <exception cref="CodecException">GStreamer or an output element is missing.</exception>
    public GstRenderSink(string? videoOutput, string? audioOutput, int audioChannels = 2)
    {
        Pipeline = BuildPipeline(videoOutput, audioOutput, audioChannels);
        _audioChannels = audioChannels;
        _pipeline = new GstPipeline(Pipeline);
        try
        {
            _video = string.IsNullOrWhiteSpace(videoOutput) ? null : _pipeline.GetAppSrc(VideoSource);
            _audio = string.IsNullOrWhiteSpace(audioOutput) ? null : _pipeline.GetAppSrc(AudioSource);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The pipeline description in use.</summary>
    public string Pipeline { get; }

    /// <summary>The Linux framebuffer console (a Pi without a desktop), for example <c>/dev/fb0</c>.</summary>
    public static string Framebuffer(string device = "/dev/fb0") => $"fbdevsink device={GstLaunch.Quote(device)} sync=false";

    /// <summary>An ALSA playback device, for example <c>default</c> or <c>hw:0</c> (needs gstreamer1.0-alsa).</summary>
    public static string Alsa(string device = "default") => $"alsasink device={GstLaunch.Quote(device)} sync=false";

    /// <summary>The pipeline description for the given outputs (pure).</summary>
    /// <exception cref="ArgumentException">Neither output was given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">audioChannels is not 1 or 2.</exception>
    public static string BuildPipeline(string? videoOutput, string? audioOutput, int audioChannels = 2)
    {
        if (string.IsNullOrWhiteSpace(videoOutput) && string.IsNullOrWhiteSpace(audioOutput))
        {
            throw new ArgumentException("A render sink needs a video output, an audio output or both.", nameof(videoOutput));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(audioChannels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(audioChannels, 2);
        var parts = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(videoOutput))
        {
            parts.Add($"appsrc name={VideoSource} is-live=true format=time ! queue max-size-buffers=3 leaky=downstream ! videoconvert ! videoscale ! {videoOutput}");
        }

        if (!string.IsNullOrWhiteSpace(audioOutput))
        {
            parts.Add($"appsrc name={AudioSource} is-live=true format=time caps=audio/x-raw,format=S16LE,layout=interleaved,rate={GstLaunch.Int(AudioCaptureFormat.SampleRate)},channels={GstLaunch.Int(audioChannels)} ! " +
                $"queue max-size-time=200000000 leaky=downstream ! audioconvert ! audioresample ! {audioOutput}");
        }

        return string.Join(' ', parts);
    }

    /// <inheritdoc/>
    /// <exception cref="CodecException">"cannot open the output ELEMENT (reason)", for example fbdevsink with a missing /dev/fb0.</exception>
    public void Start()
    {
        try
        {
            _pipeline.Play();
        }
        catch (CodecException e)
        {
            throw new CodecException($"cannot open the output {e.Operation} ({e.LibraryMessage ?? e.Message})", e);
        }
    }

    /// <inheritdoc/>
    public bool WriteVideo(ReadOnlySpan<byte> i420, int width, int height, TimeSpan timestamp)
    {
        if (_video is null)
        {
            return false;
        }

        if (_layout.Width != width || _layout.Height != height)
        {
            _layout = new GstI420Layout(width, height);
            _video.SetCaps($"video/x-raw,format=I420,width={GstLaunch.Int(width)},height={GstLaunch.Int(height)},framerate=0/1,pixel-aspect-ratio=1/1");
        }

        return _video.PushI420(i420, _layout, timestamp.Ticks * 100);
    }

    /// <inheritdoc/>
    public bool WriteAudio(ReadOnlySpan<short> samples, TimeSpan timestamp)
    {
        if (_audio is null)
        {
            return false;
        }

        long durationNs = samples.Length / _audioChannels * 1_000_000_000L / AudioCaptureFormat.SampleRate;
        return _audio.Push(System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples), timestamp.Ticks * 100, durationNs: durationNs);
    }

    /// <inheritdoc/>
    public bool Complete(TimeSpan timeout)
    {
        _video?.EndOfStream();
        _audio?.EndOfStream();
        return _pipeline.WaitForEndOfStream(timeout);
    }

    /// <summary>Stops the pipeline (closing the outputs) and releases it.</summary>
    public void Dispose()
    {
        _video?.Dispose();
        _audio?.Dispose();
        _pipeline.Dispose();
    }
}
