using System.Runtime.InteropServices;
using Parley.Codecs.Interop;

namespace Parley.Codecs.Jpeg;

/// <summary>
/// A baseline JPEG encoder over libturbojpeg (TurboJPEG 2.x API): planar YUV (I420 and the other TurboJPEG
/// layouts) or interleaved RGB/BGR(x) in, a JFIF file out, written straight into the caller's buffer or into one
/// internal buffer reused from frame to frame, so steady-state encoding allocates nothing.
/// </summary>
/// <remarks>
/// The output uses the standard Huffman tables (ITU-T T.81 Annex K.3) and 8-bit quantization tables, which is
/// what RTP/JPEG (RFC 2435) requires. One instance per thread; not thread-safe.
/// </remarks>
public sealed unsafe class TurboJpegEncoder : IDisposable
{
    private readonly TurboJpegHandle _handle;
    private byte[] _buffer = [];
    private int _quality;
    private JpegSubsampling _subsampling;

    /// <summary>Creates an encoder.</summary>
    /// <param name="quality">JPEG quality 1..100 (libjpeg scale; 75..85 is typical for video).</param>
    /// <param name="subsampling">Chroma subsampling used when encoding interleaved pixels.</param>
    /// <exception cref="ArgumentOutOfRangeException">quality outside 1..100 or an undefined subsampling.</exception>
    /// <exception cref="CodecException">tjInitCompress failed.</exception>
    /// <exception cref="DllNotFoundException">libturbojpeg.so.0 is missing (Debian: <c>apt-get install libturbojpeg0</c>).</exception>
    public TurboJpegEncoder(int quality = 80, JpegSubsampling subsampling = JpegSubsampling.Yuv420)
    {
        Quality = quality;
        Subsampling = subsampling;
        _handle = TurboJpegNative.tjInitCompress();
        if (_handle.IsInvalid)
        {
            _handle.Dispose();
            throw new CodecException("libturbojpeg", "tjInitCompress", -1, "could not create a compressor");
        }
    }

    /// <summary>JPEG quality, 1 (smallest) to 100 (best), as in libjpeg's <c>jpeg_set_quality</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1..100.</exception>
    public int Quality
    {
        get => _quality;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            _quality = value;
        }
    }

    /// <summary>
    /// Chroma subsampling for <see cref="EncodePixels(ReadOnlySpan{byte}, int, int, int, JpegPixelFormat, Span{byte})"/>.
    /// Planar input keeps the subsampling it already has. RTP/JPEG (RFC 2435) carries only 4:2:0 and 4:2:2.
    /// </summary>
    public JpegSubsampling Subsampling
    {
        get => _subsampling;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown subsampling.");
            }

            _subsampling = value;
        }
    }

    /// <summary>Use the faster, slightly less accurate integer DCT (<c>TJFLAG_FASTDCT</c>).</summary>
    public bool FastDct { get; set; }

    /// <summary>
    /// The worst-case size of a JPEG of this geometry, in bytes (<c>tjBufSize</c>). Destination buffers given to
    /// the Encode methods must be at least this long, because libturbojpeg writes into them on that assumption.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive dimensions, or a size beyond 2 GiB.</exception>
    public static int GetMaxEncodedSize(int width, int height, JpegSubsampling subsampling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(width, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(height, 0);
        ulong size = TurboJpegNative.tjBufSize(width, height, (int)subsampling).Value;
        if (size == 0 || size > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"A {width}x{height} JPEG is too large to encode.");
        }

        return (int)size;
    }

    /// <summary>Encodes a packed I420 image (Y plane, then U, then V, no row padding) into <paramref name="destination"/>.</summary>
    /// <param name="i420">At least <see cref="I420.GetSize"/>(width, height) bytes.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="destination">At least <see cref="GetMaxEncodedSize"/>(width, height, Yuv420) bytes.</param>
    /// <returns>The JPEG length in bytes; the JPEG is destination[..length].</returns>
    /// <exception cref="ArgumentException">A buffer is too small or a dimension is not positive.</exception>
    /// <exception cref="CodecException">libturbojpeg failed; the message is <c>tjGetErrorStr2</c>.</exception>
    public int EncodeI420(ReadOnlySpan<byte> i420, int width, int height, Span<byte> destination)
    {
        int size = I420.GetSize(width, height);
        if (i420.Length < size)
        {
            throw new ArgumentException($"A {width}x{height} I420 image is {size} bytes; got {i420.Length}.", nameof(i420));
        }

        int cw = I420.ChromaWidth(width), ch = I420.ChromaHeight(height);
        int ySize = width * height;
        return EncodeYuvPlanes(
            i420[..ySize], width,
            i420.Slice(ySize, cw * ch), cw,
            i420.Slice(ySize + (cw * ch), cw * ch), cw,
            width, height, JpegSubsampling.Yuv420, destination);
    }

    /// <summary>
    /// Encodes a packed I420 image into the encoder's internal buffer, which is reused (grown only when a larger
    /// geometry needs it) so the steady state allocates nothing.
    /// </summary>
    /// <returns>The JPEG; valid until the next Encode call on this encoder.</returns>
    /// <exception cref="ArgumentException">i420 is too small or a dimension is not positive.</exception>
    /// <exception cref="CodecException">libturbojpeg failed.</exception>
    public ReadOnlySpan<byte> EncodeI420(ReadOnlySpan<byte> i420, int width, int height)
    {
        byte[] buffer = EnsureBuffer(GetMaxEncodedSize(width, height, JpegSubsampling.Yuv420));
        int n = EncodeI420(i420, width, height, buffer);
        return buffer.AsSpan(0, n);
    }

    /// <summary>
    /// Encodes planar YUV with explicit strides (<c>tjCompressFromYUVPlanes</c>), for example a camera frame whose
    /// rows are padded. The JPEG keeps the planes' subsampling.
    /// </summary>
    /// <param name="y">The luma plane: height rows of yStride bytes (the last row needs only width bytes).</param>
    /// <param name="yStride">Bytes from one luma row to the next, ≥ width.</param>
    /// <param name="u">The Cb plane (ignored for <see cref="JpegSubsampling.Gray"/>).</param>
    /// <param name="uStride">Bytes from one Cb row to the next.</param>
    /// <param name="v">The Cr plane (ignored for Gray).</param>
    /// <param name="vStride">Bytes from one Cr row to the next.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="subsampling">How the chroma planes are subsampled (4:2:0 for I420).</param>
    /// <param name="destination">At least <see cref="GetMaxEncodedSize"/>(width, height, subsampling) bytes.</param>
    /// <returns>The JPEG length in bytes.</returns>
    /// <exception cref="ArgumentException">A plane or the destination is too small, or a stride is too short.</exception>
    /// <exception cref="CodecException">libturbojpeg failed.</exception>
    public int EncodeYuvPlanes(
        ReadOnlySpan<byte> y, int yStride,
        ReadOnlySpan<byte> u, int uStride,
        ReadOnlySpan<byte> v, int vStride,
        int width, int height, JpegSubsampling subsampling, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (!Enum.IsDefined(subsampling))
        {
            throw new ArgumentOutOfRangeException(nameof(subsampling), subsampling, "Unknown subsampling.");
        }

        int max = GetMaxEncodedSize(width, height, subsampling);
        CheckPlane(y, yStride, width, height, nameof(y));
        bool gray = subsampling == JpegSubsampling.Gray;
        if (!gray)
        {
            (int cw, int ch) = ChromaSize(width, height, subsampling);
            CheckPlane(u, uStride, cw, ch, nameof(u));
            CheckPlane(v, vStride, cw, ch, nameof(v));
        }

        CheckDestination(destination, max);
        fixed (byte* py = y)
        fixed (byte* pu = u)
        fixed (byte* pv = v)
        fixed (byte* pd = destination)
        {
            byte** planes = stackalloc byte*[3] { py, gray ? null : pu, gray ? null : pv };
            int* strides = stackalloc int[3] { yStride, gray ? 0 : uStride, gray ? 0 : vStride };
            byte* output = pd;
            CULong size = new((nuint)destination.Length);
            int rc = TurboJpegNative.tjCompressFromYUVPlanes(
                _handle, planes, width, strides, height, (int)subsampling, &output, &size, _quality, Flags);
            return Finish(rc, "tjCompressFromYUVPlanes", output, pd, size);
        }
    }

    /// <summary>Encodes interleaved pixels (<c>tjCompress2</c>) with <see cref="Subsampling"/> into <paramref name="destination"/>.</summary>
    /// <param name="pixels">height rows of <paramref name="stride"/> bytes, top row first.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="stride">Bytes from one row to the next, ≥ width × bytes per pixel.</param>
    /// <param name="format">The pixel layout.</param>
    /// <param name="destination">At least <see cref="GetMaxEncodedSize"/>(width, height, Subsampling) bytes.</param>
    /// <returns>The JPEG length in bytes.</returns>
    /// <exception cref="ArgumentException">A buffer is too small or the stride too short.</exception>
    /// <exception cref="CodecException">libturbojpeg failed.</exception>
    public int EncodePixels(ReadOnlySpan<byte> pixels, int width, int height, int stride, JpegPixelFormat format, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int bpp = format.BytesPerPixel();
        int max = GetMaxEncodedSize(width, height, _subsampling);
        CheckPlane(pixels, stride, checked(width * bpp), height, nameof(pixels));
        CheckDestination(destination, max);
        fixed (byte* src = pixels)
        fixed (byte* pd = destination)
        {
            byte* output = pd;
            CULong size = new((nuint)destination.Length);
            int rc = TurboJpegNative.tjCompress2(
                _handle, src, width, stride, height, (int)format, &output, &size, (int)_subsampling, _quality, Flags);
            return Finish(rc, "tjCompress2", output, pd, size);
        }
    }

    /// <summary>Encodes interleaved pixels into the internal reused buffer.</summary>
    /// <returns>The JPEG; valid until the next Encode call on this encoder.</returns>
    /// <exception cref="ArgumentException">pixels is too small or the stride too short.</exception>
    /// <exception cref="CodecException">libturbojpeg failed.</exception>
    public ReadOnlySpan<byte> EncodePixels(ReadOnlySpan<byte> pixels, int width, int height, int stride, JpegPixelFormat format)
    {
        byte[] buffer = EnsureBuffer(GetMaxEncodedSize(width, height, _subsampling));
        int n = EncodePixels(pixels, width, height, stride, format, buffer);
        return buffer.AsSpan(0, n);
    }

    /// <summary>Frees the native compressor.</summary>
    public void Dispose() => _handle.Dispose();

    internal static (int Width, int Height) ChromaSize(int width, int height, JpegSubsampling subsampling) => subsampling switch
    {
        JpegSubsampling.Yuv444 => (width, height),
        JpegSubsampling.Yuv422 => ((width + 1) / 2, height),
        JpegSubsampling.Yuv420 => ((width + 1) / 2, (height + 1) / 2),
        JpegSubsampling.Yuv440 => (width, (height + 1) / 2),
        JpegSubsampling.Yuv411 => ((width + 3) / 4, height),
        _ => (0, 0),
    };

    private int Flags => TurboJpegNative.TJFLAG_NOREALLOC | (FastDct ? TurboJpegNative.TJFLAG_FASTDCT : 0);

    private static void CheckPlane(ReadOnlySpan<byte> plane, int stride, int rowBytes, int rows, string name)
    {
        if (stride < rowBytes)
        {
            throw new ArgumentException($"Stride {stride} is shorter than a row of {rowBytes} bytes.", name);
        }

        long need = ((long)stride * (rows - 1)) + rowBytes;
        if (plane.Length < need)
        {
            throw new ArgumentException($"The plane needs {need} bytes ({rows} rows, stride {stride}); got {plane.Length}.", name);
        }
    }

    private static void CheckDestination(Span<byte> destination, int max)
    {
        // With TJFLAG_NOREALLOC libturbojpeg assumes the buffer is tjBufSize() long, whatever size we pass.
        if (destination.Length < max)
        {
            throw new ArgumentException($"The destination must hold the worst case of {max} bytes (GetMaxEncodedSize); got {destination.Length}.", nameof(destination));
        }
    }

    private int Finish(int rc, string operation, byte* output, byte* expected, CULong size)
    {
        if (rc != 0)
        {
            throw new CodecException("libturbojpeg", operation, rc, TurboJpegNative.GetError(_handle));
        }

        if (output != expected)
        {
            throw new CodecException("libturbojpeg", operation, -1, "the library reallocated the caller's buffer");
        }

        return checked((int)size.Value);
    }

    private byte[] EnsureBuffer(int size)
    {
        if (_buffer.Length < size)
        {
            _buffer = new byte[size];
        }

        return _buffer;
    }
}
