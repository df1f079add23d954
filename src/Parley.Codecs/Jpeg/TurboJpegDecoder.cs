using System.Runtime.InteropServices;
using Parley.Codecs.Interop;

namespace Parley.Codecs.Jpeg;

/// <summary>
/// A JPEG decoder over libturbojpeg: to packed I420 (whatever the JPEG's subsampling) or to interleaved pixels.
/// One instance per thread; not thread-safe. Decoding a 4:2:0 JPEG to I420 allocates nothing; other
/// subsamplings go through one reused scratch buffer.
/// </summary>
public sealed unsafe class TurboJpegDecoder : IDisposable
{
    private readonly TurboJpegHandle _handle;
    private byte[] _scratch = [];

    /// <summary>Creates a decoder.</summary>
    /// <exception cref="CodecException">tjInitDecompress failed.</exception>
    public TurboJpegDecoder()
    {
        _handle = TurboJpegNative.tjInitDecompress();
        if (_handle.IsInvalid)
        {
            _handle.Dispose();
            throw new CodecException("libturbojpeg", "tjInitDecompress", -1, "could not create a decompressor");
        }
    }

    /// <summary>
    /// The warning libjpeg raised during the last decode (for example "Premature end of JPEG file" for a
    /// truncated frame, which still decodes with grey blocks), or null when it decoded cleanly.
    /// </summary>
    public string? LastWarning { get; private set; }

    /// <summary>Reads a JPEG's dimensions and subsampling without decoding it.</summary>
    /// <returns>False when the data is not a JPEG libturbojpeg can read.</returns>
    public bool TryReadHeader(ReadOnlySpan<byte> jpeg, out JpegImageInfo info)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        info = default;
        if (jpeg.IsEmpty)
        {
            return false;
        }

        fixed (byte* p = jpeg)
        {
            int rc = TurboJpegNative.tjDecompressHeader3(_handle, p, new CULong((nuint)jpeg.Length), out int w, out int h, out int s, out _);
            if (rc != 0 || w <= 0 || h <= 0)
            {
                return false;
            }

            info = new JpegImageInfo(w, h, (JpegSubsampling)s);
            return true;
        }
    }

    /// <summary>Reads a JPEG's dimensions and subsampling.</summary>
    /// <exception cref="CodecException">The header is not readable; the message is libjpeg's.</exception>
    public JpegImageInfo ReadHeader(ReadOnlySpan<byte> jpeg)
    {
        if (!TryReadHeader(jpeg, out JpegImageInfo info))
        {
            throw new CodecException("libturbojpeg", "tjDecompressHeader3", -1, jpeg.IsEmpty ? "empty input" : TurboJpegNative.GetError(_handle));
        }

        return info;
    }

    /// <summary>
    /// Decodes to packed I420. A 4:2:0 JPEG decodes straight into <paramref name="i420"/>; other subsamplings are
    /// decoded natively and their chroma box-filtered to 4:2:0; greyscale gets neutral chroma (128).
    /// </summary>
    /// <param name="jpeg">The JPEG file.</param>
    /// <param name="i420">At least <see cref="I420.GetSize"/>(width, height) bytes (read the size with <see cref="ReadHeader"/>).</param>
    /// <returns>The image's geometry.</returns>
    /// <exception cref="ArgumentException">i420 is too small for the image.</exception>
    /// <exception cref="CodecException">The JPEG is not decodable (fatal libjpeg error).</exception>
    public JpegImageInfo DecodeToI420(ReadOnlySpan<byte> jpeg, Span<byte> i420)
    {
        JpegImageInfo info = ReadHeader(jpeg);
        int w = info.Width, h = info.Height;
        int need = I420.GetSize(w, h);
        if (i420.Length < need)
        {
            throw new ArgumentException($"A {w}x{h} I420 image needs {need} bytes; got {i420.Length}.", nameof(i420));
        }

        int cw = I420.ChromaWidth(w), ch = I420.ChromaHeight(h);
        if (info.Subsampling == JpegSubsampling.Yuv420)
        {
            DecodePlanes(jpeg, w, h, i420, w, i420[(w * h)..], cw, i420[((w * h) + (cw * ch))..], cw);
            return info;
        }

        if (info.Subsampling == JpegSubsampling.Gray)
        {
            DecodePlanes(jpeg, w, h, i420, w, default, 0, default, 0);
            i420.Slice(w * h, 2 * cw * ch).Fill(128);
            return info;
        }

        (int scw, int sch) = TurboJpegEncoder.ChromaSize(w, h, info.Subsampling);
        if (scw == 0)
        {
            throw new CodecException("libturbojpeg", "tjDecompressToYUVPlanes", -1, "unsupported chroma subsampling");
        }

        int planeSize = scw * sch;
        if (_scratch.Length < 2 * planeSize)
        {
            _scratch = new byte[2 * planeSize];
        }

        Span<byte> su = _scratch.AsSpan(0, planeSize), sv = _scratch.AsSpan(planeSize, planeSize);
        DecodePlanes(jpeg, w, h, i420, w, su, scw, sv, scw);
        Resample(su, scw, sch, i420.Slice(w * h, cw * ch), w, h);
        Resample(sv, scw, sch, i420.Slice((w * h) + (cw * ch), cw * ch), w, h);
        return info;
    }

    /// <summary>Decodes to interleaved pixels (<c>tjDecompress2</c>).</summary>
    /// <param name="jpeg">The JPEG file.</param>
    /// <param name="destination">height rows of <paramref name="stride"/> bytes.</param>
    /// <param name="stride">Bytes per destination row, ≥ width × bytes per pixel; 0 means exactly that.</param>
    /// <param name="format">The pixel layout to produce.</param>
    /// <returns>The image's geometry.</returns>
    /// <exception cref="ArgumentException">The destination is too small or the stride too short.</exception>
    /// <exception cref="CodecException">The JPEG is not decodable.</exception>
    public JpegImageInfo DecodeToPixels(ReadOnlySpan<byte> jpeg, Span<byte> destination, int stride, JpegPixelFormat format)
    {
        JpegImageInfo info = ReadHeader(jpeg);
        int rowBytes = checked(info.Width * format.BytesPerPixel());
        if (stride == 0)
        {
            stride = rowBytes;
        }

        if (stride < rowBytes)
        {
            throw new ArgumentException($"Stride {stride} is shorter than a row of {rowBytes} bytes.", nameof(stride));
        }

        long need = ((long)stride * (info.Height - 1)) + rowBytes;
        if (destination.Length < need)
        {
            throw new ArgumentException($"A {info.Width}x{info.Height} {format} image needs {need} bytes; got {destination.Length}.", nameof(destination));
        }

        fixed (byte* src = jpeg)
        fixed (byte* dst = destination)
        {
            int rc = TurboJpegNative.tjDecompress2(_handle, src, new CULong((nuint)jpeg.Length), dst, info.Width, stride, info.Height, (int)format, 0);
            Check(rc, "tjDecompress2");
        }

        return info;
    }

    /// <summary>Frees the native decompressor.</summary>
    public void Dispose() => _handle.Dispose();

    private void DecodePlanes(ReadOnlySpan<byte> jpeg, int w, int h, Span<byte> y, int ys, Span<byte> u, int us, Span<byte> v, int vs)
    {
        fixed (byte* src = jpeg)
        fixed (byte* py = y)
        fixed (byte* pu = u)
        fixed (byte* pv = v)
        {
            byte** planes = stackalloc byte*[3] { py, pu, pv };
            int* strides = stackalloc int[3] { ys, us, vs };
            int rc = TurboJpegNative.tjDecompressToYUVPlanes(_handle, src, new CULong((nuint)jpeg.Length), planes, w, strides, h, 0);
            Check(rc, "tjDecompressToYUVPlanes");
        }
    }

    private void Check(int rc, string operation)
    {
        LastWarning = null;
        if (rc == 0)
        {
            return;
        }

        string message = TurboJpegNative.GetError(_handle);
        if (TurboJpegNative.tjGetErrorCode(_handle) == TurboJpegNative.TJERR_WARNING)
        {
            LastWarning = message;
            return;
        }

        throw new CodecException("libturbojpeg", operation, rc, message);
    }

    // Box-filters a chroma plane of any subsampling down (or up) to 4:2:0: each 4:2:0 sample averages the
    // source samples under its 2x2 luma footprint.
    private static void Resample(ReadOnlySpan<byte> src, int sw, int sh, Span<byte> dst, int width, int height)
    {
        int dw = I420.ChromaWidth(width), dh = I420.ChromaHeight(height);
        for (int dy = 0; dy < dh; dy++)
        {
            int y0 = (int)((long)(2 * dy) * sh / height);
            int y1 = (int)((long)Math.Min((2 * dy) + 1, height - 1) * sh / height);
            for (int dx = 0; dx < dw; dx++)
            {
                int x0 = (int)((long)(2 * dx) * sw / width);
                int x1 = (int)((long)Math.Min((2 * dx) + 1, width - 1) * sw / width);
                int sum = src[(y0 * sw) + x0] + src[(y0 * sw) + x1] + src[(y1 * sw) + x0] + src[(y1 * sw) + x1];
                dst[(dy * dw) + dx] = (byte)((sum + 2) >> 2);
            }
        }
    }
}
