namespace Parley.Codecs;

/// <summary>
/// A video encoder: raw I420 frames in, access units out. Input and output are decoupled because hardware
/// encoders return frames later than they take them; call <see cref="TryReadAccessUnit"/> after each
/// <see cref="Encode"/> (or from another thread) until it returns false.
/// </summary>
public interface IVideoEncoder : IDisposable
{
    /// <summary>Frame width in pixels that <see cref="Encode"/> expects.</summary>
    int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    int Height { get; }

    /// <summary>Submits one frame.</summary>
    /// <param name="i420">Packed I420, <see cref="I420.GetSize"/>(Width, Height) bytes.</param>
    /// <param name="timestamp">The frame's capture time; carried to the access unit.</param>
    /// <exception cref="ArgumentException">i420 is too small.</exception>
    /// <exception cref="CodecException">The encoder failed.</exception>
    void Encode(ReadOnlySpan<byte> i420, TimeSpan timestamp);

    /// <summary>Waits up to <paramref name="timeout"/> for the next access unit.</summary>
    /// <returns>False when none arrived in time.</returns>
    /// <exception cref="CodecException">The encoder failed.</exception>
    bool TryReadAccessUnit(TimeSpan timeout, out EncodedVideoFrame accessUnit);

    /// <summary>Makes the next encoded frame a key frame (a receiver sent a PLI, RFC 4585 §6.3.1, or a new reader joined).</summary>
    void RequestKeyFrame();
}
