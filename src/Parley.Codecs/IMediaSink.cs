namespace Parley.Codecs;

/// <summary>
/// A renderer for decoded media: raw I420 video frames and interleaved 16-bit audio (a window, the framebuffer,
/// a sound card, or nothing). Timing is the caller's: frames are shown when written unless the sink was built
/// to synchronize on timestamps.
/// </summary>
public interface IMediaSink : IDisposable
{
    /// <summary>Opens the output device.</summary>
    /// <exception cref="CodecException">The output cannot be opened.</exception>
    void Start();

    /// <summary>Renders one video frame; a new size renegotiates the output.</summary>
    /// <param name="i420">Packed I420 of <see cref="I420.GetSize"/>(width, height) bytes.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="timestamp">Presentation time.</param>
    /// <returns>False when the sink does not render video or is no longer running.</returns>
    /// <exception cref="CodecException">The output failed.</exception>
    bool WriteVideo(ReadOnlySpan<byte> i420, int width, int height, TimeSpan timestamp);

    /// <summary>Plays a block of interleaved audio at the sink's sample rate and channel count.</summary>
    /// <returns>False when the sink does not play audio or is no longer running.</returns>
    /// <exception cref="CodecException">The output failed.</exception>
    bool WriteAudio(ReadOnlySpan<short> samples, TimeSpan timestamp);

    /// <summary>Ends the streams and waits until everything written has been rendered.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>False when the time ran out.</returns>
    /// <exception cref="CodecException">The output failed.</exception>
    bool Complete(TimeSpan timeout);
}
