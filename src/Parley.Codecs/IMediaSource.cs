namespace Parley.Codecs;

/// <summary>
/// A capture source (camera, microphone, file, test pattern): raw I420 video frames and/or interleaved 16-bit
/// audio, each with a capture timestamp. Video and audio may be read from two threads, one each.
/// </summary>
public interface IMediaSource : IDisposable
{
    /// <summary>Whether the source produces video.</summary>
    bool HasVideo { get; }

    /// <summary>Whether the source produces audio.</summary>
    bool HasAudio { get; }

    /// <summary>Whether the source has ended (a file without looping); reads then return false.</summary>
    bool IsEndOfStream { get; }

    /// <summary>Opens the device or file and starts capturing.</summary>
    /// <exception cref="CodecException">The device or file cannot be opened; the message names it and says why.</exception>
    void Start();

    /// <summary>Waits up to <paramref name="timeout"/> for the next video frame.</summary>
    /// <returns>False on timeout or at the end of the stream.</returns>
    /// <exception cref="CodecException">Capture failed.</exception>
    bool TryReadVideo(TimeSpan timeout, out VideoFrame frame);

    /// <summary>Waits up to <paramref name="timeout"/> for the next block of audio.</summary>
    /// <returns>False on timeout or at the end of the stream.</returns>
    /// <exception cref="CodecException">Capture failed.</exception>
    bool TryReadAudio(TimeSpan timeout, out AudioFrame frame);
}
