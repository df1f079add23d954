using Parley.Codecs;
using Parley.Codecs.Jpeg;

namespace Parley.Media.Tests.Infrastructure;

public static class Frames
{
    public static byte[] EncodeJpeg(byte[] i420, int width, int height, int quality = 80)
    {
        using var encoder = new TurboJpegEncoder(quality);
        return encoder.EncodeI420(i420, width, height).ToArray();
    }

    public static byte[] DecodeI420(ReadOnlySpan<byte> jpeg)
    {
        using var decoder = new TurboJpegDecoder();
        JpegImageInfo info = decoder.ReadHeader(jpeg);
        byte[] output = new byte[I420.GetSize(info.Width, info.Height)];
        decoder.DecodeToI420(jpeg, output);
        Assert.Null(decoder.LastWarning);
        return output;
    }
}
