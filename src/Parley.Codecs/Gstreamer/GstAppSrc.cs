using Parley.Codecs.Interop;

namespace Parley.Codecs.Gstreamer;

/// <summary>
/// The application end of an <c>appsrc</c> element: pushes bytes as GstBuffers with timestamps and flags, and
/// ends the stream with EOS.
/// </summary>
/// <remarks>
/// Each push copies the caller's bytes into a new GstBuffer (the pipeline keeps it after the call returns);
/// <c>gst_app_src_push_buffer</c> takes the one reference it is given. Pushes from one thread at a time.
/// Use <c>format=time</c> on the appsrc so timestamps are read as running time.
/// </remarks>
public sealed unsafe class GstAppSrc : IDisposable
{
    private readonly GstPipeline _pipeline;
    private readonly GstObjectHandle _element;

    internal GstAppSrc(GstPipeline pipeline, GstObjectHandle element, string name)
    {
        _pipeline = pipeline;
        _element = element;
        Name = name;
    }

    /// <summary>The element's name in the pipeline.</summary>
    public string Name { get; }

    /// <summary>Sets the caps of the buffers that follow (<c>gst_app_src_set_caps</c>); a change mid-stream renegotiates.</summary>
    /// <param name="caps">Caps in string form, for example <c>video/x-raw,format=I420,width=640,height=480,framerate=30/1</c>.</param>
    /// <exception cref="CodecException">The caps do not parse.</exception>
    public void SetCaps(string caps)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caps);
        nint native = GstNative.gst_caps_from_string(caps);
        if (native == 0)
        {
            throw new CodecException("GStreamer", "gst_caps_from_string", 0, $"invalid caps \"{caps}\"");
        }

        GstNative.gst_app_src_set_caps(_element, native);
        GstNative.gst_caps_unref(native);
    }

    /// <summary>Pushes one buffer.</summary>
    /// <param name="data">The bytes (copied).</param>
    /// <param name="presentationTimeNs">PTS in nanoseconds of running time; -1 for none.</param>
    /// <param name="decodingTimeNs">DTS in nanoseconds; -1 for none.</param>
    /// <param name="durationNs">Duration in nanoseconds; -1 for none.</param>
    /// <param name="deltaUnit">Sets GST_BUFFER_FLAG_DELTA_UNIT (for video: not a key frame).</param>
    /// <returns>False when the pipeline does not accept data (stopped, flushing or after EOS).</returns>
    /// <exception cref="CodecException">The pipeline posted an error.</exception>
    public bool Push(ReadOnlySpan<byte> data, long presentationTimeNs, long decodingTimeNs = -1, long durationNs = -1, bool deltaUnit = false)
    {
        nint buffer = Allocate(data.Length, out Span<byte> target, out GstMapInfo map);
        data.CopyTo(target);
        return Send(buffer, &map, presentationTimeNs, decodingTimeNs, durationNs, deltaUnit);
    }

    /// <summary>Pushes one packed I420 frame, laid out as GStreamer expects for these caps (<see cref="GstI420Layout"/>).</summary>
    /// <param name="i420">Packed I420 of <see cref="I420.GetSize"/>(layout.Width, layout.Height) bytes.</param>
    /// <param name="layout">The frame's layout; must match the appsrc's caps.</param>
    /// <param name="presentationTimeNs">PTS in nanoseconds; -1 for none.</param>
    /// <param name="durationNs">Duration in nanoseconds; -1 for none.</param>
    /// <returns>False when the pipeline does not accept data.</returns>
    /// <exception cref="ArgumentException">i420 is too small.</exception>
    /// <exception cref="CodecException">The pipeline posted an error.</exception>
    public bool PushI420(ReadOnlySpan<byte> i420, GstI420Layout layout, long presentationTimeNs, long durationNs = -1)
    {
        if (i420.Length < I420.GetSize(layout.Width, layout.Height))
        {
            throw new ArgumentException($"A {layout.Width}x{layout.Height} I420 frame is {I420.GetSize(layout.Width, layout.Height)} bytes; got {i420.Length}.", nameof(i420));
        }

        nint buffer = Allocate(layout.Size, out Span<byte> target, out GstMapInfo map);
        layout.CopyFromPacked(i420, target);
        return Send(buffer, &map, presentationTimeNs, -1, durationNs, deltaUnit: false);
    }

    /// <summary>Signals end-of-stream: downstream elements flush (encoders drain, muxers write their index).</summary>
    /// <returns>False when the pipeline was already flushing or at EOS.</returns>
    public bool EndOfStream() => GstNative.gst_app_src_end_of_stream(_element) == GstNative.FlowOk;

    /// <summary>Releases this reference to the element (the pipeline keeps its own).</summary>
    public void Dispose() => _element.Dispose();

    private static nint Allocate(int size, out Span<byte> target, out GstMapInfo map)
    {
        nint buffer = GstNative.gst_buffer_new_allocate(0, (nuint)size, 0);
        if (buffer == 0)
        {
            throw new CodecException("GStreamer", "gst_buffer_new_allocate", 0, $"cannot allocate {size} bytes");
        }

        fixed (GstMapInfo* pointer = &map)
        {
            if (GstNative.gst_buffer_map(buffer, pointer, GstNative.MapWrite) == 0)
            {
                GstNative.gst_buffer_unref(buffer);
                throw new CodecException("GStreamer", "gst_buffer_map", 0, "cannot write a new buffer");
            }
        }

        target = new Span<byte>(map.Data, size);
        return buffer;
    }

    private bool Send(nint buffer, GstMapInfo* map, long presentationTimeNs, long decodingTimeNs, long durationNs, bool deltaUnit)
    {
        GstNative.gst_buffer_unmap(buffer, map);
        var head = (GstBufferHead*)buffer;
        head->Pts = presentationTimeNs < 0 ? GstNative.ClockTimeNone : (ulong)presentationTimeNs;
        head->Dts = decodingTimeNs < 0 ? GstNative.ClockTimeNone : (ulong)decodingTimeNs;
        head->Duration = durationNs < 0 ? GstNative.ClockTimeNone : (ulong)durationNs;
        if (deltaUnit)
        {
            head->MiniObject.Flags |= GstNative.BufferFlagDeltaUnit;
        }

        if (GstNative.gst_app_src_push_buffer(_element, buffer) == GstNative.FlowOk)
        {
            return true;
        }

        _pipeline.PollBus();
        return false;
    }
}
