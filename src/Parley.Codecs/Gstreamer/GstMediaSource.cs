using System.Runtime.InteropServices;

namespace Parley.Codecs.Gstreamer;

/// <summary>
/// A capture source running as a GStreamer pipeline that ends in the appsinks <c>video</c> (packed I420) and/or
/// <c>audio</c> (S16LE, 48 kHz): a file, a V4L2 or libcamera camera, an ALSA microphone, or a custom pipeline.
/// </summary>
/// <remarks>
/// <para>Timestamps are pipeline running time (zero when the pipeline starts playing); a looping file keeps them
/// increasing across loops. Video and audio may be read on two threads, one each.</para>
/// <para>Use the factory methods; <see cref="Custom"/> takes any pipeline with the agreed appsink names
/// (<see cref="GstSourcePipelines.VideoSinkName"/>, <see cref="GstSourcePipelines.AudioSinkName"/>).</para>
/// </remarks>
public sealed class GstMediaSource : IMediaSource
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly GstPipeline _pipeline;
    private readonly GstAppSink? _video;
    private readonly GstAppSink? _audio;
    private readonly string _what;
    private readonly bool _loop;
    private readonly bool _waitForPreroll;
    private readonly Lock _loopGate = new();
    private byte[] _frame = [];
    private long _offsetNs;
    private long _iterationEndNs;
    private int _loops;

    private GstMediaSource(string pipeline, string what, bool loop, bool waitForPreroll)
    {
        _what = what;
        _loop = loop;
        _waitForPreroll = waitForPreroll;
        Pipeline = pipeline;
        _pipeline = new GstPipeline(pipeline);
        try
        {
            _video = _pipeline.HasElement(GstSourcePipelines.VideoSinkName) ? _pipeline.GetAppSink(GstSourcePipelines.VideoSinkName) : null;
            _audio = _pipeline.HasElement(GstSourcePipelines.AudioSinkName) ? _pipeline.GetAppSink(GstSourcePipelines.AudioSinkName) : null;
            if (_video is null && _audio is null)
            {
                throw new CodecException($"GStreamer: the source pipeline has no appsink named '{GstSourcePipelines.VideoSinkName}' or '{GstSourcePipelines.AudioSinkName}': {pipeline}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The pipeline description in use.</summary>
    public string Pipeline { get; }

    /// <inheritdoc/>
    public bool HasVideo => _video is not null;

    /// <inheritdoc/>
    public bool HasAudio => _audio is not null;

    /// <inheritdoc/>
    /// <remarks>True when every appsink of the source has received EOS and has been read empty.</remarks>
    public bool IsEndOfStream => !_loop && (_video?.IsEndOfStream ?? true) && (_audio?.IsEndOfStream ?? true);

    /// <summary>How many times a looping file has started over.</summary>
    public int Loops => Volatile.Read(ref _loops);

    /// <summary>A media file, decoded, converted and (by default) paced in real time.</summary>
    /// <param name="path">The file.</param>
    /// <param name="video">Video output, or null when the file's video is not wanted.</param>
    /// <param name="audio">Audio output, or null when its audio is not wanted (or it has none).</param>
    /// <param name="loop">Start over at the end (a flushing seek to 0) instead of ending.</param>
    /// <param name="realTime">Deliver at the file's pace; false for as fast as it decodes.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CodecException">GStreamer is missing.</exception>
    public static GstMediaSource File(string path, VideoCaptureFormat? video, AudioCaptureFormat? audio = null, bool loop = false, bool realTime = true)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"cannot open {path} (no such file)", path);
        }

        return new(GstSourcePipelines.File(path, video, audio, realTime), path, loop, waitForPreroll: true);
    }

    /// <summary>A V4L2 camera such as <c>/dev/video0</c>.</summary>
    /// <exception cref="CodecException">GStreamer is missing.</exception>
    public static GstMediaSource V4l2(string device, VideoCaptureFormat video) =>
        new(GstSourcePipelines.V4l2(device, video), device, loop: false, waitForPreroll: false);

    /// <summary>A libcamera camera (needs the libcamerasrc element, Debian package gstreamer1.0-libcamera).</summary>
    /// <exception cref="CodecException">GStreamer or libcamerasrc is missing.</exception>
    public static GstMediaSource Libcamera(string? cameraName, VideoCaptureFormat video) =>
        new(GstSourcePipelines.Libcamera(cameraName, video), cameraName ?? "libcamera", loop: false, waitForPreroll: false);

    /// <summary>An ALSA microphone such as <c>default</c> or <c>hw:1</c> (needs gstreamer1.0-alsa).</summary>
    /// <exception cref="CodecException">GStreamer or alsasrc is missing.</exception>
    public static GstMediaSource Alsa(string device, AudioCaptureFormat audio) =>
        new(GstSourcePipelines.Alsa(device, audio), device, loop: false, waitForPreroll: false);

    /// <summary>A camera and a microphone together: one pipeline, one clock, comparable timestamps.</summary>
    /// <exception cref="CodecException">GStreamer or an element is missing.</exception>
    public static GstMediaSource CameraAndMicrophone(string videoPipeline, string audioPipeline, string description) =>
        new(GstSourcePipelines.Combine(videoPipeline, audioPipeline), description, loop: false, waitForPreroll: false);

    /// <summary>
    /// A user's pipeline, which must contain <c>appsink name=video</c> with caps
    /// <c>video/x-raw,format=I420</c> and/or <c>appsink name=audio</c> with caps
    /// <c>audio/x-raw,format=S16LE,layout=interleaved,rate=48000</c> (for example ending in
    /// <see cref="GstSourcePipelines.VideoBranch"/> / <see cref="GstSourcePipelines.AudioBranch"/>).
    /// </summary>
    /// <exception cref="CodecException">The pipeline does not parse or has neither appsink.</exception>
    public static GstMediaSource Custom(string pipeline) => new(pipeline, "custom pipeline", loop: false, waitForPreroll: false);

    /// <inheritdoc/>
    /// <exception cref="CodecException">"cannot open DEVICE (reason)": the device or file failed to open.</exception>
    public void Start()
    {
        try
        {
            _pipeline.Play(_waitForPreroll ? StartTimeout : null);
        }
        catch (CodecException e)
        {
            throw new CodecException($"cannot open {_what} ({e.LibraryMessage ?? e.Message})", e);
        }
    }

    /// <inheritdoc/>
    public bool TryReadVideo(TimeSpan timeout, out VideoFrame frame)
    {
        frame = default;
        if (_video is null || !Pull(_video, timeout, out GstSample sample))
        {
            return false;
        }

        int width = sample.Caps.Width, height = sample.Caps.Height;
        if (sample.Caps.MediaType != "video/x-raw" || width <= 0 || height <= 0)
        {
            throw new CodecException($"GStreamer: appsink '{GstSourcePipelines.VideoSinkName}' must receive video/x-raw,format=I420; got {sample.Caps.MediaType}");
        }

        var layout = new GstI420Layout(width, height);
        int size = I420.GetSize(width, height);
        if (_frame.Length < size)
        {
            _frame = new byte[size];
        }

        layout.CopyToPacked(sample.Data, _frame);
        frame = new VideoFrame(_frame.AsSpan(0, size), width, height, Timestamp(sample));
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadAudio(TimeSpan timeout, out AudioFrame frame)
    {
        frame = default;
        if (_audio is null || !Pull(_audio, timeout, out GstSample sample))
        {
            return false;
        }

        if (sample.Caps.MediaType != "audio/x-raw" || sample.Caps.Channels <= 0)
        {
            throw new CodecException($"GStreamer: appsink '{GstSourcePipelines.AudioSinkName}' must receive audio/x-raw,format=S16LE; got {sample.Caps.MediaType}");
        }

        ReadOnlySpan<short> samples = MemoryMarshal.Cast<byte, short>(sample.Data);
        frame = new AudioFrame(samples, sample.Caps.SampleRate, sample.Caps.Channels, Timestamp(sample));
        return true;
    }

    /// <summary>Stops the pipeline (closing the device or file) and releases it.</summary>
    public void Dispose()
    {
        _video?.Dispose();
        _audio?.Dispose();
        _pipeline.Dispose();
    }

    private bool Pull(GstAppSink sink, TimeSpan timeout, out GstSample sample)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            if (sink.TryPull(timeout, out sample))
            {
                return true;
            }

            // A finished appsink returns at once: loop the file, or wait for the rest of the timeout on the bus.
            if (!sink.IsEndOfStream || !_loop)
            {
                return false;
            }

            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return false;
            }

            lock (_loopGate)
            {
                if (sink.IsEndOfStream && _pipeline.PollBus(TimeSpan.FromMilliseconds(Math.Min(left, 50))) && _pipeline.SeekToStart())
                {
                    // A flushing seek restarts running time at zero; continue the timeline after the last buffer.
                    _offsetNs += Interlocked.Exchange(ref _iterationEndNs, 0);
                    Interlocked.Increment(ref _loops);
                }
            }

            timeout = TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
        }
    }

    private TimeSpan Timestamp(GstSample sample)
    {
        long pts = Math.Max(0, sample.PresentationTimeNs);
        long end = pts + Math.Max(0, sample.DurationNs);
        long seen;
        while (end > (seen = Interlocked.Read(ref _iterationEndNs)) && Interlocked.CompareExchange(ref _iterationEndNs, end, seen) != seen)
        {
        }

        return TimeSpan.FromTicks((Volatile.Read(ref _offsetNs) + pts) / 100);
    }
}
