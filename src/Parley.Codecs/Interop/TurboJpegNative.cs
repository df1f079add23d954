using System.Runtime.InteropServices;

namespace Parley.Codecs.Interop;

/// <summary>
/// P/Invoke declarations for the TurboJPEG 2.x API in <c>libturbojpeg.so.0</c> (Debian 12: libturbojpeg0
/// 2.1.5). Signatures follow turbojpeg.h of that version; <c>unsigned long</c> is <see cref="CULong"/> so the
/// declarations stay right on LP64 (Linux x86_64, arm64) and LLP64 alike.
/// </summary>
internal static unsafe partial class TurboJpegNative
{
    public const string Library = "libturbojpeg.so.0";

    // TJPF_* pixel formats.
    public const int TJPF_RGB = 0;
    public const int TJPF_BGR = 1;
    public const int TJPF_RGBX = 2;
    public const int TJPF_BGRX = 3;
    public const int TJPF_XBGR = 4;
    public const int TJPF_XRGB = 5;
    public const int TJPF_GRAY = 6;
    public const int TJPF_RGBA = 7;
    public const int TJPF_BGRA = 8;

    // TJFLAG_* flags.
    public const int TJFLAG_NOREALLOC = 1024;
    public const int TJFLAG_FASTDCT = 2048;
    public const int TJFLAG_ACCURATEDCT = 4096;

    // tjGetErrorCode results.
    public const int TJERR_WARNING = 0;
    public const int TJERR_FATAL = 1;

    [LibraryImport(Library)]
    public static partial TurboJpegHandle tjInitCompress();

    [LibraryImport(Library)]
    public static partial TurboJpegHandle tjInitDecompress();

    [LibraryImport(Library)]
    public static partial int tjDestroy(nint handle);

    [LibraryImport(Library)]
    public static partial nint tjGetErrorStr2(TurboJpegHandle handle);

    [LibraryImport(Library)]
    public static partial int tjGetErrorCode(TurboJpegHandle handle);

    [LibraryImport(Library)]
    public static partial CULong tjBufSize(int width, int height, int jpegSubsamp);

    // int tjCompress2(tjhandle, const unsigned char *srcBuf, int width, int pitch, int height, int pixelFormat,
    //                 unsigned char **jpegBuf, unsigned long *jpegSize, int jpegSubsamp, int jpegQual, int flags);
    [LibraryImport(Library)]
    public static partial int tjCompress2(
        TurboJpegHandle handle, byte* srcBuf, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    // int tjCompressFromYUVPlanes(tjhandle, const unsigned char **srcPlanes, int width, const int *strides,
    //                             int height, int subsamp, unsigned char **jpegBuf, unsigned long *jpegSize,
    //                             int jpegQual, int flags);
    [LibraryImport(Library)]
    public static partial int tjCompressFromYUVPlanes(
        TurboJpegHandle handle, byte** srcPlanes, int width, int* strides, int height, int subsamp,
        byte** jpegBuf, CULong* jpegSize, int jpegQual, int flags);

    // int tjDecompressHeader3(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize, int *width,
    //                         int *height, int *jpegSubsamp, int *jpegColorspace);
    [LibraryImport(Library)]
    public static partial int tjDecompressHeader3(
        TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, out int width, out int height,
        out int jpegSubsamp, out int jpegColorspace);

    // int tjDecompress2(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize, unsigned char *dstBuf,
    //                   int width, int pitch, int height, int pixelFormat, int flags);
    [LibraryImport(Library)]
    public static partial int tjDecompress2(
        TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, byte* dstBuf, int width, int pitch, int height,
        int pixelFormat, int flags);

    // int tjDecompressToYUVPlanes(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize,
    //                             unsigned char **dstPlanes, int width, int *strides, int height, int flags);
    [LibraryImport(Library)]
    public static partial int tjDecompressToYUVPlanes(
        TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, byte** dstPlanes, int width, int* strides,
        int height, int flags);

    /// <summary>The library's message for the last error on <paramref name="handle"/>.</summary>
    public static string GetError(TurboJpegHandle handle) =>
        Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)) ?? "unknown error";
}

/// <summary>Owns a <c>tjhandle</c>; released with <c>tjDestroy</c>.</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    /// <summary>Used by the marshaller for handles returned from <c>tjInit*</c>.</summary>
    public TurboJpegHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => TurboJpegNative.tjDestroy(handle) == 0;
}
