namespace Parley.Codecs.Gstreamer;

/// <summary>
/// H.264 encoder over a GStreamer pipeline: <c>appsrc (I420) ! encoder ! appsink</c>, producing Annex B access
/// units (ITU-T H.264 Annex B byte stream, one access unit per buffer) in constrained baseline profile, without
/// B-frames so decode order is presentation order.
/// </summary>
/// <remarks>
/// Key frames are IDR pictures with SPS and PPS in front (x264enc repeats headers on IDR; v4l2h264enc is asked
/// for repeat_sequence_header), so any key frame starts a decoder. <see cref="Encode"/> and
/// <see cref="TryReadAccessUnit"/> may run on two different threads.
/// </remarks>
public sealed class GstH264Encoder : IVideoEncoder
{
    private const string Source = "src";
    private const string Sink = "sink";
    private readonly GstPipeline _pipeline;
    private readonly GstAppSrc _source;
    private readonly GstAppSink _sink;
    private readonly GstI420Layout _layout;
    private readonly long _frameDurationNs;
    private long _firstInputNs = -1;
    private long _outputOffsetNs = long.MinValue;

    /// <summary>Builds and starts the pipeline.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, rate, bitrate or interval is out of range.</exception>
    /// <exception cref="CodecException">GStreamer or the encoder element is missing, or the pipeline fails to start.</exception>
    public GstH264Encoder(H264EncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        ElementUsed = options.Element == H264EncoderElement.Auto
            ? (GstRuntime.HasElement("v4l2h264enc") ? H264EncoderElement.V4l2 : H264EncoderElement.X264)
            : options.Element;
        Pipeline = BuildPipeline(options, ElementUsed);
        _layout = new GstI420Layout(options.Width, options.Height);
        _frameDurationNs = 1_000_000_000L / options.FramesPerSecond;
        (_pipeline, _source, _sink) = GstPipeline.StartFilter(Pipeline, Source, Sink);
    }

    /// <summary>The settings this encoder was built with.</summary>
    public H264EncoderOptions Options { get; }

    /// <summary>The element chosen (Auto resolved); <see cref="H264EncoderOptions.CustomEncoder"/> overrides it.</summary>
    public H264EncoderElement ElementUsed { get; }

    /// <summary>The pipeline description in use.</summary>
    public string Pipeline { get; }

    /// <inheritdoc/>
    public int Width => Options.Width;

    /// <inheritdoc/>
    public int Height => Options.Height;

    /// <summary>
    /// The pipeline description for <paramref name="options"/> with <paramref name="element"/> (Auto is treated
    /// as X264): <c>appsrc name=src ... ! ENCODER ! appsink name=sink</c>. Pure; checks the option ranges.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, rate, bitrate or interval is out of range.</exception>
    public static string BuildPipeline(H264EncoderOptions options, H264EncoderElement element)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Height, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FramesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.FramesPerSecond, 240);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BitrateKbps, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BitrateKbps, 200_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.KeyFrameInterval, 1);
        string caps = $"video/x-raw,format=I420,width={GstLaunch.Int(options.Width)},height={GstLaunch.Int(options.Height)},framerate={GstLaunch.Int(options.FramesPerSecond)}/1";
        string encoder = options.CustomEncoder ?? EncoderElements(options, element);
        return $"appsrc name={Source} is-live=true format=time do-timestamp=false caps={caps} ! {encoder} ! appsink name={Sink} sync=false";
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The encoder was disposed.</exception>
    public void Encode(ReadOnlySpan<byte> i420, TimeSpan timestamp)
    {
        long pts = timestamp.Ticks * 100;
        if (Interlocked.Read(ref _firstInputNs) < 0)
        {
            Interlocked.Exchange(ref _firstInputNs, pts);
        }

        if (!_source.PushI420(i420, _layout, pts, _frameDurationNs))
        {
            throw new CodecException("GStreamer", "gst_app_src_push_buffer", 0, "the H.264 encoder pipeline is not running");
        }
    }

    /// <inheritdoc/>
    public bool TryReadAccessUnit(TimeSpan timeout, out EncodedVideoFrame accessUnit)
    {
        if (!_sink.TryPull(timeout, out GstSample sample))
        {
            accessUnit = default;
            return false;
        }

        // GstVideoEncoder shifts output times (x264enc by 1000 hours, room for negative DTS). Without B-frames
        // the first access unit is the first input frame, which gives the shift to undo.
        if (_outputOffsetNs == long.MinValue)
        {
            _outputOffsetNs = sample.PresentationTimeNs - Interlocked.Read(ref _firstInputNs);
        }

        long pts = Math.Max(0, sample.PresentationTimeNs - _outputOffsetNs);
        accessUnit = new EncodedVideoFrame(sample.Data, TimeSpan.FromTicks(pts / 100), !sample.IsDeltaUnit);
        return true;
    }

    /// <inheritdoc/>
    /// <remarks>Sends a GstForceKeyUnit event upstream from the appsink; the encoder makes its next frame an IDR.</remarks>
    /// <exception cref="CodecException">No element in the pipeline handled the request.</exception>
    public void RequestKeyFrame()
    {
        if (!_sink.RequestKeyUnit())
        {
            throw new CodecException("GStreamer", "force-key-unit", 0, "the encoder did not accept a key-frame request");
        }
    }

    /// <summary>Stops the pipeline and releases it.</summary>
    public void Dispose()
    {
        _source.Dispose();
        _sink.Dispose();
        _pipeline.Dispose();
    }

    private static string EncoderElements(H264EncoderOptions o, H264EncoderElement element)
    {
        const string Output = "video/x-h264,stream-format=byte-stream,alignment=au";
        if (element == H264EncoderElement.V4l2)
        {
            // Pi (bcm2835-codec): bitrate in bit/s, IDR period in frames, SPS/PPS repeated before each IDR.
            // h264parse re-aligns to access units whatever the driver returns.
            string controls = $"controls,video_bitrate={GstLaunch.Int(o.BitrateKbps * 1000L)},h264_i_frame_period={GstLaunch.Int(o.KeyFrameInterval)},repeat_sequence_header=1";
            return $"v4l2h264enc extra-controls={GstLaunch.Quote(controls)} ! video/x-h264,level=(string)4,profile=(string)constrained-baseline ! h264parse config-interval=-1 ! {Output}";
        }

        return $"x264enc tune=zerolatency speed-preset=ultrafast bitrate={GstLaunch.Int(o.BitrateKbps)} key-int-max={GstLaunch.Int(o.KeyFrameInterval)} bframes=0 ! {Output},profile=constrained-baseline";
    }
}
