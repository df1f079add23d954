using Parley.Codecs;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Synthetic;
using Parley.Endpoint.View;

namespace Parley.Endpoint.Tests.View;

/// <summary>
/// The renderer's timing with real JPEG frames (libturbojpeg) on the real clock: a lip-sync hold delays frames by
/// the hold and no more, the delay goes when the hold goes, and frames too late to be worth decoding are dropped.
/// </summary>
public sealed class VideoRendererTests
{
    private const int Width = 320;
    private const int Height = 240;
    private static readonly ViewTrack Track = new(0, "video", ViewCodec.Jpeg, 26, 90000, 0, null);

    [Fact]
    public async Task A_lip_sync_hold_delays_frames_by_the_hold_and_the_delay_goes_with_it()
    {
        byte[][] frames = EncodeFrames(90);
        TimeSpan decodingDelay;
        var clock = new ViewClock();
        var statistics = new TrackStatistics(Track);
        var output = new RenderTimes(clock);
        TimeSpan[] arrivals;
        await using (var renderer = new VideoRenderer(ViewCodec.Jpeg, output, statistics, clock, () => { }))
        {
            // The first 60 held back 150 ms by lip sync (audio is that much later), the last 30 not.
            arrivals = await PlayAsync(renderer, frames, clock, output, TimeSpan.FromMilliseconds(150), holdEndsAt: 60);
            decodingDelay = renderer.DecodingDelay;
        }

        Assert.True(frames.Length == output.Times.Count, $"{output.Times.Count} rendered, {statistics.Snapshot().FramesDropped} dropped, delays {string.Join(" ", output.Times.Select((t, i) => (t - arrivals[i]).TotalMilliseconds.ToString("F0")))}");
        Assert.Equal(0, statistics.Snapshot().FramesDropped);
        Assert.Equal(0, output.WrongSizes);
        double[] delays = output.Times.Select((t, i) => (t - arrivals[i]).TotalMilliseconds).ToArray();
        // The hold is honoured for every frame held (the last few before the change may start before or after it). A 320x240 JPEG decodes in about a millisecond, so the typical
        // frame renders within a few ms of its time; the medians leave room for a busy machine, not for the hold
        // counted twice (the delay used to feed on itself: a frame queued behind a held one counted the hold as
        // decoding time, and the whole delay stayed after lip sync let go).
        Assert.All(delays[..55], d => Assert.True(d >= 150, $"a held frame rendered {d:F1} ms after arrival"));
        Assert.InRange(Median(delays[10..55]), 150, 150 + 30);
        Assert.InRange(Median(delays[70..]), 0, 30);
        Assert.InRange(decodingDelay.TotalMilliseconds, 0, 30);
    }

    [Fact]
    public async Task A_frame_that_would_start_decoding_too_late_is_dropped_and_the_next_on_time_one_plays()
    {
        byte[][] frames = EncodeFrames(2);
        var clock = new ViewClock();
        var statistics = new TrackStatistics(Track);
        var output = new RenderTimes(clock);
        await using (var renderer = new VideoRenderer(ViewCodec.Jpeg, output, statistics, clock, () => { }))
        {
            // Its time (arrival + hold) passed more than MaxLateness ago: the decoder was behind when it arrived.
            var late = clock.Now - VideoRenderer.MaxLateness - TimeSpan.FromMilliseconds(300);
            renderer.OnVideoFrame(new ReceivedVideoFrame(frames[0], ViewCodec.Jpeg, 0, TimeSpan.Zero, late, isKeyFrame: true));
            renderer.OnVideoFrame(new ReceivedVideoFrame(frames[1], ViewCodec.Jpeg, 3000, TimeSpan.FromSeconds(1 / 30.0), clock.Now, isKeyFrame: true));
            for (int i = 0; i < 100 && output.Times.Count == 0; i++)
            {
                await Task.Delay(20);
            }
        }

        var snapshot = statistics.Snapshot();
        Assert.Equal(1, snapshot.FramesDropped);
        Assert.Single(output.Times);
        Assert.Equal(1, snapshot.Frames);
    }

    [Fact]
    public async Task Frames_held_when_lip_sync_lets_go_are_not_late_and_all_play()
    {
        byte[][] frames = EncodeFrames(20);
        var clock = new ViewClock();
        var statistics = new TrackStatistics(Track);
        var output = new RenderTimes(clock);
        await using (var renderer = new VideoRenderer(ViewCodec.Jpeg, output, statistics, clock, () => { }))
        {
            // Ten frames queue behind a 400 ms hold, then the hold goes (a reconnection starts lip sync afresh): they
            // are now 100-400 ms past arrival + hold, which is not lateness, and play at once with the next ten.
            await PlayAsync(renderer, frames, clock, output, TimeSpan.FromMilliseconds(400), holdEndsAt: 10);
        }

        Assert.Equal(0, statistics.Snapshot().FramesDropped);
        Assert.Equal(frames.Length, output.Times.Count);
    }

    /// <summary>
    /// Hands the renderer one frame every 1/30 s, with a lip-sync hold of <paramref name="hold"/> until frame
    /// <paramref name="holdEndsAt"/> and none from then on, and waits (up to 5 s) until every frame is rendered.
    /// </summary>
    /// <returns>Each frame's arrival.</returns>
    private static async Task<TimeSpan[]> PlayAsync(VideoRenderer renderer, byte[][] frames, ViewClock clock, RenderTimes output, TimeSpan hold, int holdEndsAt)
    {
        var arrivals = new TimeSpan[frames.Length];
        renderer.ExtraDelay = hold;
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / 30)))
        {
            for (int i = 0; i < frames.Length; i++)
            {
                if (i == holdEndsAt)
                {
                    renderer.ExtraDelay = TimeSpan.Zero;
                }

                arrivals[i] = clock.Now;
                renderer.OnVideoFrame(new ReceivedVideoFrame(frames[i], ViewCodec.Jpeg, (uint)(i * 3000), TimeSpan.FromSeconds(i / 30.0), arrivals[i], isKeyFrame: true));
                await timer.WaitForNextTickAsync();
            }
        }

        for (int i = 0; i < 250 && output.Times.Count < frames.Length; i++)
        {
            await Task.Delay(20);
        }

        return arrivals;
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

    private static byte[][] EncodeFrames(int count)
    {
        var pattern = new TestPatternGenerator(Width, Height);
        var i420 = new byte[pattern.FrameSize];
        using var encoder = new TurboJpegEncoder(quality: 80);
        var frames = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            pattern.Render(i, 0, i420);
            frames[i] = encoder.EncodeI420(i420, Width, Height).ToArray();
        }

        return frames;
    }

    /// <summary>A video output that notes when each picture was written (the run's clock) and whether its size was right.</summary>
    private sealed class RenderTimes(ViewClock clock) : IMediaSink
    {
        private readonly List<TimeSpan> _times = [];

        public IReadOnlyList<TimeSpan> Times
        {
            get
            {
                lock (_times)
                {
                    return [.. _times];
                }
            }
        }

        public void Start()
        {
        }

        /// <summary>Pictures written with another size than the frames': asserted on the test's thread, not here on the renderer's.</summary>
        public int WrongSizes { get; private set; }

        public bool WriteVideo(ReadOnlySpan<byte> i420, int width, int height, TimeSpan timestamp)
        {
            lock (_times)
            {
                _times.Add(clock.Now);
                WrongSizes += (width, height, i420.Length) == (Width, Height, I420.GetSize(Width, Height)) ? 0 : 1;
            }

            return true;
        }

        public bool WriteAudio(ReadOnlySpan<short> samples, TimeSpan timestamp) => false;

        public bool Complete(TimeSpan timeout) => true;

        public void Dispose()
        {
        }
    }
}
