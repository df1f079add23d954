using Parley.Codecs.Gstreamer;
using Parley.Codecs.Synthetic;
using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Codecs.Tests.Gstreamer;

public class GstH264Tests
{
    private const int Width = 640, Height = 480, Fps = 30;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static H264EncoderOptions Options(int keyInt = 30) =>
        new() { Width = Width, Height = Height, FramesPerSecond = Fps, BitrateKbps = 2000, KeyFrameInterval = keyInt, Element = H264EncoderElement.X264 };

    private static TimeSpan FrameTime(int i) => TimeSpan.FromTicks(i * TimeSpan.TicksPerSecond / Fps);

    private static bool HasIdr(ReadOnlySpan<byte> accessUnit)
    {
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(accessUnit))
        {
            if ((nal[0] & 0x1F) == 5)
            {
                return true;
            }
        }

        return false;
    }

    private static List<(byte[] Data, TimeSpan Time, bool Key)> EncodeFrames(GstH264Encoder encoder, TestPatternGenerator pattern, int count, byte[][] sources, int forceKeyAt = -1)
    {
        var output = new List<(byte[], TimeSpan, bool)>();
        for (int i = 0; i < count; i++)
        {
            pattern.Render(i, 1_700_000_000_000 + i, sources[i]);
            if (i == forceKeyAt)
            {
                encoder.RequestKeyFrame();
            }

            encoder.Encode(sources[i], FrameTime(i));
            Assert.True(encoder.TryReadAccessUnit(Wait, out EncodedVideoFrame au), $"no access unit for frame {i}");
            output.Add((au.Data.ToArray(), au.Timestamp, au.IsKeyFrame));
        }

        return output;
    }

    [Fact]
    public void Sixty_frames_round_trip_with_psnr_above_30_db_and_readable_stamps()
    {
        var pattern = new TestPatternGenerator(Width, Height, Fps);
        byte[][] sources = Enumerable.Range(0, 60).Select(_ => new byte[pattern.FrameSize]).ToArray();
        using var encoder = new GstH264Encoder(Options());
        List<(byte[] Data, TimeSpan Time, bool Key)> units = EncodeFrames(encoder, pattern, 60, sources);

        using var decoder = GstVideoDecoder.ForH264();
        int decoded = 0;
        for (int i = 0; i < units.Count; i++)
        {
            Assert.True(decoder.Decode(units[i].Data, units[i].Time));
            Assert.True(decoder.TryReadFrame(Wait, out VideoFrame frame), $"no decoded frame {i}");
            Assert.Equal((Width, Height), (frame.Width, frame.Height));
            Assert.Equal(FrameTime(i), frame.Timestamp);
            double psnr = TestMedia.Psnr(sources[i], frame.I420Data);
            Assert.True(psnr >= 30, $"frame {i}: PSNR {psnr:0.0} dB");
            Assert.True(TestPatternGenerator.TryReadStamp(frame.I420Data[..(Width * Height)], Width, Height, out long number, out long ms));
            Assert.Equal(i, number);
            Assert.Equal(1_700_000_000_000 + i, ms);
            decoded++;
        }

        Assert.Equal(60, decoded);
        Assert.Equal(0, decoder.Errors);
    }

    [Fact]
    public void Key_frames_come_first_and_every_key_int_frames_with_timestamps_kept()
    {
        var pattern = new TestPatternGenerator(Width, Height, Fps);
        byte[][] sources = Enumerable.Range(0, 45).Select(_ => new byte[pattern.FrameSize]).ToArray();
        using var encoder = new GstH264Encoder(Options(keyInt: 15));
        List<(byte[] Data, TimeSpan Time, bool Key)> units = EncodeFrames(encoder, pattern, 45, sources);

        for (int i = 0; i < units.Count; i++)
        {
            bool expectKey = i % 15 == 0;
            Assert.True(expectKey == units[i].Key, $"frame {i}: key flag {units[i].Key}");
            Assert.Equal(expectKey, HasIdr(units[i].Data));
            Assert.Equal(FrameTime(i), units[i].Time);
            Assert.True(units[i].Data.AsSpan().StartsWith((ReadOnlySpan<byte>)[0, 0, 0, 1]) || units[i].Data.AsSpan().StartsWith((ReadOnlySpan<byte>)[0, 0, 1]));
        }

        // A key frame starts with SPS (7) and PPS (8) so any reader can join there.
        var types = new List<int>();
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(units[15].Data))
        {
            types.Add(nal[0] & 0x1F);
        }

        Assert.Contains(7, types);
        Assert.Contains(8, types);
    }

    [Fact]
    public void A_requested_key_frame_arrives_on_the_next_frame()
    {
        var pattern = new TestPatternGenerator(Width, Height, Fps);
        byte[][] sources = Enumerable.Range(0, 20).Select(_ => new byte[pattern.FrameSize]).ToArray();
        using var encoder = new GstH264Encoder(Options(keyInt: 300));
        List<(byte[] Data, TimeSpan Time, bool Key)> units = EncodeFrames(encoder, pattern, 20, sources, forceKeyAt: 10);

        Assert.True(units[0].Key);
        Assert.All(units.Skip(1).Take(9), u => Assert.False(u.Key));
        Assert.True(units[10].Key, "frame 10 after RequestKeyFrame is not a key frame");
        Assert.True(HasIdr(units[10].Data));
        Assert.All(units.Skip(11), u => Assert.False(u.Key));
    }

    [Fact]
    public void Malformed_access_units_do_not_crash_and_decoding_resumes_at_a_key_frame()
    {
        var pattern = new TestPatternGenerator(Width, Height, Fps);
        byte[][] sources = Enumerable.Range(0, 10).Select(_ => new byte[pattern.FrameSize]).ToArray();
        using var encoder = new GstH264Encoder(Options(keyInt: 5));
        List<(byte[] Data, TimeSpan Time, bool Key)> units = EncodeFrames(encoder, pattern, 10, sources);

        using var decoder = GstVideoDecoder.ForH264();
        var random = new Random(42);
        Assert.False(decoder.Decode([], TimeSpan.Zero));
        Assert.Equal(1, decoder.Malformed);
        for (int i = 0; i < 50; i++)
        {
            byte[] garbage = new byte[random.Next(1, 3000)];
            random.NextBytes(garbage);
            if (i % 2 == 0)
            {
                // Start codes followed by random slice headers reach the decoder itself.
                garbage[0] = 0; garbage[1] = 0; garbage[2] = 0; garbage[3] = 1;
                garbage[4] = (byte)(i % 4 == 0 ? 0x65 : 0x41);
            }

            decoder.Decode(garbage, FrameTime(i));
            decoder.TryReadFrame(TimeSpan.FromMilliseconds(20), out _);
        }

        // A truncated key frame, then a real one: the decoder recovers.
        decoder.Decode(units[0].Data.AsSpan(0, units[0].Data.Length / 3), FrameTime(60));
        while (decoder.TryReadFrame(TimeSpan.FromMilliseconds(100), out _))
        {
        }

        int good = 0;
        for (int i = 5; i < 10; i++)
        {
            decoder.Decode(units[i].Data, FrameTime(100 + i));
            if (decoder.TryReadFrame(Wait, out VideoFrame frame) && TestPatternGenerator.TryReadStamp(frame.I420Data[..(Width * Height)], Width, Height, out long number, out _) && number == i)
            {
                good++;
            }
        }

        Assert.True(good >= 4, $"only {good} of 5 frames decoded after garbage (errors {decoder.Errors}: {decoder.LastError})");
    }

    [Fact]
    public void Pipeline_text_for_x264_and_v4l2_carries_bitrate_and_key_interval()
    {
        var options = Options(keyInt: 48) with { BitrateKbps = 800 };
        string x264 = GstH264Encoder.BuildPipeline(options, H264EncoderElement.X264);
        Assert.Equal(
            "appsrc name=src is-live=true format=time do-timestamp=false caps=video/x-raw,format=I420,width=640,height=480,framerate=30/1 ! " +
            "x264enc tune=zerolatency speed-preset=ultrafast bitrate=800 key-int-max=48 bframes=0 ! " +
            "video/x-h264,stream-format=byte-stream,alignment=au,profile=constrained-baseline ! appsink name=sink sync=false",
            x264);
        string v4l2 = GstH264Encoder.BuildPipeline(options, H264EncoderElement.V4l2);
        Assert.Contains("v4l2h264enc extra-controls=\"controls,video_bitrate=800000,h264_i_frame_period=48,repeat_sequence_header=1\"", v4l2);
        Assert.Contains("h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=sink", v4l2);
        string custom = GstH264Encoder.BuildPipeline(options with { CustomEncoder = "openh264enc ! video/x-h264,alignment=au" }, H264EncoderElement.X264);
        Assert.Contains("! openh264enc ! video/x-h264,alignment=au ! appsink name=sink", custom);
        Assert.Throws<ArgumentOutOfRangeException>(() => GstH264Encoder.BuildPipeline(options with { KeyFrameInterval = 0 }, H264EncoderElement.X264));
    }

    [Fact]
    public void Auto_picks_x264_when_there_is_no_v4l2_encoder()
    {
        using var encoder = new GstH264Encoder(Options() with { Element = H264EncoderElement.Auto });
        Assert.Equal(GstRuntime.HasElement("v4l2h264enc") ? H264EncoderElement.V4l2 : H264EncoderElement.X264, encoder.ElementUsed);
        Assert.True(GstRuntime.HasElement("x264enc"));
        Assert.False(GstRuntime.HasElement("no-such-element-parley"));
    }
}
