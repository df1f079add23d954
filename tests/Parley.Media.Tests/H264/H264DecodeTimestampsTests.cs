using FsCheck;
using FsCheck.Fluent;
using Parley.Media.H264;

namespace Parley.Media.Tests.H264;

public class H264DecodeTimestampsTests
{
    private static readonly long[] Durations = [3000, 3003, 3600, 1500, 6000];

    /// <summary>
    /// Display indices in decoding order as x264 orders them: an IDR, then mini-GOPs of a P-frame followed by its
    /// B-frames; with a B-pyramid the middle B-frame (a reference) comes right after the P-frame.
    /// </summary>
    private static List<int> DecodeOrder(IEnumerable<int> miniGops, bool pyramid)
    {
        var order = new List<int> { 0 };
        int shown = 0;
        foreach (int bFrames in miniGops)
        {
            int p = shown + bFrames + 1;
            order.Add(p);
            var bs = Enumerable.Range(shown + 1, bFrames).ToList();
            if (pyramid && bFrames >= 2)
            {
                int middle = shown + ((bFrames + 1) / 2);
                order.Add(middle);
                bs.Remove(middle);
            }

            order.AddRange(bs);
            shown = p;
        }

        return order;
    }

    // max_num_reorder_frames as Annex E.2.1 defines it: frames before one in decoding order that follow it in output.
    private static int ReorderDepth(IReadOnlyList<int> order) =>
        order.Select((shown, i) => order.Take(i).Count(earlier => earlier > shown)).DefaultIfEmpty(0).Max();

    private static Gen<(List<int> MiniGops, bool Pyramid, long Duration, int Jitter)> Streams(int maxBFrames) =>
        from miniGops in Gen.ListOf(Gen.Choose(0, maxBFrames)).Select(l => l.Take(400).ToList())
        from pyramid in Gen.Elements(true, false)
        from duration in Gen.Elements(Durations)
        from jitter in Gen.Choose(0, 200)
        select (miniGops, pyramid, duration, jitter);

    // Presentation times on a jittered grid: jitter stays far below half a frame, so order is display order.
    private static long[] PresentationTimes(List<int> order, long start, long duration, int jitter) =>
        [.. order.Select(shown => start + (shown * duration) + (((shown * 7919) % (2 * jitter + 1)) - jitter))];

    [Fact]
    public void With_the_sps_depth_b_frame_streams_get_increasing_decode_times_never_after_presentation_and_a_bounded_offset()
    {
        Prop.ForAll(Arb.From(Streams(3)), s =>
        {
            var order = DecodeOrder(s.MiniGops, s.Pyramid);
            int depth = ReorderDepth(order);
            var estimator = new H264DecodeTimestamps(s.Duration);
            estimator.Configure(new H264SequenceParameterSet { ProfileIdc = 100, MaxNumReorderFrames = depth, MaxDecFrameBuffering = 4 });
            long[] pts = PresentationTimes(order, estimator.StartupLead + s.Jitter, s.Duration, s.Jitter);
            long last = -1;
            foreach (long p in pts)
            {
                long dts = estimator.Next(p);
                // A P-frame shows at most 4 frames after its decode position, and a DTS is a PTS at most R frames back.
                if (dts <= last || dts < 0 || dts > p || p - dts > ((depth + 4) * s.Duration) + (2 * s.Jitter))
                {
                    return false;
                }

                last = dts;
            }

            return estimator.ReorderViolations == 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Without_b_frames_the_decode_time_is_the_presentation_time()
    {
        var steps = Gen.ListOf(Gen.Choose(1, 9000)).Select(l => l.Take(500).ToList());
        Prop.ForAll(Arb.From(steps), Arb.From(Gen.Elements<int?>(null, 0)), (steps, spsDepth) =>
        {
            var estimator = new H264DecodeTimestamps();
            if (spsDepth is { } d)
            {
                estimator.Configure(new H264SequenceParameterSet { ProfileIdc = 66, MaxNumReorderFrames = d, MaxDecFrameBuffering = 1 });
            }

            long pts = 123_456_789;
            foreach (int step in steps)
            {
                if (estimator.Next(pts) != pts)
                {
                    return false;
                }

                pts += step;
            }

            return estimator.StartupLead == 0 && estimator.ReorderDepth == 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Without_a_stated_depth_b_frames_are_detected_within_a_few_frames_and_decode_times_still_increase()
    {
        Prop.ForAll(Arb.From(Streams(3)), s =>
        {
            var order = DecodeOrder(s.MiniGops, s.Pyramid);
            int depth = ReorderDepth(order);
            // Main profile without bitstream restriction: the depth is not known in advance.
            var estimator = new H264DecodeTimestamps();
            estimator.Configure(new H264SequenceParameterSet { ProfileIdc = 77, PicOrderCntType = 0 });
            long[] pts = PresentationTimes(order, 10 * s.Duration, s.Duration, s.Jitter);
            long last = -1;
            int late = 0;
            for (int i = 0; i < pts.Length; i++)
            {
                long dts = estimator.Next(pts[i]);
                if (dts <= last)
                {
                    return false;
                }

                if (dts > pts[i])
                {
                    late++;
                }

                last = dts;
            }

            // One raise covers x264's patterns (depth 2 at least), so only the first mini-GOP's B-frames are late.
            return estimator.ReorderDepth >= depth && late <= 3;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_b_pyramid_gop_gets_the_decode_times_of_a_two_frame_reorder_buffer()
    {
        // I0 P4 B2 b1 b3 P8 B6 b5 b7, 3000 ticks a frame, max_num_reorder_frames 2.
        var estimator = new H264DecodeTimestamps(3000);
        estimator.Configure(new H264SequenceParameterSet { ProfileIdc = 100, MaxNumReorderFrames = 2, MaxDecFrameBuffering = 3 });
        Assert.Equal(6000, estimator.StartupLead);
        int[] shown = [0, 4, 2, 1, 3, 8, 6, 5, 7];
        long[] dts = [.. shown.Select(i => estimator.Next(6000 + (i * 3000L)))];
        Assert.Equal([0, 3000, 6000, 9000, 12000, 15000, 18000, 21000, 24000], dts);
    }

    [Fact]
    public void The_composition_offset_stays_bounded_over_an_hour_of_x264_gops()
    {
        // x264 defaults: bframes 3 with a B-pyramid, a key frame every 250 frames; 29.97 fps presentation times.
        var estimator = new H264DecodeTimestamps(3003);
        estimator.Configure(new H264SequenceParameterSet { ProfileIdc = 100, MaxNumReorderFrames = 2, MaxDecFrameBuffering = 4 });
        var order = DecodeOrder(Enumerable.Repeat(3, 108_000 / 4), pyramid: true);
        long maxOffset = 0, last = -1;
        foreach (int shown in order)
        {
            long pts = estimator.StartupLead + (shown * 3003L);
            long dts = estimator.Next(pts);
            Assert.True(dts > last && dts <= pts);
            maxOffset = Math.Max(maxOffset, pts - dts);
            last = dts;
        }

        // The P-frame after three B-frames: shown 4 frames on, decoded 1 frame on from a start 2 frames back, as ffmpeg's
        // own MP4 muxer times x264's output.
        Assert.Equal(5 * 3003, maxOffset);
    }
}
