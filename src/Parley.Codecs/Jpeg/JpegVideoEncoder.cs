namespace Parley.Codecs.Jpeg;

/// <summary>
/// JPEG as an <see cref="IVideoEncoder"/>: every frame is encoded on its own by libturbojpeg (so every frame is a
/// key frame and <see cref="RequestKeyFrame"/> has nothing to do). Not thread-safe.
/// </summary>
public sealed class JpegVideoEncoder : IVideoEncoder
{
    private readonly TurboJpegEncoder _encoder;
    private readonly byte[] _buffer;
    private int _pendingLength = -1;
    private TimeSpan _pendingTimestamp;

    /// <summary>Creates an encoder for frames of one size.</summary>
    /// <param name="width">Frame width in pixels.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="quality">JPEG quality 1-100.</param>
    /// <exception cref="CodecException">libturbojpeg is missing.</exception>
    public JpegVideoEncoder(int width, int height, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        _encoder = new TurboJpegEncoder(quality);
        _buffer = new byte[TurboJpegEncoder.GetMaxEncodedSize(width, height, JpegSubsampling.Yuv420)];
    }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public int Height { get; }

    /// <inheritdoc/>
    public void Encode(ReadOnlySpan<byte> i420, TimeSpan timestamp)
    {
        _pendingLength = _encoder.EncodeI420(i420, Width, Height, _buffer);
        _pendingTimestamp = timestamp;
    }

    /// <inheritdoc/>
    public bool TryReadAccessUnit(TimeSpan timeout, out EncodedVideoFrame accessUnit)
    {
        if (_pendingLength < 0)
        {
            accessUnit = default;
            return false;
        }

        accessUnit = new EncodedVideoFrame(_buffer.AsSpan(0, _pendingLength), _pendingTimestamp, isKeyFrame: true);
        _pendingLength = -1;
        return true;
    }

    /// <inheritdoc/>
    public void RequestKeyFrame()
    {
    }

    /// <inheritdoc/>
    public void Dispose() => _encoder.Dispose();
}
