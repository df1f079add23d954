using System.Diagnostics;
using Parley.Hub.Web;

namespace Parley.Hub.Tests.Web;

public sealed class WebViewerTests
{
    private static WebFrame Frame(WebMessageKind kind, bool key, bool audio = false)
    {
        var frame = WebFrame.Rent(WebMessage.HeaderLength + 8);
        WebMessage.WriteHeader(frame.Writable, kind, key ? WebMessage.KeyFrameFlag : (byte)0, 0, 0, 0, 0, 0);
        return frame.Seal(WebMessage.HeaderLength + 8, kind, key, audio);
    }

    private static List<WebFrame> Drain(WebViewer viewer)
    {
        var frames = new List<WebFrame>();
        while (viewer.Frames.TryRead(out var frame))
        {
            frames.Add(frame);
            frame.Release();
        }

        return frames;
    }

    [Fact]
    public void A_full_queue_drops_at_once_and_counts_instead_of_blocking()
    {
        var viewer = new WebViewer("test", queueCapacity: 4);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 1000; i++)
        {
            var frame = Frame(WebMessageKind.Jpeg, key: true);
            viewer.Offer(frame, null, streamHasVideo: true);
            frame.Release();
        }

        watch.Stop();
        Assert.Equal(4, viewer.MessagesQueued);
        Assert.Equal(996, viewer.MessagesDropped);
        Assert.True(watch.ElapsedMilliseconds < 500, $"offering 1000 frames to a stuck viewer took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(4, Drain(viewer).Count);
    }

    [Fact]
    public void Video_starts_at_a_key_frame_after_the_init_segment_and_waits_for_the_next_one_after_a_drop()
    {
        var init = Frame(WebMessageKind.Mp4Init, key: true);
        var viewer = new WebViewer("test", queueCapacity: 3);
        void Offer(WebFrame frame)
        {
            viewer.Offer(frame, init, streamHasVideo: true);
            frame.Release();
        }

        Offer(Frame(WebMessageKind.Mp4Media, key: false));
        Offer(Frame(WebMessageKind.Mp4Media, key: false, audio: true)); // audio before the first key frame opens a gap: skipped
        Assert.Equal(2, viewer.MessagesSkipped);
        Offer(Frame(WebMessageKind.Mp4Media, key: true));
        Offer(Frame(WebMessageKind.Mp4Media, key: false));
        var first = Drain(viewer);
        Assert.Equal([WebMessageKind.Mp4Init, WebMessageKind.Mp4Media, WebMessageKind.Mp4Media], first.Select(f => f.Kind));
        Assert.Same(init, first[0]);

        // Fill the queue, drop one: the rest of the group of pictures is skipped until the next key frame.
        for (int i = 0; i < 4; i++)
        {
            Offer(Frame(WebMessageKind.Mp4Media, key: false));
        }

        Assert.Equal(1, viewer.MessagesDropped);
        Drain(viewer);
        Offer(Frame(WebMessageKind.Mp4Media, key: false));
        Assert.Empty(Drain(viewer));
        Offer(Frame(WebMessageKind.Mp4Media, key: true));
        Assert.Single(Drain(viewer));
        init.Release();
    }

    [Fact]
    public void An_mjpeg_viewer_takes_jpeg_frames_only()
    {
        var viewer = new WebViewer("mjpeg", queueCapacity: 8, jpegOnly: true);
        foreach (var frame in new[] { Frame(WebMessageKind.Opus, true, audio: true), Frame(WebMessageKind.Jpeg, true), Frame(WebMessageKind.Opus, true, audio: true) })
        {
            viewer.Offer(frame, null, streamHasVideo: true);
            frame.Release();
        }

        Assert.Equal([WebMessageKind.Jpeg], Drain(viewer).Select(f => f.Kind));
    }
}
