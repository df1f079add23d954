using Parley.Media.Sync;
using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.Media.Tests.Sync;

public class LipSyncTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    /// <summary>
    /// A sender that captures audio (48 kHz, RTP start just before the 32-bit wrap) and video (90 kHz, another
    /// random start) on one wall clock; the receiver's monotonic clock runs 5 s behind the capture timeline.
    /// </summary>
    private static readonly DateTime SenderEpoch = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private const uint AudioStart = 0xFFFF_0000;
    private const uint VideoStart = 123_456_789;
    private static readonly TimeSpan ReceiverOffset = TimeSpan.FromSeconds(5);

    private static uint AudioTimestamp(double seconds) => unchecked(AudioStart + (uint)Math.Round(seconds * 48000));

    private static uint VideoTimestamp(double seconds) => unchecked(VideoStart + (uint)Math.Round(seconds * 90000));

    private static NtpTimestamp Wall(double seconds) => NtpTimestamp.FromDateTime(SenderEpoch.AddSeconds(seconds));

    private static TimeSpan Local(double seconds) => ReceiverOffset + TimeSpan.FromSeconds(seconds);

    /// <summary>Writes a real sender report and takes it into the mapping through the RTCP parsers.</summary>
    private static bool TakeSenderReport(RtpClockMapping mapping, NtpTimestamp ntp, uint rtpTimestamp)
    {
        byte[] rtcp = new byte[RtcpWriter.GetSenderReportLength(0)];
        RtcpWriter.WriteSenderReport(rtcp, 0xA0D10, ntp, rtpTimestamp, 10, 1000, []);
        Assert.True(RtcpPacketView.TryParse(rtcp, out var packet));
        Assert.True(RtcpSenderReportView.TryParse(packet, out var report));
        return mapping.Update(report);
    }

    [Fact]
    public void Sender_report_maps_rtp_timestamps_to_the_wall_clock_across_the_wrap()
    {
        var mapping = new RtpClockMapping(48000);
        Assert.False(mapping.TryGetWallClock(AudioTimestamp(1), out _));
        Assert.True(TakeSenderReport(mapping, Wall(1.0), AudioTimestamp(1.0)));

        foreach (double t in new[] { 1.0, 0.25, 1.365, 2.0, 30.5 }) // AudioTimestamp wraps at about 1.365 s
        {
            Assert.True(mapping.TryGetWallClock(AudioTimestamp(t), out DateTime wall));
            Assert.InRange(wall - SenderEpoch.AddSeconds(t), -Tick, Tick);
        }

        Assert.True(AudioTimestamp(2.0) < AudioTimestamp(1.0)); // the wrap really is between them
    }

    [Fact]
    public void An_older_sender_report_does_not_replace_a_newer_one()
    {
        var mapping = new RtpClockMapping(90000);
        Assert.True(TakeSenderReport(mapping, Wall(5), VideoTimestamp(5)));
        Assert.False(TakeSenderReport(mapping, Wall(4), VideoTimestamp(4) + 900)); // a stale, inconsistent report
        Assert.True(mapping.TryGetWallClock(VideoTimestamp(6), out DateTime wall));
        Assert.InRange(wall - SenderEpoch.AddSeconds(6), -Tick, Tick);
        Assert.True(TakeSenderReport(mapping, Wall(9), VideoTimestamp(9)));
        Assert.Equal(VideoTimestamp(9), mapping.ReportTimestamp);
    }

    [Fact]
    public void Video_80_ms_behind_audio_is_matched_by_delaying_the_track_that_would_render_first()
    {
        var audio = new RtpClockMapping(48000);
        var video = new RtpClockMapping(90000);
        var sync = new LipSync(audio, video, smoothing: 1);

        // Capture at t; audio is sent at once, video after 80 ms of encoding; the network takes 30 ms.
        static TrackTiming AudioAt(double t, TimeSpan playout) => new(AudioTimestamp(t), Local(t + 0.030), playout);
        static TrackTiming VideoAt(double t, TimeSpan playout) => new(VideoTimestamp(t), Local(t + 0.080 + 0.030), playout);

        Assert.Equal(LipSyncCorrection.None, sync.Update(AudioAt(0.5, 60 * Ms), VideoAt(0.5, 20 * Ms)));
        TakeSenderReport(audio, Wall(1.0), AudioTimestamp(1.0));
        Assert.Equal(LipSyncCorrection.None, sync.Update(AudioAt(1.1, 60 * Ms), VideoAt(1.1, 20 * Ms)));
        Assert.Null(sync.AudioLag);
        TakeSenderReport(video, Wall(1.7), VideoTimestamp(1.7));

        // Audio renders at t + 90 ms, video at t + 130 ms: audio waits 40 ms more. Packets from different
        // capture instants (3.00 s and 3.10 s) are fine: the sender reports put both on one clock.
        LipSyncCorrection correction = sync.Update(AudioAt(3.0, 60 * Ms), VideoAt(3.1, 20 * Ms));
        Assert.InRange(correction.ExtraAudioDelay, (40 * Ms) - Tick, (40 * Ms) + Tick);
        Assert.Equal(TimeSpan.Zero, correction.ExtraVideoDelay);

        // With 150 ms of audio jitter buffer, audio renders at t + 180 ms: video waits 50 ms more.
        correction = sync.Update(AudioAt(3.5, 150 * Ms), VideoAt(3.4, 20 * Ms));
        Assert.Equal(TimeSpan.Zero, correction.ExtraAudioDelay);
        Assert.InRange(correction.ExtraVideoDelay, (50 * Ms) - Tick, (50 * Ms) + Tick);

        // Applied, the correction makes frames captured together render together.
        var a = AudioAt(4.0, 150 * Ms);
        var v = VideoAt(4.0, 20 * Ms);
        TimeSpan audioRender = a.Arrival + a.PlayoutDelay + correction.ExtraAudioDelay;
        TimeSpan videoRender = v.Arrival + v.PlayoutDelay + correction.ExtraVideoDelay;
        Assert.InRange(audioRender - videoRender, -Tick, Tick);
    }

    [Fact]
    public void Jittered_measurements_are_smoothed_and_corrections_capped()
    {
        var audio = new RtpClockMapping(48000);
        var video = new RtpClockMapping(90000);
        TakeSenderReport(audio, Wall(0.2), AudioTimestamp(0.2));
        TakeSenderReport(video, Wall(0.3), VideoTimestamp(0.3));
        var sync = new LipSync(audio, video);
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            double t = 1 + (i * 0.02);
            double jitterA = random.NextDouble() * 0.020;
            double jitterV = random.NextDouble() * 0.020;
            sync.Update(
                new TrackTiming(AudioTimestamp(t), Local(t + 0.030 + jitterA), 60 * Ms),
                new TrackTiming(VideoTimestamp(t), Local(t + 0.110 + jitterV), 20 * Ms));
        }

        // The truth is 40 ms; the jitter (0..20 ms each way) averages out.
        Assert.InRange(sync.Correction.ExtraAudioDelay, 35 * Ms, 45 * Ms);

        var capped = new LipSync(audio, video, maxCorrection: 100 * Ms, smoothing: 1);
        LipSyncCorrection c = capped.Update(new TrackTiming(AudioTimestamp(2), Local(2 + 3), 0 * Ms), new TrackTiming(VideoTimestamp(2), Local(2), 0 * Ms));
        Assert.Equal(new LipSyncCorrection(TimeSpan.Zero, 100 * Ms), c);
        Assert.Equal(TimeSpan.FromSeconds(3), capped.AudioLag);
    }

    [Fact]
    public void Capture_to_render_latency_comes_from_sender_reports_and_the_clock_offset()
    {
        var video = new RtpClockMapping(90000);
        var latency = new CaptureToRenderLatency();
        DateTime receiverEpoch = SenderEpoch.AddMilliseconds(-250); // the sender's clock is 250 ms ahead
        Assert.False(latency.TryAdd(video, VideoTimestamp(1), receiverEpoch.AddSeconds(1.2), 250 * Ms, out _));
        TakeSenderReport(video, Wall(0.5), VideoTimestamp(0.5));

        double[] renderedAfter = [0.180, 0.200, 0.160];
        for (int i = 0; i < renderedAfter.Length; i++)
        {
            double t = 1 + (i / 30.0);
            Assert.True(latency.TryAdd(video, VideoTimestamp(t), receiverEpoch.AddSeconds(t + renderedAfter[i]), 250 * Ms, out TimeSpan l));
            Assert.InRange(l, TimeSpan.FromSeconds(renderedAfter[i]) - (2 * Tick), TimeSpan.FromSeconds(renderedAfter[i]) + (2 * Tick));
        }

        Assert.Equal(3, latency.Count);
        Assert.InRange(latency.Minimum, (160 * Ms) - (2 * Tick), (160 * Ms) + (2 * Tick));
        Assert.InRange(latency.Maximum, (200 * Ms) - (2 * Tick), (200 * Ms) + (2 * Tick));
        Assert.InRange(latency.Mean, (180 * Ms) - (2 * Tick), (180 * Ms) + (2 * Tick));
        Assert.Equal(120 * Ms, CaptureToRenderLatency.Measure(SenderEpoch, SenderEpoch.AddMilliseconds(120), TimeSpan.Zero));
    }
}
