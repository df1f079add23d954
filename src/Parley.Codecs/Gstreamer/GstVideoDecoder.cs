namespace Parley.Codecs.Gstreamer;

/// <summary>
/// A video decoder over a GStreamer pipeline: <c>appsrc (encoded caps) ! DECODER ! videoconvert ! I420 appsink</c>.
/// Encoded frames in (H.264 access units in Annex B, or VP8 frames), packed I420 frames out. Build one with
/// <see cref="ForH264"/> or <see cref="ForVp8"/>.
/// </summary>
/// <remarks>
/// <para>Input comes from the network, so it never throws: when the pipeline rejects data or reports an error
/// (for example after a run of undecodable frames), <see cref="Decode"/> or <see cref="TryReadFrame"/> returns
/// false, <see cref="Errors"/> counts it, <see cref="LastError"/> keeps the message, and the pipeline is
/// restarted; the caller should then ask the sender for a key frame (PLI). Garbage H.264 without start codes is
/// dropped by h264parse. avdec_h264 runs with slice threads only, so a frame leaves as soon as it is decoded
/// (frame threads would hold several back); vp8dec (libvpx) has no frame delay.</para>
/// <para><see cref="Decode"/> and <see cref="TryReadFrame"/> may run on two different threads.</para>
/// </remarks>
public sealed class GstVideoDecoder : IDisposable
{
    /// <summary>The decoding part of the default H.264 pipeline.</summary>
    public const string DefaultH264Decoder = "h264parse ! avdec_h264 thread-type=slice";

    /// <summary>The decoding part of the default VP8 pipeline (libvpx through gst-plugins-good).</summary>
    public const string DefaultVp8Decoder = "vp8dec";

    /// <summary>The caps of H.264 input: Annex B byte stream, one access unit per buffer.</summary>
    public const string H264Caps = "video/x-h264,stream-format=byte-stream,alignment=au";

    /// <summary>The caps of VP8 input: one frame (RFC 6386) per buffer; vp8dec reads the size from key frames.</summary>
    public const string Vp8Caps = "video/x-vp8";

    private const string Source = "src";
    private const string Sink = "sink";
    private readonly GstPipeline _pipeline;
    private readonly GstAppSrc _source;
    private readonly GstAppSink _sink;
    private readonly Lock _restartGate = new();
    private byte[] _frame = [];
    private long _errors;
    private long _malformed;

    /// <summary>Builds and starts the pipeline.</summary>
    /// <param name="inputCaps">Caps of the encoded buffers pushed in, e.g. <see cref="H264Caps"/>.</param>
    /// <param name="decoder">The elements between the appsrc and the I420 conversion, e.g. <see cref="DefaultH264Decoder"/>.</param>
    /// <exception cref="ArgumentException">Empty caps or decoder.</exception>
    /// <exception cref="CodecException">GStreamer or a decoder element is missing.</exception>
    public GstVideoDecoder(string inputCaps, string decoder)
    {
        Pipeline = BuildPipeline(inputCaps, decoder);
        (_pipeline, _source, _sink) = GstPipeline.StartFilter(Pipeline, Source, Sink);
    }

    /// <summary>An H.264 decoder (Annex B access units in).</summary>
    /// <param name="decoder">The decoding elements; null for <see cref="DefaultH264Decoder"/>.</param>
    /// <exception cref="CodecException">GStreamer or a decoder element is missing.</exception>
    public static GstVideoDecoder ForH264(string? decoder = null) => new(H264Caps, decoder ?? DefaultH264Decoder);

    /// <summary>A VP8 decoder (whole VP8 frames in, as <c>Parley.Media.Vp8.Vp8Depacketizer</c> rebuilds them).</summary>
    /// <param name="decoder">The decoding elements; null for <see cref="DefaultVp8Decoder"/>.</param>
    /// <exception cref="CodecException">GStreamer or vp8dec (gstreamer1.0-plugins-good) is missing.</exception>
    public static GstVideoDecoder ForVp8(string? decoder = null) => new(Vp8Caps, decoder ?? DefaultVp8Decoder);

    /// <summary>The pipeline description in use.</summary>
    public string Pipeline { get; }

    /// <summary>Pipeline errors seen (each one restarted the pipeline).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Access units refused before reaching GStreamer (empty).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>The message of the last pipeline error, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>The pipeline description: <c>appsrc name=src caps=INPUTCAPS ! DECODER ! videoconvert ! I420 appsink name=sink</c>.</summary>
    /// <exception cref="ArgumentException">Empty caps or decoder.</exception>
    public static string BuildPipeline(string inputCaps, string decoder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputCaps);
        ArgumentException.ThrowIfNullOrWhiteSpace(decoder);
        return $"appsrc name={Source} is-live=true format=time caps={inputCaps} ! " +
            $"{decoder} ! videoconvert ! video/x-raw,format=I420 ! appsink name={Sink} sync=false";
    }

    /// <summary>Submits one encoded frame: an H.264 access unit (Annex B) or a VP8 frame, per the input caps.</summary>
    /// <param name="accessUnit">The encoded frame (H.264: its NAL units, each after a start code).</param>
    /// <param name="timestamp">Its presentation time; carried to the decoded frame.</param>
    /// <returns>False when the input was empty or the pipeline failed (counted; the pipeline restarts).</returns>
    public bool Decode(ReadOnlySpan<byte> accessUnit, TimeSpan timestamp)
    {
        if (accessUnit.IsEmpty)
        {
            Interlocked.Increment(ref _malformed);
            return false;
        }

        try
        {
            return _source.Push(accessUnit, timestamp.Ticks * 100) || Restart("the decoder pipeline refused data");
        }
        catch (CodecException e)
        {
            return Restart(e.Message);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the next decoded frame.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="frame">Packed I420, valid until the next call.</param>
    /// <returns>False on timeout or after a pipeline error (counted; the pipeline restarts).</returns>
    public bool TryReadFrame(TimeSpan timeout, out VideoFrame frame)
    {
        frame = default;
        GstSample sample;
        try
        {
            if (!_sink.TryPull(timeout, out sample))
            {
                return false;
            }
        }
        catch (CodecException e)
        {
            return Restart(e.Message);
        }

        int width = sample.Caps.Width, height = sample.Caps.Height;
        if (width <= 0 || height <= 0)
        {
            return false;
        }

        var layout = new GstI420Layout(width, height);
        int size = I420.GetSize(width, height);
        if (sample.Data.Length < layout.Size)
        {
            return false;
        }

        if (_frame.Length < size)
        {
            _frame = new byte[size];
        }

        layout.CopyToPacked(sample.Data, _frame);
        frame = new VideoFrame(_frame.AsSpan(0, size), width, height, TimeSpan.FromTicks(Math.Max(0, sample.PresentationTimeNs) / 100));
        return true;
    }

    /// <summary>Stops the pipeline and releases it.</summary>
    public void Dispose()
    {
        _source.Dispose();
        _sink.Dispose();
        _pipeline.Dispose();
    }

    private bool Restart(string message)
    {
        lock (_restartGate)
        {
            Interlocked.Increment(ref _errors);
            LastError = message;
            _pipeline.Stop();
            _pipeline.Play();
        }

        return false;
    }
}
