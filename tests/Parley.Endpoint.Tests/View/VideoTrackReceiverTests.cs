using Microsoft.Extensions.Time.Testing;
using Parley.Codecs.Gstreamer;
using Parley.Codecs.Synthetic;
using Parley.Endpoint.View;
using Parley.Media.H264;
using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.Endpoint.Tests.View;

/// <summary>
/// The video receive path with real H.264 (x264 through GStreamer, our RFC 6184 packetizer): loss drops the frames
/// that depend on the lost one until the next IDR and sends a PLI; UDP reordering is undone without loss.
/// </summary>
public sealed class VideoTrackReceiverTests
{
    private const int Width = 320;
    private const int Height = 240;
    private static readonly ViewTrack Track = new(0, "video", ViewCodec.H264, H264Packetizer.DefaultPayloadType, 90000, 0, null);

    [Fact]
    public void A_lost_packet_holds_frames_back_until_the_next_key_frame_and_asks_for_it_with_a_pli()
    {
        var (frames, packetizer) = EncodeAndPacketize(frameCount: 30, keyFrameInterval: 15);
        var sink = new FrameCollector();
        var statistics = new TrackStatistics(Track);
        using var receiver = new VideoTrackReceiver(Track, reorder: false, sink, statistics, new ViewClock(), localSsrc: 0x1234);
        var feedback = new byte[ReceptionReporter.MaxReportLength];

        for (int f = 0; f < frames.Count; f++)
        {
            for (int p = 0; p < frames[f].Count; p++)
            {
                if (f == 5 && p == 0)
                {
                    continue; // lost on the network
                }

                receiver.OnRtp(frames[f][p]);
            }

            if (f == 5)
            {
                Assert.True(receiver.WaitingForKeyFrame);
                int length = receiver.WriteFeedback(feedback, reportDue: false);
                Assert.True(length > 0, "a PLI is due right after the loss");
                Assert.True(ContainsPli(feedback.AsSpan(0, length), mediaSsrc: packetizer.Ssrc));
                Assert.Equal(0, receiver.WriteFeedback(feedback, reportDue: false)); // rate-limited: not again at once
            }
        }

        // Frames 0-4 before the loss, then nothing until the IDR at frame 15, then every frame.
        Assert.Equal(5 + 15, sink.Frames.Count);
        Assert.True(sink.Frames[5].IsKeyFrame);
        Assert.Equal(Timestamp(15), sink.Frames[5].RtpTimestamp);
        Assert.False(receiver.WaitingForKeyFrame);
        var totals = statistics.Snapshot();
        Assert.Equal(1, totals.PictureLossIndications);
        Assert.Equal(10, totals.FramesDropped); // frame 5 (incomplete) and frames 6-14 (undecodable)
        Assert.Equal(frames.Sum(f => f.Count) - 1, totals.Packets);
    }

    [Fact]
    public void Over_udp_swapped_packets_are_put_back_in_order_without_loss_or_pli()
    {
        var (frames, _) = EncodeAndPacketize(frameCount: 10, keyFrameInterval: 30);
        var time = new FakeTimeProvider();
        var sink = new FrameCollector();
        var statistics = new TrackStatistics(Track);
        using var receiver = new VideoTrackReceiver(Track, reorder: true, sink, statistics, new ViewClock(time), localSsrc: 1);
        var packets = frames.SelectMany(f => f).ToList();
        (packets[3], packets[4]) = (packets[4], packets[3]);
        foreach (var packet in packets)
        {
            receiver.OnRtp(packet);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        time.Advance(TrackReceiver.ReorderWait);
        receiver.Poll();
        Assert.Equal(10, sink.Frames.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(Timestamp), sink.Frames.Select(f => f.RtpTimestamp));
        Assert.Equal(0, receiver.PacketsReorderLost);
        var feedback = new byte[ReceptionReporter.MaxReportLength];
        int length = receiver.WriteFeedback(feedback, reportDue: true);
        Assert.False(ContainsPli(feedback.AsSpan(0, length), mediaSsrc: 0));
        Assert.Equal(0, statistics.Snapshot().Lost);
    }

    private static uint Timestamp(int frame) => (uint)(1000 + (frame * 3000));

    private static (List<List<byte[]>> Frames, H264Packetizer Packetizer) EncodeAndPacketize(int frameCount, int keyFrameInterval)
    {
        using var encoder = new GstH264Encoder(new H264EncoderOptions { Width = Width, Height = Height, KeyFrameInterval = keyFrameInterval, BitrateKbps = 800 });
        var pattern = new TestPatternGenerator(Width, Height);
        var i420 = new byte[pattern.FrameSize];
        var packetizer = new H264Packetizer(ssrc: 0xCAFE, initialSequenceNumber: 65530) { MaxPayloadSize = 600 };
        var frames = new List<List<byte[]>>();
        for (int i = 0; i < frameCount; i++)
        {
            pattern.Render(i, 0, i420);
            encoder.Encode(i420, TimeSpan.FromMilliseconds(i * 33.3));
            Assert.True(encoder.TryReadAccessUnit(TimeSpan.FromSeconds(10), out var accessUnit), $"no access unit for frame {i}");
            Assert.Equal(i % keyFrameInterval == 0, accessUnit.IsKeyFrame);
            var capture = new RtpCapture();
            packetizer.PacketizeAnnexB(accessUnit.Data, Timestamp(i), capture);
            frames.Add(capture.Packets);
        }

        return (frames, packetizer);
    }

    private static bool ContainsPli(ReadOnlySpan<byte> compound, uint mediaSsrc)
    {
        var reader = new RtcpCompoundReader(compound);
        Assert.True(reader.TryReadNext(out var first));
        Assert.Equal(RtcpPacketType.ReceiverReport, first.PacketType); // RFC 3550 §6.1: compounds start with a report
        while (reader.TryReadNext(out var packet))
        {
            if (RtcpFeedbackView.TryParse(packet, out var feedback) && feedback.IsPictureLossIndication && (mediaSsrc == 0 || feedback.MediaSsrc == mediaSsrc))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class FrameCollector : IVideoFrameSink
    {
        public List<(uint RtpTimestamp, bool IsKeyFrame, int Length)> Frames { get; } = [];

        public void OnVideoFrame(in ReceivedVideoFrame frame) => Frames.Add((frame.RtpTimestamp, frame.IsKeyFrame, frame.Data.Length));
    }
}
