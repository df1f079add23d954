using System.Diagnostics;
using Parley.Codecs.Gstreamer;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Codecs.Tests.Gstreamer;

public class GstMediaSourceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void File_source_delivers_two_seconds_of_scaled_video_and_audio_in_real_time()
    {
        // talking-head.avi: 160x120 MJPEG at 15 fps with 11025 Hz u8 audio.
        string path = TestMedia.MediaFile("talking-head.avi");
        using var source = GstMediaSource.File(path, new VideoCaptureFormat(640, 480, 15), new AudioCaptureFormat(Channels: 1));
        Assert.True(source.HasVideo);
        Assert.True(source.HasAudio);
        var clock = Stopwatch.StartNew();
        source.Start();

        var audioTimes = new List<TimeSpan>();
        var audioThread = new Thread(() =>
        {
            while (audioTimes.Count < 100 && source.TryReadAudio(Wait, out AudioFrame block))
            {
                Assert.Equal(48000, block.SampleRate);
                Assert.Equal(1, block.Channels);
                Assert.Equal(960, block.Samples.Length);
                audioTimes.Add(block.Timestamp);
            }
        });
        audioThread.Start();

        var times = new List<TimeSpan>();
        byte[]? frame20 = null;
        while (source.TryReadVideo(Wait, out VideoFrame frame) && frame.Timestamp < TimeSpan.FromSeconds(2))
        {
            Assert.Equal((640, 480), (frame.Width, frame.Height));
            Assert.Equal(I420.GetSize(640, 480), frame.I420Data.Length);
            if (times.Count == 20)
            {
                frame20 = frame.I420Data.ToArray();
            }

            times.Add(frame.Timestamp);
        }

        TimeSpan elapsed = clock.Elapsed;
        audioThread.Join();
        Assert.Equal(30, times.Count);
        for (int i = 0; i < times.Count; i++)
        {
            Assert.True(Math.Abs((times[i] - TimeSpan.FromSeconds(i / 15.0)).TotalMilliseconds) < 2, $"frame {i} at {times[i]}");
        }

        // Paced by the clock: 2 s of media cannot arrive much faster than 2 s.
        Assert.True(elapsed > TimeSpan.FromSeconds(1.8), $"2 s of media arrived in {elapsed.TotalMilliseconds:0} ms");

        // The picture is the file's: compare with ffmpeg's own decode and scale of the same frame.
        double psnr = TestMedia.Psnr(TestMedia.RealFrameI420(640, 480, 20), frame20);
        Assert.True(psnr > 25, $"PSNR against ffmpeg's frame 20: {psnr:0.0} dB");

        Assert.Equal(100, audioTimes.Count);
        for (int i = 1; i < audioTimes.Count; i++)
        {
            Assert.True(Math.Abs((audioTimes[i] - audioTimes[i - 1]).TotalMilliseconds - 20) < 0.5, $"audio block {i} at {audioTimes[i]}");
        }
    }

    [Fact]
    public void A_looping_file_starts_over_with_timestamps_that_keep_increasing()
    {
        using var source = GstMediaSource.File(TestMedia.MediaFile("talking-head.avi"), new VideoCaptureFormat(320, 240, 15), audio: null, loop: true, realTime: false);
        source.Start();
        var times = new List<TimeSpan>();
        while (times.Count < 150 && source.TryReadVideo(Wait, out VideoFrame frame))
        {
            times.Add(frame.Timestamp);
        }

        Assert.Equal(150, times.Count);
        Assert.True(source.Loops >= 1, "the file did not loop");
        Assert.False(source.IsEndOfStream);
        for (int i = 1; i < times.Count; i++)
        {
            Assert.True(times[i] > times[i - 1], $"frame {i}: {times[i]} after {times[i - 1]}");
        }

        Assert.True(times[^1] > TimeSpan.FromSeconds(9), $"last frame at {times[^1]}");
    }

    [Fact]
    public void A_file_without_loop_ends()
    {
        using var source = GstMediaSource.File(TestMedia.MediaFile("talking-head.avi"), new VideoCaptureFormat(160, 120, 15), audio: null, realTime: false);
        source.Start();
        int frames = 0;
        while (source.TryReadVideo(Wait, out _))
        {
            frames++;
        }

        Assert.True(source.IsEndOfStream);
        Assert.InRange(frames, 60, 75);
    }

    [Fact]
    public void A_missing_camera_gives_a_clear_error()
    {
        using var source = GstMediaSource.V4l2("/dev/video9", new VideoCaptureFormat(640, 480));
        var e = Assert.Throws<CodecException>(source.Start);
        Assert.StartsWith("cannot open /dev/video9 (", e.Message);
        Assert.Contains("Cannot identify device '/dev/video9'", e.Message);
        Assert.Contains("No such file or directory", e.Message);
    }

    [Fact]
    public void A_missing_sound_card_gives_a_clear_error()
    {
        using var source = GstMediaSource.Alsa("hw:9", new AudioCaptureFormat());
        var e = Assert.Throws<CodecException>(source.Start);
        Assert.StartsWith("cannot open hw:9 (", e.Message);
        Assert.Contains("No such file or directory", e.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_before_any_pipeline_is_built()
    {
        var e = Assert.Throws<FileNotFoundException>(() => GstMediaSource.File("/nonexistent/clip.mp4", new VideoCaptureFormat(640, 480)));
        Assert.Contains("cannot open /nonexistent/clip.mp4", e.Message);
    }

    [Fact]
    public void A_custom_pipeline_with_the_agreed_appsink_names_delivers_frames()
    {
        // Live, so frames come at 30 fps and none is dropped by the appsink's max-buffers=4 drop=true.
        string pipeline = "videotestsrc is-live=true num-buffers=5 pattern=white ! video/x-raw,width=64,height=48 ! " +
            GstSourcePipelines.VideoBranch(new VideoCaptureFormat(64, 48, 30), sync: false);
        using var source = GstMediaSource.Custom(pipeline);
        Assert.False(source.HasAudio);
        source.Start();
        int frames = 0;
        while (source.TryReadVideo(Wait, out VideoFrame frame))
        {
            Assert.Equal(235, frame.I420Data[100]); // white, limited range
            frames++;
        }

        Assert.Equal(5, frames);
        Assert.False(source.TryReadAudio(TimeSpan.Zero, out _));
    }

    [Fact]
    public void A_custom_pipeline_without_the_agreed_appsinks_is_refused()
    {
        var e = Assert.Throws<CodecException>(() => GstMediaSource.Custom("videotestsrc ! appsink name=frames"));
        Assert.Contains("no appsink named 'video' or 'audio'", e.Message);
    }

    [Fact]
    public void A_custom_pipeline_of_one_element_is_refused_the_same_way()
    {
        // One element parses to that element, not a bin: looking up children by name must not reach gst_bin_get_by_name.
        using (var pipeline = new GstPipeline("videotestsrc"))
        {
            Assert.False(pipeline.HasElement("video"));
            Assert.Throws<CodecException>(() => pipeline.GetAppSink("video"));
        }

        var e = Assert.Throws<CodecException>(() => GstMediaSource.Custom("videotestsrc"));
        Assert.Contains("no appsink named 'video' or 'audio'", e.Message);
    }

    [Fact]
    public void A_pipeline_that_does_not_parse_names_the_problem()
    {
        var e = Assert.Throws<CodecException>(() => new GstPipeline("videotestsrc ! no-such-element-parley ! fakesink"));
        Assert.Contains("no-such-element-parley", e.Message);
    }
}
