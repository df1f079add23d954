namespace Parley.Codecs.Jpeg;

/// <summary>Chroma subsampling of a JPEG image (TurboJPEG <c>TJSAMP_*</c>; values match the library's).</summary>
public enum JpegSubsampling
{
    /// <summary>4:4:4, no chroma subsampling. Not carried by RFC 2435 types 0/1.</summary>
    Yuv444 = 0,

    /// <summary>4:2:2, chroma halved horizontally (RFC 2435 type 0).</summary>
    Yuv422 = 1,

    /// <summary>4:2:0, chroma halved in both directions (RFC 2435 type 1): the usual choice.</summary>
    Yuv420 = 2,

    /// <summary>Greyscale, luma only.</summary>
    Gray = 3,

    /// <summary>4:4:0, chroma halved vertically.</summary>
    Yuv440 = 4,

    /// <summary>4:1:1, chroma quartered horizontally.</summary>
    Yuv411 = 5,
}

/// <summary>Interleaved pixel layouts for <see cref="TurboJpegEncoder"/> and <see cref="TurboJpegDecoder"/> (TurboJPEG <c>TJPF_*</c>).</summary>
public enum JpegPixelFormat
{
    /// <summary>3 bytes per pixel: R, G, B.</summary>
    Rgb = 0,

    /// <summary>3 bytes per pixel: B, G, R.</summary>
    Bgr = 1,

    /// <summary>4 bytes per pixel: R, G, B, unused.</summary>
    Rgbx = 2,

    /// <summary>4 bytes per pixel: B, G, R, unused (the little-endian XRGB32 of most frame buffers).</summary>
    Bgrx = 3,

    /// <summary>1 byte per pixel, luma.</summary>
    Gray = 6,

    /// <summary>4 bytes per pixel: R, G, B, alpha (alpha ignored when encoding, 0xFF when decoding).</summary>
    Rgba = 7,

    /// <summary>4 bytes per pixel: B, G, R, alpha (alpha ignored when encoding, 0xFF when decoding).</summary>
    Bgra = 8,
}

/// <summary>Helpers for <see cref="JpegPixelFormat"/>.</summary>
public static class JpegPixelFormatExtensions
{
    /// <summary>Bytes per pixel of <paramref name="format"/> (1, 3 or 4).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The format is not defined.</exception>
    public static int BytesPerPixel(this JpegPixelFormat format) => format switch
    {
        JpegPixelFormat.Rgb or JpegPixelFormat.Bgr => 3,
        JpegPixelFormat.Rgbx or JpegPixelFormat.Bgrx or JpegPixelFormat.Rgba or JpegPixelFormat.Bgra => 4,
        JpegPixelFormat.Gray => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
    };
}

/// <summary>What a JPEG header says about the image.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Subsampling">Chroma subsampling (libturbojpeg refuses a header whose subsampling it cannot classify).</param>
public readonly record struct JpegImageInfo(int Width, int Height, JpegSubsampling Subsampling);
