using FsCheck;
using FsCheck.Fluent;
using Parley.Codecs;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Synthetic;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Synthetic;

public class TestPatternTests
{
    public static TheoryData<int, int> Sizes => new() { { 160, 120 }, { 320, 240 }, { 640, 480 }, { 1280, 720 }, { 1920, 1080 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Stamp_reads_back_exactly_from_the_raw_frame(int width, int height)
    {
        var pattern = new TestPatternGenerator(width, height, 30);
        byte[] frame = new byte[pattern.FrameSize];
        Assert.Equal(I420.GetSize(width, height), frame.Length);
        foreach (long n in new[] { 0L, 1, 29, 65535, (1L << 40) - 1 })
        {
            long unixMs = 1_750_000_000_123 + n;
            pattern.Render(n, unixMs, frame);
            Assert.True(TestPatternGenerator.TryReadStamp(frame, width, height, out long frameNumber, out long captureUnixMs));
            Assert.Equal(n, frameNumber);
            Assert.Equal(unixMs, captureUnixMs);
        }
    }

    [Fact]
    public void Stamp_survives_jpeg_quality_50_for_any_frame_and_time()
    {
        var patterns = new[] { new TestPatternGenerator(160, 120), new TestPatternGenerator(640, 480), new TestPatternGenerator(1280, 720) };
        using var encoder = new TurboJpegEncoder(50);
        Prop.ForAll(
            Arb.From(Gen.Choose(0, int.MaxValue)),
            Arb.From(Gen.Two(Gen.Choose(int.MinValue, int.MaxValue))),
            Arb.From(Gen.Choose(0, patterns.Length - 1)),
            (n, time, which) =>
            {
                var pattern = patterns[which];
                long unixMs = ((long)time.Item1 << 32) | (uint)time.Item2;
                byte[] frame = new byte[pattern.FrameSize];
                pattern.Render(n, unixMs, frame);
                byte[] decoded = Frames.DecodeI420(encoder.EncodeI420(frame, pattern.Width, pattern.Height));
                Assert.True(TestPatternGenerator.TryReadStamp(decoded, pattern.Width, pattern.Height, out long frameNumber, out long captureUnixMs));
                Assert.Equal(n, frameNumber);
                Assert.Equal(unixMs, captureUnixMs);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(320, 240, "300k")]
    [InlineData(640, 480, "500k")]
    [InlineData(1280, 720, "1M")]
    public void Stamp_survives_h264_at_modest_bitrates(int width, int height, string bitrate)
    {
        using var dir = new TempDirectory();
        var pattern = new TestPatternGenerator(width, height, 30);
        byte[] frame = new byte[pattern.FrameSize];
        const int Count = 60;
        string raw = dir.File("in.yuv"), h264 = dir.File("out.mp4"), decoded = dir.File("out.yuv");
        using (var file = File.Create(raw))
        {
            for (int i = 0; i < Count; i++)
            {
                pattern.Render(i, 1_700_000_000_000 + (i * 33), frame);
                file.Write(frame);
            }
        }

        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{width}x{height}", "-r", "30", "-i", raw,
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-y", h264]);
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", h264, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-y", decoded]);

        byte[] all = File.ReadAllBytes(decoded);
        Assert.Equal(Count * frame.Length, all.Length);
        for (int i = 0; i < Count; i++)
        {
            Assert.True(TestPatternGenerator.TryReadStamp(all.AsSpan(i * frame.Length, frame.Length), width, height, out long n, out long t), $"frame {i}");
            Assert.Equal(i, n);
            Assert.Equal(1_700_000_000_000 + (i * 33), t);
        }
    }

    [Fact]
    public void Frames_without_a_stamp_are_rejected()
    {
        byte[] noise = new byte[I420.GetSize(640, 480)];
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            random.NextBytes(noise);
            Assert.False(TestPatternGenerator.TryReadStamp(noise, 640, 480, out _, out _));
        }

        Assert.False(TestPatternGenerator.TryReadStamp(new byte[640 * 480], 640, 480, out _, out _));
        Assert.False(TestPatternGenerator.TryReadStamp(new byte[10], 640, 480, out _, out _));
        Assert.False(TestPatternGenerator.TryReadStamp(new byte[100 * 60], 100, 60, out _, out _)); // too small to carry one

        // A real camera frame is not mistaken for a stamp.
        Assert.False(TestPatternGenerator.TryReadStamp(TestMedia.RealFrameI420(640, 480), 640, 480, out _, out _));
    }

    [Fact]
    public void Pattern_moves_and_rendering_allocates_nothing()
    {
        var pattern = new TestPatternGenerator(1280, 720, 30);
        byte[] a = new byte[pattern.FrameSize];
        byte[] b = new byte[pattern.FrameSize];
        pattern.Render(0, 0, a);
        Assert.Equal(0, Allocations.SteadyState(() => pattern.Render(15, 500, b)));

        // Outside the stamp and the clock panel, the moving box changed pixels between frames 0 and 15.
        int changed = 0;
        for (int y = 200; y < 600; y++)
        {
            for (int x = 0; x < 1280; x++)
            {
                changed += a[(y * 1280) + x] != b[(y * 1280) + x] ? 1 : 0;
            }
        }

        Assert.True(changed > 1000, $"{changed} luma samples changed");

        // Deterministic: the same frame renders the same bytes.
        pattern.Render(15, 500, a);
        Assert.Equal(a, b);
        Assert.Throws<ArgumentException>(() => pattern.Render(0, 0, new byte[10]));
    }
}
