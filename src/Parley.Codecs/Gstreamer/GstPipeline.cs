using Parley.Codecs.Interop;

namespace Parley.Codecs.Gstreamer;

/// <summary>
/// A GStreamer pipeline built from a <c>gst-launch-1.0</c> style description (<c>gst_parse_launch</c>), run
/// without a GLib main loop: errors and end-of-stream are read by polling the pipeline's bus.
/// </summary>
/// <remarks>
/// <para>Bus polling pops only ERROR and EOS messages and discards the rest (state changes, tags, QoS), so the bus
/// queue cannot grow while nobody looks. The first ERROR is remembered: every later <see cref="PollBus"/> (from
/// any thread) throws it again, because a pipeline that posted an error has stopped producing data.</para>
/// <para>Dispose sets the pipeline to NULL state (stopping its streaming threads and closing devices and files)
/// and releases it. Methods are safe to call from several threads, as GStreamer's own calls are.</para>
/// </remarks>
public sealed class GstPipeline : IDisposable
{
    private static int _liveCount;
    private readonly GstObjectHandle _pipeline;
    private readonly bool _isBin;
    private readonly GstObjectHandle _bus;
    private readonly Lock _gate = new();
    private CodecException? _error;
    private int _disposed;
    private volatile bool _endOfStream;

    /// <summary>Parses <paramref name="description"/> into a pipeline (in NULL state; call <see cref="Play"/>).</summary>
    /// <param name="description">A pipeline in gst-launch syntax, for example <c>videotestsrc ! appsink name=sink</c>.
    /// Quote user-supplied values with <see cref="GstLaunch.Quote"/>.</param>
    /// <exception cref="CodecException">GStreamer is missing, or the description does not parse (unknown element,
    /// bad property, unlinkable caps); the message is GStreamer's and includes the description.</exception>
    public GstPipeline(string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        GstRuntime.EnsureInitialized();
        Description = description;
        nint element = GstNative.gst_parse_launch(description, out nint error);
        string? message = GstNative.TakeError(error, out int code);
        if (element != 0)
        {
            // A floating reference: sink it so this handle owns exactly one reference.
            element = GstNative.gst_object_ref_sink(element);
        }

        if (message is not null || element == 0)
        {
            if (element != 0)
            {
                GstNative.gst_object_unref(element);
            }

            throw new CodecException("GStreamer", "gst_parse_launch", code, $"{message ?? "no pipeline"} in \"{description}\"");
        }

        _pipeline = new GstObjectHandle(element, isTopLevelElement: true);
        // A one-element description parses to that element, not a bin: it has no children to look up by name.
        _isBin = GstNative.g_type_check_instance_is_a(_pipeline, GstNative.gst_bin_get_type());
        _bus = new GstObjectHandle(GstNative.gst_element_get_bus(_pipeline));
        Interlocked.Increment(ref _liveCount);
    }

    /// <summary>Pipelines created and not yet disposed in this process (leak checks in tests).</summary>
    public static int LiveCount => Volatile.Read(ref _liveCount);

    /// <summary>The description this pipeline was parsed from.</summary>
    public string Description { get; }

    /// <summary>Whether the pipeline has posted end-of-stream (every sink received EOS) since it last started.</summary>
    public bool IsEndOfStream => _endOfStream;

    /// <summary>
    /// Sets the pipeline PLAYING. With <paramref name="prerollTimeout"/>, also waits until the state change has
    /// completed (every sink prerolled) — use it for file and device pipelines to learn early that they work.
    /// </summary>
    /// <param name="prerollTimeout">How long to wait for an asynchronous state change; null to return at once.</param>
    /// <exception cref="CodecException">The state change failed (the message is the element's bus error, for example
    /// "Cannot identify device '/dev/video9'"), or it did not complete within the timeout.</exception>
    public void Play(TimeSpan? prerollTimeout = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _endOfStream = false;
        int result = GstNative.gst_element_set_state(_pipeline, GstNative.StatePlaying);
        if (result == GstNative.StateChangeAsync && prerollTimeout is { } timeout)
        {
            result = GstNative.gst_element_get_state(_pipeline, out _, out _, ToNanoseconds(timeout));
            if (result == GstNative.StateChangeAsync)
            {
                PollBus();
                throw new CodecException($"GStreamer: the pipeline did not start within {timeout.TotalSeconds:0.#} s (a sink received no data; does the input have every requested track?): {Description}");
            }
        }

        if (result == GstNative.StateChangeFailure)
        {
            // The failing element posts its ERROR before the state change returns.
            PollBus(TimeSpan.FromSeconds(1));
            throw new CodecException("GStreamer", "gst_element_set_state(PLAYING)", 0, $"the pipeline failed to start: {Description}");
        }
    }

    /// <summary>
    /// Sets the pipeline to NULL state: streaming stops, devices and files close, and a remembered error is
    /// forgotten (the bus is flushed in NULL state). Play may be called again.
    /// </summary>
    public void Stop()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _ = GstNative.gst_element_set_state(_pipeline, GstNative.StateNull);
        lock (_gate)
        {
            _error = null;
            _endOfStream = false;
        }
    }

    /// <summary>
    /// Pops ERROR and EOS messages from the bus, waiting up to <paramref name="wait"/> for the first one, and
    /// discards every other message.
    /// </summary>
    /// <param name="wait">How long to wait for a message; null or zero to only look.</param>
    /// <returns>True when the pipeline has reached end-of-stream.</returns>
    /// <exception cref="CodecException">The pipeline posted an ERROR (now or before): the element's name, its
    /// error text and the last line of its debug information.</exception>
    public bool PollBus(TimeSpan? wait = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_error is { } previous)
        {
            throw previous;
        }

        ulong timeout = wait is { } w && w > TimeSpan.Zero ? ToNanoseconds(w) : 0;
        while (true)
        {
            nint message = GstNative.gst_bus_timed_pop_filtered(_bus, timeout, GstNative.MessageError | GstNative.MessageEos);
            if (message == 0)
            {
                return _endOfStream;
            }

            timeout = 0;
            try
            {
                HandleMessage(message);
            }
            finally
            {
                GstNative.gst_message_unref(message);
            }
        }
    }

    /// <summary>Waits until end-of-stream is posted (after every appsrc has sent EOS, or a file has ended).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>True on EOS; false when the time ran out first.</returns>
    /// <exception cref="CodecException">The pipeline posted an ERROR.</exception>
    public bool WaitForEndOfStream(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!PollBus(TimeSpan.FromMilliseconds(50)))
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Flushing seek to the start (used to loop a file); clears the end-of-stream flag.</summary>
    /// <returns>False when the pipeline refused the seek (a live source, or no seekable demuxer).</returns>
    public bool SeekToStart()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        bool ok = GstNative.gst_element_seek_simple(
            _pipeline, GstNative.FormatTime, GstNative.SeekFlagFlush | GstNative.SeekFlagKeyUnit, 0) != 0;
        if (ok)
        {
            _endOfStream = false;
        }

        return ok;
    }

    /// <summary>The appsink named <paramref name="name"/> in this pipeline.</summary>
    /// <exception cref="CodecException">No element of that name.</exception>
    public GstAppSink GetAppSink(string name) => new(this, GetElement(name), name);

    /// <summary>The appsrc named <paramref name="name"/> in this pipeline.</summary>
    /// <exception cref="CodecException">No element of that name.</exception>
    public GstAppSrc GetAppSrc(string name) => new(this, GetElement(name), name);

    /// <summary>
    /// Parses and starts a pipeline that runs from one appsrc to one appsink with an encoder or decoder between
    /// them; if any step fails, what was opened is disposed before the exception propagates.
    /// </summary>
    /// <param name="description">The gst-launch description.</param>
    /// <param name="sourceName">The appsrc's name.</param>
    /// <param name="sinkName">The appsink's name.</param>
    /// <exception cref="CodecException">GStreamer or an element is missing, or the pipeline does not start.</exception>
    internal static (GstPipeline Pipeline, GstAppSrc Source, GstAppSink Sink) StartFilter(string description, string sourceName, string sinkName)
    {
        var pipeline = new GstPipeline(description);
        GstAppSrc? source = null;
        GstAppSink? sink = null;
        try
        {
            source = pipeline.GetAppSrc(sourceName);
            sink = pipeline.GetAppSink(sinkName);
            pipeline.Play();
            return (pipeline, source, sink);
        }
        catch
        {
            source?.Dispose();
            sink?.Dispose();
            pipeline.Dispose();
            throw;
        }
    }

    /// <summary>Whether the pipeline has an element named <paramref name="name"/>.</summary>
    public bool HasElement(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        nint element = _isBin ? GstNative.gst_bin_get_by_name(_pipeline, name) : 0;
        if (element == 0)
        {
            return false;
        }

        GstNative.gst_object_unref(element);
        return true;
    }

    /// <summary>Stops the pipeline (NULL state) and releases it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        GstNative.gst_element_set_state(_pipeline, GstNative.StateNull);
        _bus.Dispose();
        _pipeline.Dispose();
        Interlocked.Decrement(ref _liveCount);
    }

    internal static ulong ToNanoseconds(TimeSpan time) =>
        time < TimeSpan.Zero ? 0 : time == Timeout.InfiniteTimeSpan ? GstNative.ClockTimeNone : (ulong)time.Ticks * 100;

    internal GstObjectHandle GetElement(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        nint element = _isBin ? GstNative.gst_bin_get_by_name(_pipeline, name) : 0;
        if (element == 0)
        {
            throw new CodecException($"GStreamer: the pipeline has no element named '{name}': {Description}");
        }

        return new GstObjectHandle(element);
    }

    private unsafe void HandleMessage(nint message)
    {
        var head = (GstMessageHead*)message;
        if ((head->Type & GstNative.MessageEos) != 0)
        {
            _endOfStream = true;
            return;
        }

        GstNative.gst_message_parse_error(message, out nint error, out nint debug);
        string text = GstNative.TakeError(error, out int code) ?? "unknown error";
        string? details = GstNative.TakeString(debug);
        string source = head->Source == 0 ? "pipeline" : GstNative.TakeString(GstNative.gst_object_get_name(head->Source)) ?? "element";

        // The debug text's last line holds the system error ("system error: No such file or directory").
        string? lastLine = details?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } lines
            ? lines[^1]
            : null;
        string full = lastLine is null ? text : $"{text} ({lastLine})";
        var exception = new CodecException("GStreamer", source, code, full);
        lock (_gate)
        {
            _error ??= exception;
        }

        throw _error;
    }
}
