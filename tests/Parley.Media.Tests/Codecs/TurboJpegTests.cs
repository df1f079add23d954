using Parley.Codecs;
using Parley.Codecs.Jpeg;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Codecs;

public class TurboJpegTests
{
    [Fact]
    public void Real_i420_frame_encodes_and_decodes_with_high_fidelity()
    {
        byte[] i420 = TestMedia.RealFrameI420(640, 480);
        using var encoder = new TurboJpegEncoder(90);
        byte[] destination = new byte[TurboJpegEncoder.GetMaxEncodedSize(640, 480, JpegSubsampling.Yuv420)];
        int n = encoder.EncodeI420(i420, 640, 480, destination);
        Assert.InRange(n, 1000, destination.Length);
        Assert.Equal(0xFF, destination[0]);
        Assert.Equal(0xD8, destination[1]);

        using var decoder = new TurboJpegDecoder();
        var info = decoder.ReadHeader(destination.AsSpan(0, n));
        Assert.Equal(new JpegImageInfo(640, 480, JpegSubsampling.Yuv420), info);
        byte[] decoded = new byte[i420.Length];
        decoder.DecodeToI420(destination.AsSpan(0, n), decoded);
        Assert.Null(decoder.LastWarning);
        Assert.True(TestMedia.Psnr(i420, decoded) > 38, $"PSNR {TestMedia.Psnr(i420, decoded):F1} dB");

        // ffmpeg reads what we wrote.
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("x.jpg"), destination[..n]);
        string probe = TestMedia.RunChecked("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", dir.File("x.jpg")]);
        Assert.Equal("mjpeg,640,480", probe.Trim());
    }

    [Fact]
    public void Padded_planes_and_interleaved_pixels_encode()
    {
        byte[] i420 = TestMedia.RealFrameI420(320, 240);
        using var encoder = new TurboJpegEncoder(95);
        using var decoder = new TurboJpegDecoder();

        // The same image with 64 bytes of padding per row gives the same JPEG.
        int stride = 384, cstride = 192;
        byte[] y = new byte[stride * 240], u = new byte[cstride * 120], v = new byte[cstride * 120];
        for (int r = 0; r < 240; r++)
        {
            i420.AsSpan(r * 320, 320).CopyTo(y.AsSpan(r * stride));
        }

        for (int r = 0; r < 120; r++)
        {
            i420.AsSpan((320 * 240) + (r * 160), 160).CopyTo(u.AsSpan(r * cstride));
            i420.AsSpan((320 * 240) + (160 * 120) + (r * 160), 160).CopyTo(v.AsSpan(r * cstride));
        }

        byte[] packed = encoder.EncodeI420(i420, 320, 240).ToArray();
        byte[] planar = new byte[TurboJpegEncoder.GetMaxEncodedSize(320, 240, JpegSubsampling.Yuv420)];
        int n = encoder.EncodeYuvPlanes(y, stride, u, cstride, v, cstride, 320, 240, JpegSubsampling.Yuv420, planar);
        Assert.Equal(packed, planar[..n]);

        // RGB and BGRX of the same picture decode to nearly the same RGB.
        byte[] rgb = new byte[320 * 240 * 3];
        decoder.DecodeToPixels(packed, rgb, 0, JpegPixelFormat.Rgb);
        byte[] bgrx = new byte[320 * 240 * 4];
        for (int i = 0; i < 320 * 240; i++)
        {
            bgrx[(4 * i) + 0] = rgb[(3 * i) + 2];
            bgrx[(4 * i) + 1] = rgb[(3 * i) + 1];
            bgrx[(4 * i) + 2] = rgb[(3 * i) + 0];
        }

        foreach (var (pixels, format) in new[] { (rgb, JpegPixelFormat.Rgb), (bgrx, JpegPixelFormat.Bgrx) })
        {
            encoder.Subsampling = JpegSubsampling.Yuv444;
            byte[] jpeg = encoder.EncodePixels(pixels, 320, 240, 320 * format.BytesPerPixel(), format).ToArray();
            byte[] back = new byte[320 * 240 * 3];
            Assert.Equal(JpegSubsampling.Yuv444, decoder.DecodeToPixels(jpeg, back, 0, JpegPixelFormat.Rgb).Subsampling);
            Assert.True(TestMedia.Psnr(rgb, back) > 35, $"{format}: PSNR {TestMedia.Psnr(rgb, back):F1} dB");
        }
    }

    [Fact]
    public void Other_subsamplings_decode_to_i420()
    {
        byte[] i420 = TestMedia.RealFrameI420(320, 240);
        using var decoder = new TurboJpegDecoder();
        byte[] rgb = new byte[320 * 240 * 3];
        decoder.DecodeToPixels(Frames.EncodeJpeg(i420, 320, 240, 95), rgb, 0, JpegPixelFormat.Rgb);

        foreach (var subsampling in new[] { JpegSubsampling.Yuv444, JpegSubsampling.Yuv422, JpegSubsampling.Yuv440, JpegSubsampling.Yuv411, JpegSubsampling.Gray })
        {
            using var encoder = new TurboJpegEncoder(95, subsampling);
            byte[] jpeg = encoder.EncodePixels(rgb, 320, 240, 0 + (320 * 3), JpegPixelFormat.Rgb).ToArray();
            byte[] decoded = new byte[i420.Length];
            Assert.Equal(subsampling, decoder.DecodeToI420(jpeg, decoded).Subsampling);
            double lumaPsnr = TestMedia.Psnr(i420.AsSpan(0, 320 * 240), decoded.AsSpan(0, 320 * 240));
            Assert.True(lumaPsnr > 35, $"{subsampling}: luma PSNR {lumaPsnr:F1}");
            if (subsampling != JpegSubsampling.Gray)
            {
                double chromaPsnr = TestMedia.Psnr(i420.AsSpan(320 * 240), decoded.AsSpan(320 * 240));
                Assert.True(chromaPsnr > 30, $"{subsampling}: chroma PSNR {chromaPsnr:F1}");
            }
        }
    }

    [Fact]
    public void Errors_carry_the_library_message_and_bad_arguments_throw_before_native_code()
    {
        using var encoder = new TurboJpegEncoder();
        using var decoder = new TurboJpegDecoder();
        byte[] i420 = new byte[I420.GetSize(64, 64)];
        Assert.Throws<ArgumentException>(() => encoder.EncodeI420(i420, 64, 64, new byte[100]));
        Assert.Throws<ArgumentException>(() => encoder.EncodeI420(new byte[10], 64, 64, new byte[100_000]));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Quality = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Quality = 101);

        Assert.False(decoder.TryReadHeader([1, 2, 3, 4], out _));
        var error = Assert.Throws<CodecException>(() => decoder.ReadHeader([0xFF, 0xD8, 0xFF, 0xE0, 0, 2, 0xFF, 0xD9]));
        Assert.Equal("libturbojpeg", error.Library);
        Assert.False(string.IsNullOrWhiteSpace(error.LibraryMessage));

        // A truncated JPEG decodes with a libjpeg warning instead of failing.
        byte[] jpeg = Frames.EncodeJpeg(TestMedia.RealFrameI420(320, 240), 320, 240);
        byte[] output = new byte[I420.GetSize(320, 240)];
        decoder.DecodeToI420(jpeg.AsSpan(0, jpeg.Length * 2 / 3), output);
        Assert.NotNull(decoder.LastWarning);

        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.EncodeI420(i420, 64, 64, new byte[100_000]));
    }

    [Fact]
    public void Encoding_into_the_reused_buffer_allocates_nothing()
    {
        byte[] i420 = TestMedia.RealFrameI420(640, 480);
        using var encoder = new TurboJpegEncoder(80);
        using var decoder = new TurboJpegDecoder();
        byte[] decoded = new byte[i420.Length];
        Assert.Equal(0, Allocations.SteadyState(() => decoder.DecodeToI420(encoder.EncodeI420(i420, 640, 480), decoded)));
    }
}
