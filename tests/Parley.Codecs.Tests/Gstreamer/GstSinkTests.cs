using System.Globalization;
using System.Text.Json;
using Parley.Codecs.Gstreamer;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Opus;
using Parley.Codecs.Synthetic;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Codecs.Tests.Gstreamer;

public class GstSinkTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static JsonElement Probe(string path)
    {
        string json = TestMedia.RunChecked("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", path]);
        return JsonDocument.Parse(json).RootElement;
    }

    private static JsonElement Stream(JsonElement probe, string type) =>
        probe.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == type);

    private static double Duration(JsonElement probe) =>
        double.Parse(probe.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);

    /// <summary>Two seconds of 640x480 H.264 at 30 fps and 20 ms Opus packets, all with timestamps from zero.</summary>
    private static void WriteTwoSeconds(GstRecordingSink recording, bool h264)
    {
        var pattern = new TestPatternGenerator(640, 480, 30);
        byte[] frame = new byte[pattern.FrameSize];
        using var encoder = new GstH264Encoder(new H264EncoderOptions { Width = 640, Height = 480, KeyFrameInterval = 30, Element = H264EncoderElement.X264 });
        using var jpeg = new TurboJpegEncoder(70);
        using var opus = new OpusEncoder(2);
        var tone = new ToneGenerator(channels: 2);
        short[] pcm = new short[960 * 2];
        byte[] packet = new byte[OpusEncoder.MaxPacketSize];
        for (int i = 0; i < 100; i++)
        {
            tone.Fill(pcm);
            int n = opus.Encode(pcm, 960, packet);
            Assert.True(recording.WriteAudio(packet.AsSpan(0, n), TimeSpan.FromMilliseconds(20 * i), TimeSpan.FromMilliseconds(20)));
        }

        for (int i = 0; i < 60; i++)
        {
            pattern.Render(i, 0, frame);
            var time = TimeSpan.FromTicks(i * TimeSpan.TicksPerSecond / 30);
            if (h264)
            {
                encoder.Encode(frame, time);
                Assert.True(encoder.TryReadAccessUnit(Wait, out EncodedVideoFrame au));
                Assert.True(recording.WriteVideo(au.Data, au.Timestamp, au.IsKeyFrame));
            }
            else
            {
                Assert.True(recording.WriteVideo(jpeg.EncodeI420(frame, 640, 480), time, isKeyFrame: true));
            }
        }

        Assert.True(recording.Complete(Wait), "the muxer did not finish");
    }

    [Theory]
    [InlineData(RecordingContainer.Matroska, "rec.mkv", "matroska,webm")]
    [InlineData(RecordingContainer.Mp4, "rec.mp4", "mov,mp4,m4a,3gp,3g2,mj2")]
    public void Recording_h264_and_opus_gives_a_file_ffprobe_reads_with_the_right_codecs_size_and_duration(RecordingContainer container, string name, string formatName)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name);
        using (var recording = new GstRecordingSink(new RecordingOptions(path, container, RecordedVideo.H264, AudioChannels: 2)))
        {
            WriteTwoSeconds(recording, h264: true);
        }

        JsonElement probe = Probe(path);
        Assert.Equal(formatName, probe.GetProperty("format").GetProperty("format_name").GetString());
        JsonElement video = Stream(probe, "video");
        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(640, video.GetProperty("width").GetInt32());
        Assert.Equal(480, video.GetProperty("height").GetInt32());
        JsonElement audio = Stream(probe, "audio");
        Assert.Equal("opus", audio.GetProperty("codec_name").GetString());
        Assert.Equal(2, audio.GetProperty("channels").GetInt32());
        Assert.InRange(Duration(probe), 1.9, 2.1);

        // Every frame decodes: ffmpeg counts 60 video frames.
        string frames = TestMedia.RunChecked("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path]);
        Assert.Equal("60", frames.Trim());
    }

    [Fact]
    public void Recording_jpeg_frames_to_matroska_gives_mjpeg()
    {
        using var dir = new TempDirectory();
        string path = dir.File("jpeg.mkv");
        using (var recording = new GstRecordingSink(new RecordingOptions(path, RecordingContainer.Matroska, RecordedVideo.Jpeg, AudioChannels: 2)))
        {
            WriteTwoSeconds(recording, h264: false);
        }

        JsonElement probe = Probe(path);
        JsonElement video = Stream(probe, "video");
        Assert.Equal("mjpeg", video.GetProperty("codec_name").GetString());
        Assert.Equal(640, video.GetProperty("width").GetInt32());
        Assert.InRange(Duration(probe), 1.9, 2.1);
    }

    [Fact]
    public void Recording_vp8_frames_takes_the_size_from_the_first_key_frame()
    {
        const string name = "vp8.mkv";
        using var dir = new TempDirectory();
        string ivf = dir.File("source.ivf");
        Ivf.Encode("talking-head.avi", ivf, frames: 30, keyInterval: 10, scale: "320:240");
        List<byte[]> frames = Ivf.ReadFrames(ivf);
        string path = dir.File(name);
        using (var recording = new GstRecordingSink(new RecordingOptions(path, RecordingContainer.Matroska, RecordedVideo.Vp8)))
        {
            // An inter frame before any key frame has no size to record with: refused, not written.
            Assert.False(recording.WriteVideo(frames[1], TimeSpan.Zero, isKeyFrame: false));
            for (int i = 0; i < frames.Count; i++)
            {
                Assert.True(recording.WriteVideo(frames[i], TimeSpan.FromMilliseconds(i * 50), isKeyFrame: (frames[i][0] & 1) == 0));
            }

            Assert.True(recording.Complete(Wait), "the muxer did not finish");
        }

        JsonElement video = Stream(Probe(path), "video");
        Assert.Equal("vp8", video.GetProperty("codec_name").GetString());
        Assert.Equal((320, 240), (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
        string counted = TestMedia.RunChecked("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path]);
        Assert.Equal("30", counted.Trim());
    }


    [Fact]
    public void Recording_pipeline_text_has_one_appsrc_per_track()
    {
        Assert.Equal(
            "mp4mux name=mux ! filesink location=\"/tmp/a b.mp4\" appsrc name=video format=time caps=video/x-h264,stream-format=byte-stream,alignment=au ! h264parse ! queue ! mux.",
            GstRecordingSink.BuildPipeline(new RecordingOptions("/tmp/a b.mp4", RecordingContainer.Mp4, RecordedVideo.H264)));
        Assert.EndsWith(
            "appsrc name=audio format=time caps=audio/x-opus,rate=48000,channels=1,channel-mapping-family=0 ! opusparse ! queue ! mux.",
            GstRecordingSink.BuildPipeline(new RecordingOptions("/tmp/a.mkv", RecordingContainer.Matroska, RecordedVideo.None, 1)));
        Assert.Throws<ArgumentException>(() => GstRecordingSink.BuildPipeline(new RecordingOptions("/tmp/a.mkv", RecordingContainer.Matroska, RecordedVideo.None)));
        Assert.Throws<ArgumentException>(() => GstRecordingSink.BuildPipeline(new RecordingOptions("/tmp/a.mp4", RecordingContainer.Mp4, RecordedVideo.Vp8)));
        Assert.EndsWith(
            "appsrc name=audio format=time caps=audio/x-alaw,rate=8000,channels=1 ! queue ! mux.audio_%u",
            GstRecordingSink.BuildPipeline(new RecordingOptions("/tmp/a.mkv", RecordingContainer.Matroska, RecordedVideo.H264, 1, RecordedAudio.Alaw)));
        Assert.Throws<ArgumentException>(() => GstRecordingSink.BuildPipeline(new RecordingOptions("/tmp/a.mp4", RecordingContainer.Mp4, RecordedVideo.H264, 1, RecordedAudio.Mulaw)));
        Assert.Throws<ArgumentException>(() => GstRecordingSink.BuildPipeline(new RecordingOptions("/tmp/a.mkv", RecordingContainer.Matroska, RecordedVideo.None, 2, RecordedAudio.Mulaw)));
    }

    [Theory]
    [InlineData(RecordedAudio.Mulaw, "pcm_mulaw")]
    [InlineData(RecordedAudio.Alaw, "pcm_alaw")]
    public void G711_is_recorded_to_matroska_as_it_came(RecordedAudio law, string codec)
    {
        using var dir = new TempDirectory();
        string path = dir.File("g711.mkv");
        byte[] frame = new byte[160];
        using (var recording = new GstRecordingSink(new RecordingOptions(path, RecordingContainer.Matroska, RecordedVideo.None, 1, law)))
        {
            for (int i = 0; i < 100; i++)
            {
                // A ramp, so every byte value occurs: G.711 has no invalid codes.
                for (int s = 0; s < frame.Length; s++)
                {
                    frame[s] = (byte)(i + s);
                }

                Assert.True(recording.WriteAudio(frame, TimeSpan.FromMilliseconds(20 * i), TimeSpan.FromMilliseconds(20)));
            }

            Assert.True(recording.Complete(Wait));
        }

        var probe = Probe(path);
        var audio = Stream(probe, "audio");
        Assert.Equal(codec, audio.GetProperty("codec_name").GetString());
        Assert.Equal("8000", audio.GetProperty("sample_rate").GetString());
        Assert.Equal(1, audio.GetProperty("channels").GetInt32());
        Assert.InRange(Duration(probe), 1.9, 2.1);
    }

    [Fact]
    public void Render_sink_shows_each_frame_and_follows_a_size_change()
    {
        // The output chain is a real renderer's stand-in: every frame shown becomes a JPEG file.
        using var dir = new TempDirectory();
        string output = $"jpegenc quality=95 ! multifilesink location={GstLaunch.Quote(dir.File("%03d.jpg"))} sync=false";
        using var sink = new GstRenderSink(output, GstRenderSink.NullOutput, audioChannels: 1);
        sink.Start();
        var big = new TestPatternGenerator(320, 240);
        var small = new TestPatternGenerator(160, 120);
        byte[] frame = new byte[big.FrameSize];
        for (int i = 0; i < 10; i++)
        {
            TestPatternGenerator pattern = i < 5 ? big : small;
            pattern.Render(i, 0, frame);
            Assert.True(sink.WriteVideo(frame.AsSpan(0, pattern.FrameSize), pattern.Width, pattern.Height, TimeSpan.FromMilliseconds(33 * i)));
            Thread.Sleep(20); // a renderer is fed at frame pace; the leaky queue would drop a burst
            Assert.True(sink.WriteAudio(new short[960], TimeSpan.FromMilliseconds(20 * i)));
        }

        Assert.True(sink.Complete(Wait));
        string[] files = Directory.GetFiles(dir.Path, "*.jpg").Order().ToArray();
        Assert.Equal(10, files.Length);
        for (int i = 0; i < files.Length; i++)
        {
            byte[] i420 = Frames.DecodeI420(File.ReadAllBytes(files[i]));
            int w = i < 5 ? 320 : 160, h = i < 5 ? 240 : 120;
            Assert.Equal(I420.GetSize(w, h), i420.Length);
            Assert.True(TestPatternGenerator.TryReadStamp(i420.AsSpan(0, w * h), w, h, out long number, out _));
            Assert.Equal(i, number);
        }
    }

    [Fact]
    public void A_missing_framebuffer_gives_a_clear_error()
    {
        using var sink = new GstRenderSink(GstRenderSink.Framebuffer("/dev/fb9"), null);
        var e = Assert.Throws<CodecException>(sink.Start);
        // fbdevsink posts no error text of its own; the message still names the element and its failure.
        Assert.StartsWith("cannot open the output fbdevsink", e.Message);
        Assert.Contains("Failed to start", e.Message);
    }

    [Fact]
    public void Render_pipeline_text_converts_before_each_output()
    {
        Assert.Equal(
            "appsrc name=video is-live=true format=time ! queue max-size-buffers=3 leaky=downstream ! videoconvert ! videoscale ! fbdevsink device=\"/dev/fb0\" sync=false " +
            "appsrc name=audio is-live=true format=time caps=audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2 ! queue max-size-time=200000000 leaky=downstream ! audioconvert ! audioresample ! alsasink device=\"default\" sync=false",
            GstRenderSink.BuildPipeline(GstRenderSink.Framebuffer(), GstRenderSink.Alsa()));
        Assert.Throws<ArgumentException>(() => GstRenderSink.BuildPipeline(null, null));
    }
}
