namespace Parley.Codecs.Gstreamer;

/// <summary>
/// One buffer pulled from an appsink: its bytes, timestamps, flags and the caps it was negotiated with.
/// </summary>
/// <remarks>
/// <see cref="Data"/> is a copy held by the <see cref="GstAppSink"/> it came from, valid until the next pull on
/// that sink. Times are in nanoseconds of pipeline running time; -1 means unset (GST_CLOCK_TIME_NONE).
/// </remarks>
public readonly ref struct GstSample
{
    internal GstSample(ReadOnlySpan<byte> data, long presentationTimeNs, long decodingTimeNs, long durationNs, uint flags, GstCapsInfo caps)
    {
        Data = data;
        PresentationTimeNs = presentationTimeNs;
        DecodingTimeNs = decodingTimeNs;
        DurationNs = durationNs;
        Flags = flags;
        Caps = caps;
    }

    /// <summary>The buffer's bytes (all of its memory blocks).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>PTS in nanoseconds of running time; -1 when unset.</summary>
    public long PresentationTimeNs { get; }

    /// <summary>DTS in nanoseconds; -1 when unset.</summary>
    public long DecodingTimeNs { get; }

    /// <summary>Duration in nanoseconds; -1 when unset.</summary>
    public long DurationNs { get; }

    /// <summary>GstBufferFlags bits (GST_BUFFER_FLAG_*).</summary>
    public uint Flags { get; }

    /// <summary>GST_BUFFER_FLAG_DELTA_UNIT: the buffer cannot be decoded on its own (for video, not a key frame).</summary>
    public bool IsDeltaUnit => (Flags & Interop.GstNative.BufferFlagDeltaUnit) != 0;

    /// <summary>The sample's caps, reduced to the fields Parley uses.</summary>
    public GstCapsInfo Caps { get; }
}

/// <summary>The fields of a caps structure that Parley reads (first structure only).</summary>
/// <param name="MediaType">The structure name, for example <c>video/x-raw</c> or <c>video/x-h264</c>; empty when unknown.</param>
/// <param name="Width">width in pixels; 0 when absent.</param>
/// <param name="Height">height in pixels; 0 when absent.</param>
/// <param name="FramerateNumerator">framerate numerator; 0 when absent or variable.</param>
/// <param name="FramerateDenominator">framerate denominator; 1 when absent.</param>
/// <param name="SampleRate">rate in Hz for audio; 0 when absent.</param>
/// <param name="Channels">channels for audio; 0 when absent.</param>
public readonly record struct GstCapsInfo(
    string MediaType, int Width, int Height, int FramerateNumerator, int FramerateDenominator, int SampleRate, int Channels);
