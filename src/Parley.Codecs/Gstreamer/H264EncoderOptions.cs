namespace Parley.Codecs.Gstreamer;

/// <summary>Which GStreamer element encodes H.264.</summary>
public enum H264EncoderElement
{
    /// <summary><c>v4l2h264enc</c> when installed (Raspberry Pi hardware), otherwise <c>x264enc</c>.</summary>
    Auto,

    /// <summary><c>x264enc</c> (software, libx264) with tune=zerolatency.</summary>
    X264,

    /// <summary><c>v4l2h264enc</c>: a V4L2 memory-to-memory hardware encoder.</summary>
    V4l2,
}

/// <summary>Settings for <see cref="GstH264Encoder"/>.</summary>
public sealed record H264EncoderOptions
{
    /// <summary>Frame width in pixels (even).</summary>
    public required int Width { get; init; }

    /// <summary>Frame height in pixels (even).</summary>
    public required int Height { get; init; }

    /// <summary>Nominal frame rate in frames per second (caps and rate control; timestamps come from the caller).</summary>
    public int FramesPerSecond { get; init; } = 30;

    /// <summary>Target bitrate in kbit/s.</summary>
    public int BitrateKbps { get; init; } = 1500;

    /// <summary>Maximum distance between key frames, in frames.</summary>
    public int KeyFrameInterval { get; init; } = 60;

    /// <summary>The encoder element to use.</summary>
    public H264EncoderElement Element { get; init; } = H264EncoderElement.Auto;

    /// <summary>
    /// A replacement for the encoder part of the pipeline (between the raw I420 appsrc and the appsink), for
    /// example <c>x264enc tune=zerolatency ! video/x-h264,stream-format=byte-stream,alignment=au</c>. It must
    /// output H.264 byte-stream with alignment=au. Null to use <see cref="Element"/>.
    /// </summary>
    public string? CustomEncoder { get; init; }
}
