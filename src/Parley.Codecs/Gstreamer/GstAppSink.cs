using System.Runtime.InteropServices;
using Parley.Codecs.Interop;

namespace Parley.Codecs.Gstreamer;

/// <summary>
/// The application end of an <c>appsink</c> element: pulls buffers with a timeout
/// (<c>gst_app_sink_try_pull_sample</c>) and copies each into a buffer reused from pull to pull.
/// </summary>
/// <remarks>
/// One reader thread per sink. Each pull also polls the pipeline's bus, so a failed pipeline surfaces as a
/// <see cref="CodecException"/> here instead of a silent timeout.
/// </remarks>
public sealed unsafe class GstAppSink : IDisposable
{
    private readonly GstPipeline _pipeline;
    private readonly GstObjectHandle _element;
    private byte[] _data = new byte[4096];
    private nint _caps;
    private GstCapsInfo _capsInfo = new(string.Empty, 0, 0, 0, 1, 0, 0);

    internal GstAppSink(GstPipeline pipeline, GstObjectHandle element, string name)
    {
        _pipeline = pipeline;
        _element = element;
        Name = name;
    }

    /// <summary>The element's name in the pipeline.</summary>
    public string Name { get; }

    /// <summary>Whether the sink has received EOS and has no buffers left (<c>gst_app_sink_is_eos</c>).</summary>
    public bool IsEndOfStream => GstNative.gst_app_sink_is_eos(_element) != 0;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next buffer and returns it.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only look.</param>
    /// <param name="sample">The buffer; its data stays valid until the next pull on this sink.</param>
    /// <returns>False on timeout, at end-of-stream (see <see cref="IsEndOfStream"/>), or when the pipeline is not playing.</returns>
    /// <exception cref="CodecException">The pipeline posted an error.</exception>
    public bool TryPull(TimeSpan timeout, out GstSample sample)
    {
        sample = default;
        nint native = GstNative.gst_app_sink_try_pull_sample(_element, GstPipeline.ToNanoseconds(timeout));
        if (native == 0)
        {
            _pipeline.PollBus();
            return false;
        }

        try
        {
            nint buffer = GstNative.gst_sample_get_buffer(native);
            if (buffer == 0)
            {
                return false;
            }

            GstMapInfo map;
            if (GstNative.gst_buffer_map(buffer, &map, GstNative.MapRead) == 0)
            {
                throw new CodecException("GStreamer", "gst_buffer_map", 0, $"cannot read a buffer from {Name}");
            }

            int length;
            try
            {
                length = checked((int)map.Size);
                if (_data.Length < length)
                {
                    _data = new byte[Math.Max(length, _data.Length * 2)];
                }

                new ReadOnlySpan<byte>(map.Data, length).CopyTo(_data);
            }
            finally
            {
                GstNative.gst_buffer_unmap(buffer, &map);
            }

            var head = (GstBufferHead*)buffer;
            UpdateCaps(GstNative.gst_sample_get_caps(native));
            sample = new GstSample(
                _data.AsSpan(0, length), ToTime(head->Pts), ToTime(head->Dts), ToTime(head->Duration), head->MiniObject.Flags, _capsInfo);
            return true;
        }
        finally
        {
            GstNative.gst_sample_unref(native);
        }
    }

    /// <summary>
    /// Asks the encoder upstream of this sink for a key frame as soon as possible: sends a GstForceKeyUnit
    /// upstream event (<c>gst_video_event_new_upstream_force_key_unit</c>, all headers), which x264enc and
    /// v4l2h264enc honour on their next frame. Used when a receiver sends a PLI (RFC 4585 §6.3.1).
    /// </summary>
    /// <returns>False when no element upstream handled the event.</returns>
    public bool RequestKeyUnit()
    {
        nint gstEvent = GstNative.gst_video_event_new_upstream_force_key_unit(GstNative.ClockTimeNone, allHeaders: 1, count: 0);
        return gstEvent != 0 && GstNative.gst_element_send_event(_element, gstEvent) != 0;
    }

    /// <summary>Releases this reference to the element (the pipeline keeps its own).</summary>
    public void Dispose()
    {
        if (_caps != 0)
        {
            GstNative.gst_caps_unref(_caps);
            _caps = 0;
        }

        _element.Dispose();
    }

    private static long ToTime(ulong value) => value == GstNative.ClockTimeNone ? -1 : (long)value;

    private void UpdateCaps(nint caps)
    {
        // Caps rarely change: parse only when the pointer does. A held reference keeps the address from being reused.
        if (caps == _caps || caps == 0)
        {
            return;
        }

        if (_caps != 0)
        {
            GstNative.gst_caps_unref(_caps);
        }

        _caps = GstNative.gst_mini_object_ref(caps);
        nint s = GstNative.gst_caps_get_structure(caps, 0);
        if (s == 0)
        {
            _capsInfo = new(string.Empty, 0, 0, 0, 1, 0, 0);
            return;
        }

        string name = Marshal.PtrToStringUTF8(GstNative.gst_structure_get_name(s)) ?? string.Empty;
        if (GstNative.gst_structure_get_fraction(s, "framerate", out int num, out int den) == 0 || den <= 0)
        {
            (num, den) = (0, 1);
        }

        _capsInfo = new(name, GetInt(s, "width"), GetInt(s, "height"), num, den, GetInt(s, "rate"), GetInt(s, "channels"));
    }

    private static int GetInt(nint structure, string field) =>
        GstNative.gst_structure_get_int(structure, field, out int value) != 0 ? value : 0;
}
