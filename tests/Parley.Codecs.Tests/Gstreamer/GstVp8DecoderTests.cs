using Parley.Codecs.Gstreamer;
using Parley.Media.Tests.Infrastructure;
using Parley.Media.Vp8;

namespace Parley.Codecs.Tests.Gstreamer;

/// <summary>
/// GstVideoDecoder with vp8dec against ffmpeg's own VP8 decoder on frames libvpx encoded: VP8 decoding is
/// bit-exact by specification (RFC 6386), so every picture must match ffmpeg's.
/// </summary>
public class GstVp8DecoderTests
{
    private const int Width = 320, Height = 240;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void Vp8_frames_decode_to_the_pictures_ffmpeg_decodes()
    {
        using var dir = new TempDirectory();
        string ivf = dir.File("source.ivf");
        Ivf.Encode("talking-head.avi", ivf, frames: 40, keyInterval: 15, scale: $"{Width}:{Height}");
        List<byte[]> frames = Ivf.ReadFrames(ivf);
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-y", "-i", ivf, "-f", "rawvideo", "-pix_fmt", "yuv420p", dir.File("reference.yuv")]);
        byte[] reference = File.ReadAllBytes(dir.File("reference.yuv"));
        int size = I420.GetSize(Width, Height);
        Assert.Equal(40, frames.Count);
        Assert.Equal(40 * size, reference.Length);

        using var decoder = GstVideoDecoder.ForVp8();
        for (int i = 0; i < frames.Count; i++)
        {
            var time = TimeSpan.FromMilliseconds(i * 66);
            Assert.True(decoder.Decode(frames[i], time));
            Assert.True(decoder.TryReadFrame(Wait, out VideoFrame frame), $"no decoded frame {i}");
            Assert.Equal((Width, Height, time), (frame.Width, frame.Height, frame.Timestamp));
            Assert.True(frame.I420Data.SequenceEqual(reference.AsSpan(i * size, size)), $"frame {i} differs from ffmpeg's (PSNR {TestMedia.Psnr(frame.I420Data, reference.AsSpan(i * size, size)):0.0} dB)");
        }

        Assert.Equal(0, decoder.Errors);
    }

    [Fact]
    public void Garbage_does_not_crash_and_decoding_resumes_at_a_key_frame()
    {
        using var dir = new TempDirectory();
        string ivf = dir.File("source.ivf");
        Ivf.Encode("talking-head.avi", ivf, frames: 12, keyInterval: 6, scale: $"{Width}:{Height}");
        List<byte[]> frames = Ivf.ReadFrames(ivf);
        using var decoder = GstVideoDecoder.ForVp8();
        Assert.False(decoder.Decode([], TimeSpan.Zero));
        Assert.Equal(1, decoder.Malformed);
        var random = new Random(7);
        for (int i = 0; i < 30; i++)
        {
            byte[] garbage = new byte[random.Next(3, 2000)];
            random.NextBytes(garbage);
            decoder.Decode(garbage, TimeSpan.FromMilliseconds(i));
            decoder.TryReadFrame(TimeSpan.FromMilliseconds(20), out _);
        }

        while (decoder.TryReadFrame(TimeSpan.FromMilliseconds(200), out _))
        {
        }

        Assert.True(Vp8FrameHeader.TryParse(frames[6], out var header) && header.IsKeyFrame);
        for (int i = 6; i < frames.Count; i++)
        {
            var time = TimeSpan.FromSeconds(10 + i);
            Assert.True(decoder.Decode(frames[i], time) || decoder.Decode(frames[i], time), $"frame {i} refused twice");
            Assert.True(decoder.TryReadFrame(Wait, out VideoFrame frame), $"no decoded frame {i} after garbage ({decoder.LastError})");
            Assert.Equal((Width, Height), (frame.Width, frame.Height));
        }
    }
}
