using System.Runtime.InteropServices;

namespace Parley.Codecs.Interop;

/// <summary>
/// P/Invoke declarations for GStreamer 1.22 (<c>libgstreamer-1.0.so.0</c>, <c>libgstapp-1.0.so.0</c>,
/// <c>libgstvideo-1.0.so.0</c>) and the two GLib frees it needs (<c>libglib-2.0.so.0</c>).
/// </summary>
/// <remarks>
/// No GLib main loop runs: the bus is polled with <c>gst_bus_timed_pop_filtered</c> and appsink/appsrc are used
/// through their blocking C calls. Structure offsets below are GStreamer 1.x public ABI (the GST_BUFFER_PTS /
/// GST_MESSAGE_TYPE macros read these fields directly), the same on x86_64 and AArch64 (LP64).
/// </remarks>
internal static unsafe partial class GstNative
{
    public const string Gst = "libgstreamer-1.0.so.0";
    public const string App = "libgstapp-1.0.so.0";
    public const string Video = "libgstvideo-1.0.so.0";
    public const string GLib = "libglib-2.0.so.0";
    public const string GObject = "libgobject-2.0.so.0";

    /// <summary>GST_CLOCK_TIME_NONE.</summary>
    public const ulong ClockTimeNone = ulong.MaxValue;

    // GstState
    public const int StateNull = 1;
    public const int StateReady = 2;
    public const int StatePaused = 3;
    public const int StatePlaying = 4;

    // GstStateChangeReturn
    public const int StateChangeFailure = 0;
    public const int StateChangeSuccess = 1;
    public const int StateChangeAsync = 2;
    public const int StateChangeNoPreroll = 3;

    // GstMessageType
    public const int MessageEos = 1 << 0;
    public const int MessageError = 1 << 1;
    public const int MessageWarning = 1 << 2;

    // GstFlowReturn
    public const int FlowOk = 0;
    public const int FlowFlushing = -2;
    public const int FlowEos = -3;

    // GstMapFlags
    public const int MapRead = 1;
    public const int MapWrite = 2;

    // GstBufferFlags: GST_MINI_OBJECT_FLAG_LAST (1 << 4) shifted.
    public const uint BufferFlagDiscont = 1u << (4 + 2);
    public const uint BufferFlagHeader = 1u << (4 + 6);
    public const uint BufferFlagDeltaUnit = 1u << (4 + 9);

    // GstFormat / GstSeekFlags
    public const int FormatTime = 3;
    public const int SeekFlagFlush = 1 << 0;
    public const int SeekFlagKeyUnit = 1 << 2;

    [LibraryImport(Gst)]
    public static partial int gst_init_check(nint argc, nint argv, out nint error);

    [LibraryImport(Gst)]
    public static partial nint gst_version_string();

    [LibraryImport(Gst, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint gst_parse_launch(string description, out nint error);

    [LibraryImport(Gst)]
    public static partial nint gst_object_ref_sink(nint obj);

    [LibraryImport(Gst)]
    public static partial void gst_object_unref(nint obj);

    [LibraryImport(Gst)]
    public static partial nint gst_object_get_name(nint obj);

    [LibraryImport(Gst, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint gst_bin_get_by_name(GstObjectHandle bin, string name);

    [LibraryImport(Gst)]
    public static partial nint gst_bin_get_type();

    /// <summary>GLib's type check behind the GST_IS_BIN() macro.</summary>
    [LibraryImport(GObject)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool g_type_check_instance_is_a(GstObjectHandle instance, nint type);

    [LibraryImport(Gst)]
    public static partial int gst_element_set_state(GstObjectHandle element, int state);

    [LibraryImport(Gst, EntryPoint = "gst_element_set_state")]
    public static partial int gst_element_set_state_raw(nint element, int state);

    [LibraryImport(Gst)]
    public static partial int gst_element_get_state(GstObjectHandle element, out int state, out int pending, ulong timeoutNs);

    [LibraryImport(Gst)]
    public static partial nint gst_element_get_bus(GstObjectHandle element);

    /// <summary>Takes ownership of <paramref name="gstEvent"/>.</summary>
    [LibraryImport(Gst)]
    public static partial int gst_element_send_event(GstObjectHandle element, nint gstEvent);

    [LibraryImport(Gst)]
    public static partial int gst_element_seek_simple(GstObjectHandle element, int format, int seekFlags, long positionNs);

    [LibraryImport(Gst, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint gst_element_factory_find(string name);

    [LibraryImport(Gst)]
    public static partial nint gst_bus_timed_pop_filtered(GstObjectHandle bus, ulong timeoutNs, int types);

    [LibraryImport(Gst)]
    public static partial void gst_message_parse_error(nint message, out nint error, out nint debug);

    [LibraryImport(Gst)]
    public static partial void gst_message_unref(nint message);

    [LibraryImport(Gst)]
    public static partial nint gst_sample_get_buffer(nint sample);

    [LibraryImport(Gst)]
    public static partial nint gst_sample_get_caps(nint sample);

    [LibraryImport(Gst)]
    public static partial void gst_sample_unref(nint sample);

    [LibraryImport(Gst)]
    public static partial int gst_buffer_map(nint buffer, GstMapInfo* info, int flags);

    [LibraryImport(Gst)]
    public static partial void gst_buffer_unmap(nint buffer, GstMapInfo* info);

    [LibraryImport(Gst)]
    public static partial nint gst_buffer_new_allocate(nint allocator, nuint size, nint allocationParams);

    [LibraryImport(Gst)]
    public static partial void gst_buffer_unref(nint buffer);

    [LibraryImport(Gst, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint gst_caps_from_string(string caps);

    [LibraryImport(Gst)]
    public static partial void gst_caps_unref(nint caps);

    [LibraryImport(Gst)]
    public static partial nint gst_mini_object_ref(nint miniObject);

    [LibraryImport(Gst)]
    public static partial nint gst_caps_get_structure(nint caps, uint index);

    [LibraryImport(Gst)]
    public static partial nint gst_structure_get_name(nint structure);

    [LibraryImport(Gst, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int gst_structure_get_int(nint structure, string field, out int value);

    [LibraryImport(Gst, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int gst_structure_get_fraction(nint structure, string field, out int numerator, out int denominator);

    [LibraryImport(App)]
    public static partial nint gst_app_sink_try_pull_sample(GstObjectHandle sink, ulong timeoutNs);

    [LibraryImport(App)]
    public static partial int gst_app_sink_is_eos(GstObjectHandle sink);

    /// <summary>Takes ownership of <paramref name="buffer"/> (one reference), even when it fails.</summary>
    [LibraryImport(App)]
    public static partial int gst_app_src_push_buffer(GstObjectHandle source, nint buffer);

    [LibraryImport(App)]
    public static partial int gst_app_src_end_of_stream(GstObjectHandle source);

    /// <summary>Does not take ownership of <paramref name="caps"/>.</summary>
    [LibraryImport(App)]
    public static partial void gst_app_src_set_caps(GstObjectHandle source, nint caps);

    [LibraryImport(Video)]
    public static partial nint gst_video_event_new_upstream_force_key_unit(ulong runningTimeNs, int allHeaders, uint count);

    [LibraryImport(GLib)]
    public static partial void g_error_free(nint error);

    [LibraryImport(GLib)]
    public static partial void g_free(nint memory);

    /// <summary>Reads a <c>GError*</c>'s message and frees the error; null in, null out.</summary>
    public static string? TakeError(nint error, out int code)
    {
        code = 0;
        if (error == 0)
        {
            return null;
        }

        GError* e = (GError*)error;
        code = e->Code;
        string message = Marshal.PtrToStringUTF8(e->Message) ?? "(no message)";
        g_error_free(error);
        return message;
    }

    /// <summary>Reads a g_malloc'ed UTF-8 string and frees it; null in, null out.</summary>
    public static string? TakeString(nint text)
    {
        if (text == 0)
        {
            return null;
        }

        string? s = Marshal.PtrToStringUTF8(text);
        g_free(text);
        return s;
    }
}

/// <summary>GError (glib/gerror.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GError
{
    public uint Domain;
    public int Code;
    public nint Message;
}

/// <summary>GstMapInfo (gst/gstmemory.h): 104 bytes on LP64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GstMapInfo
{
    public nint Memory;
    public int Flags;
    public byte* Data;
    public nuint Size;
    public nuint MaxSize;
    public fixed long UserData[4];
    public fixed long Reserved[4];
}

/// <summary>GstMiniObject (gst/gstminiobject.h): 64 bytes on LP64.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GstMiniObject
{
    public nuint Type;
    public int RefCount;
    public int LockState;
    public uint Flags;
    public nint Copy;
    public nint Dispose;
    public nint Free;
    public uint PrivUint;
    public nint PrivPointer;
}

/// <summary>The public head of GstBuffer (gst/gstbuffer.h); times in nanoseconds, GST_CLOCK_TIME_NONE when unset.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GstBufferHead
{
    public GstMiniObject MiniObject;
    public nint Pool;
    public ulong Pts;
    public ulong Dts;
    public ulong Duration;
    public ulong Offset;
    public ulong OffsetEnd;
}

/// <summary>The public head of GstMessage (gst/gstmessage.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GstMessageHead
{
    public GstMiniObject MiniObject;
    public int Type;
    public ulong Timestamp;
    public nint Source;
}

/// <summary>Owns one reference to a GstObject (element, bin, bus); released with <c>gst_object_unref</c>.</summary>
internal sealed class GstObjectHandle : SafeHandle
{
    /// <summary>Used by the marshaller.</summary>
    public GstObjectHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of a reference the caller already holds.</summary>
    /// <param name="pointer">The object.</param>
    /// <param name="isTopLevelElement">
    /// True for a pipeline: its state is set to NULL before the last reference goes, which stops its streaming
    /// threads and closes devices and files (GStreamer requires an element in NULL state when it is freed).
    /// </param>
    public GstObjectHandle(nint pointer, bool isTopLevelElement = false)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(pointer);
        _isTopLevelElement = isTopLevelElement;
    }

    private readonly bool _isTopLevelElement;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        if (_isTopLevelElement)
        {
            // NULL is reached synchronously; a failure here leaves nothing better to do than release.
            _ = GstNative.gst_element_set_state_raw(handle, GstNative.StateNull);
        }

        GstNative.gst_object_unref(handle);
        return true;
    }
}
