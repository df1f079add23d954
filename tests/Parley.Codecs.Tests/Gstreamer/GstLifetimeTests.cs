using FsCheck;
using FsCheck.Fluent;
using Parley.Codecs.Gstreamer;

namespace Parley.Codecs.Tests.Gstreamer;

[CollectionDefinition(nameof(GstLifetimeTests), DisableParallelization = true)]
public sealed class GstLifetimeSerial;

/// <summary>Runs alone so no other test's pipelines are alive while it counts.</summary>
[Collection(nameof(GstLifetimeTests))]
public class GstLifetimeTests
{
    [Fact]
    public void Disposing_every_wrapper_leaves_no_pipeline_alive()
    {
        int before = GstPipeline.LiveCount;
        using (var encoder = new GstH264Encoder(new H264EncoderOptions { Width = 64, Height = 48, Element = H264EncoderElement.X264 }))
        using (var decoder = GstVideoDecoder.ForH264())
        using (var source = GstMediaSource.Custom("videotestsrc is-live=true ! " + GstSourcePipelines.VideoBranch(new VideoCaptureFormat(64, 48), sync: false)))
        using (var sink = new GstRenderSink(GstRenderSink.NullOutput, GstRenderSink.NullOutput))
        {
            source.Start();
            sink.Start();
            Assert.True(source.TryReadVideo(TimeSpan.FromSeconds(5), out VideoFrame frame));
            encoder.Encode(frame.I420Data, frame.Timestamp);
            Assert.True(encoder.TryReadAccessUnit(TimeSpan.FromSeconds(5), out EncodedVideoFrame au));
            Assert.True(decoder.Decode(au.Data, au.Timestamp));
            Assert.True(decoder.TryReadFrame(TimeSpan.FromSeconds(5), out VideoFrame decoded));
            Assert.True(sink.WriteVideo(decoded.I420Data, decoded.Width, decoded.Height, decoded.Timestamp));
            Assert.Equal(before + 4, GstPipeline.LiveCount);
        }

        Assert.Equal(before, GstPipeline.LiveCount);
    }

    [Fact]
    public void A_disposed_pipeline_refuses_further_use()
    {
        var pipeline = new GstPipeline("fakesrc ! fakesink");
        pipeline.Play();
        pipeline.Dispose();
        pipeline.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pipeline.Play());
        Assert.Throws<ObjectDisposedException>(() => pipeline.PollBus());
    }

    [Fact]
    public void Runtime_initializes_once_from_many_threads()
    {
        Parallel.For(0, 16, _ => GstRuntime.EnsureInitialized());
        Assert.StartsWith("GStreamer 1.", GstRuntime.Version);
    }
}

public class GstI420LayoutTests
{
    [Theory]
    [InlineData(640, 480, 640, 320, 307200, 384000, 460800)]
    [InlineData(642, 480, 644, 324, 309120, 386880, 464640)]
    [InlineData(15, 9, 16, 8, 160, 200, 240)]
    public void Matches_gst_video_info_defaults(int width, int height, int lumaStride, int chromaStride, int uOffset, int vOffset, int size)
    {
        var layout = new GstI420Layout(width, height);
        Assert.Equal((lumaStride, chromaStride, uOffset, vOffset, size), (layout.LumaStride, layout.ChromaStride, layout.UOffset, layout.VOffset, layout.Size));
    }

    [Fact]
    public void Packed_to_gst_and_back_is_the_identity()
    {
        Gen<(int, int)> sizes = Gen.Choose(1, 100).Zip(Gen.Choose(1, 100));
        Prop.ForAll(Arb.From(sizes), size =>
        {
            (int w, int h) = size;
            var layout = new GstI420Layout(w, h);
            byte[] packed = new byte[I420.GetSize(w, h)];
            new Random(w * 1000 + h).NextBytes(packed);
            byte[] gst = new byte[layout.Size];
            byte[] back = new byte[packed.Length];
            layout.CopyFromPacked(packed, gst);
            layout.CopyToPacked(gst, back);
            return back.AsSpan().SequenceEqual(packed) && layout.IsPacked == (layout.Size == packed.Length);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void An_odd_width_frame_survives_the_encoder_and_decoder()
    {
        // 100x60: GStreamer pads the 50-byte chroma rows to 52, so its layout differs from packed I420.
        const int W = 100, H = 60;
        Assert.False(new GstI420Layout(W, H).IsPacked);
        var pattern = new Synthetic.TestPatternGenerator(W, H);
        byte[] frame = new byte[pattern.FrameSize];
        pattern.Render(7, 0, frame);
        using var encoder = new GstH264Encoder(new H264EncoderOptions { Width = W, Height = H, BitrateKbps = 2000, Element = H264EncoderElement.X264 });
        using var decoder = GstVideoDecoder.ForH264();
        encoder.Encode(frame, TimeSpan.Zero);
        Assert.True(encoder.TryReadAccessUnit(TimeSpan.FromSeconds(5), out EncodedVideoFrame au));
        Assert.True(decoder.Decode(au.Data, TimeSpan.Zero));
        Assert.True(decoder.TryReadFrame(TimeSpan.FromSeconds(5), out VideoFrame decoded));
        Assert.Equal((W, H), (decoded.Width, decoded.Height));
        double psnr = Parley.Media.Tests.Infrastructure.TestMedia.Psnr(frame, decoded.I420Data);
        Assert.True(psnr > 30, $"PSNR {psnr:0.0} dB");
    }
}
