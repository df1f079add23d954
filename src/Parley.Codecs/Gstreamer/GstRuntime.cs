using System.Runtime.InteropServices;
using Parley.Codecs.Interop;

namespace Parley.Codecs.Gstreamer;

/// <summary>
/// Process-wide GStreamer initialization (<c>gst_init_check</c>, once) and plugin queries.
/// </summary>
/// <remarks>
/// GStreamer is initialized without command-line arguments and without a GLib main loop; everything in this
/// namespace polls the bus and calls appsink/appsrc directly, so no thread has to run <c>g_main_loop_run</c>.
/// </remarks>
public static class GstRuntime
{
    private static readonly Lock Gate = new();
    private static string? _version;

    /// <summary>The library's version string, for example <c>GStreamer 1.22.0</c>; initializes GStreamer.</summary>
    /// <exception cref="CodecException">GStreamer is missing or failed to initialize.</exception>
    public static string Version
    {
        get
        {
            EnsureInitialized();
            return _version!;
        }
    }

    /// <summary>
    /// Initializes GStreamer once per process; later calls return at once. Safe to call from any thread.
    /// </summary>
    /// <exception cref="CodecException">
    /// libgstreamer-1.0.so.0 (or libgstapp, libglib) cannot be loaded — install the Debian packages
    /// gstreamer1.0-tools, gstreamer1.0-plugins-base/good/bad/ugly and gstreamer1.0-libav — or gst_init_check
    /// failed; the message says which.
    /// </exception>
    public static void EnsureInitialized()
    {
        if (Volatile.Read(ref _version) is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (_version is not null)
            {
                return;
            }

            try
            {
                if (GstNative.gst_init_check(0, 0, out nint error) == 0)
                {
                    string? message = GstNative.TakeError(error, out int code);
                    throw new CodecException("GStreamer", "gst_init_check", code, message ?? "initialization failed");
                }

                Volatile.Write(ref _version, Marshal.PtrToStringUTF8(GstNative.gst_version_string()) ?? "GStreamer");
            }
            catch (DllNotFoundException e)
            {
                throw new CodecException(
                    $"GStreamer is not installed: {e.Message} Install the Debian packages gstreamer1.0-tools, " +
                    "gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad, " +
                    "gstreamer1.0-plugins-ugly and gstreamer1.0-libav.",
                    e);
            }
        }
    }

    /// <summary>Whether an element factory (a plugin feature such as <c>v4l2h264enc</c>) is installed.</summary>
    /// <param name="factoryName">The element name as written in a pipeline string.</param>
    /// <exception cref="CodecException">GStreamer is missing.</exception>
    public static bool HasElement(string factoryName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(factoryName);
        EnsureInitialized();
        nint factory = GstNative.gst_element_factory_find(factoryName);
        if (factory == 0)
        {
            return false;
        }

        GstNative.gst_object_unref(factory);
        return true;
    }
}
