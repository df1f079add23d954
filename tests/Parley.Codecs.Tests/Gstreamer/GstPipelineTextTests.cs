using FsCheck;
using FsCheck.Fluent;
using Parley.Codecs.Gstreamer;

namespace Parley.Codecs.Tests.Gstreamer;

public class GstPipelineTextTests
{
    [Theory]
    [InlineData(VideoRotation.None, false, "videoconvert ! videoscale")]
    [InlineData(VideoRotation.Clockwise90, false, "videoconvert ! videoflip method=clockwise ! videoscale")]
    [InlineData(VideoRotation.Rotate180, false, "videoconvert ! videoflip method=rotate-180 ! videoscale")]
    [InlineData(VideoRotation.Clockwise270, false, "videoconvert ! videoflip method=counterclockwise ! videoscale")]
    [InlineData(VideoRotation.None, true, "videoconvert ! videoflip method=horizontal-flip ! videoscale")]
    [InlineData(VideoRotation.Clockwise90, true, "videoconvert ! videoflip method=horizontal-flip ! videoflip method=clockwise ! videoscale")]
    public void Video_branch_mirrors_then_rotates_before_scaling(VideoRotation rotation, bool mirror, string expectedStart)
    {
        string branch = GstSourcePipelines.VideoBranch(new VideoCaptureFormat(640, 360, 25, rotation, mirror), sync: false);
        Assert.StartsWith(expectedStart, branch);
        Assert.EndsWith(
            "videorate ! video/x-raw,format=I420,width=640,height=360,framerate=25/1,pixel-aspect-ratio=1/1 ! appsink name=video sync=false max-buffers=4 drop=true",
            branch);
    }

    [Fact]
    public void Audio_branch_resamples_to_48_khz_s16_in_fixed_blocks()
    {
        Assert.Equal(
            "audioconvert ! audioresample ! audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2 ! " +
            "audiobuffersplit output-buffer-duration=10/1000 ! appsink name=audio sync=true max-buffers=50 drop=true",
            GstSourcePipelines.AudioBranch(new AudioCaptureFormat(2, 10), sync: true));
        Assert.Equal(1920, new AudioCaptureFormat(2).SamplesPerBlock);
    }

    [Fact]
    public void Device_pipelines_quote_the_device_and_end_in_the_agreed_appsinks()
    {
        var video = new VideoCaptureFormat(640, 480, 30, VideoRotation.Clockwise90);
        Assert.StartsWith("v4l2src device=\"/dev/video0\" do-timestamp=true ! decodebin ! videoconvert ! videoflip method=clockwise", GstSourcePipelines.V4l2("/dev/video0", video));
        // The camera is asked for the picture before rotation: 480x640 rotated clockwise is 640x480.
        Assert.StartsWith("libcamerasrc ! video/x-raw,width=480,height=640 ! videoconvert", GstSourcePipelines.Libcamera(null, video));
        Assert.StartsWith("libcamerasrc camera-name=\"/base/soc/i2c0mux/i2c@1/imx708@1a\" ! video/x-raw,width=640,height=480", GstSourcePipelines.Libcamera("/base/soc/i2c0mux/i2c@1/imx708@1a", video with { Rotation = VideoRotation.None }));
        Assert.StartsWith("alsasrc device=\"plughw:1,0\" ! audioconvert", GstSourcePipelines.Alsa("plughw:1,0", new AudioCaptureFormat()));
        Assert.EndsWith("appsink name=audio sync=false max-buffers=50 drop=true", GstSourcePipelines.Alsa("default", new AudioCaptureFormat()));
    }

    [Fact]
    public void File_pipeline_links_each_branch_by_media_type()
    {
        string text = GstSourcePipelines.File("/media/my clip.mp4", new VideoCaptureFormat(320, 240), new AudioCaptureFormat());
        Assert.StartsWith("uridecodebin uri=\"file:///media/my%20clip.mp4\" name=decode decode. ! videoconvert ! queue ! videoconvert", text);
        Assert.Contains(" decode. ! audioconvert ! queue ! audioconvert", text);
        Assert.Contains("appsink name=video sync=true", text);
        Assert.Throws<ArgumentException>(() => GstSourcePipelines.File("/a.mp4", null, null));
    }

    [Theory]
    [InlineData(641, 480)]
    [InlineData(640, 0)]
    [InlineData(8, 8)]
    public void Odd_or_tiny_sizes_are_refused(int width, int height) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => GstSourcePipelines.VideoBranch(new VideoCaptureFormat(width, height), sync: false));

    [Fact]
    public void Quoted_values_round_trip_through_gst_parse_launch()
    {
        // Any printable text quoted into a property comes back from GStreamer unchanged (checked with a real
        // parse: the name property of an identity element).
        Gen<string> text = Gen.Elements("a b", "x\"y", "back\\slash", "!", "a=b,c", "/dev/video0", "ü é", "\\\"", "end\\");
        Prop.ForAll(Arb.From(text), value =>
        {
            using var pipeline = new GstPipeline($"fakesrc ! identity name={GstLaunch.Quote(value)} ! fakesink");
            return pipeline.HasElement(value);
        }).QuickCheckThrowOnFailure();
    }
}
