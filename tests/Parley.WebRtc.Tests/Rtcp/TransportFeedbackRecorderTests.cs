using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.WebRtc.Rtcp;

namespace Parley.WebRtc.Tests.Rtcp;

/// <summary>The receive side of transport-wide congestion control: arrivals in, RTPFB FMT 15 out.</summary>
public class TransportFeedbackRecorderTests
{
    [Fact]
    public void Feedback_reports_each_sequence_number_since_the_last_across_the_wrap_with_gaps_as_lost()
    {
        var recorder = new TransportFeedbackRecorder(0xFEED);
        recorder.Record(65534, 0xAA, 1_000_000);
        recorder.Record(65535, 0xAA, 1_001_000);
        recorder.Record(0, 0xBB, 1_002_000);
        recorder.Record(2, 0xBB, 1_004_000); // 1 is missing
        byte[] buffer = new byte[1200];
        Assert.True(recorder.TryWriteFeedback(buffer, out int length));
        var entries = Parse(buffer.AsSpan(0, length), out ushort baseSequence, out byte count);
        Assert.Equal((65534, 0), (baseSequence, count));
        Assert.Equal([true, true, true, false, true], entries.Select(e => e.IsReceived));
        Assert.Equal([1_000_000L, 1_001_000, 1_002_000, 0, 1_004_000], entries.Select(e => e.ArrivalMicroseconds));

        // Nothing new: no feedback. The missing packet arriving now is late, not reported twice.
        Assert.False(recorder.TryWriteFeedback(buffer, out _));
        recorder.Record(1, 0xBB, 1_005_000);
        Assert.Equal(1, recorder.LatePackets);
        Assert.False(recorder.TryWriteFeedback(buffer, out _));

        recorder.Record(3, 0xBB, 1_006_000);
        Assert.True(recorder.TryWriteFeedback(buffer, out length));
        entries = Parse(buffer.AsSpan(0, length), out baseSequence, out count);
        Assert.Equal((3, 1), (baseSequence, count));
        Assert.Equal(1_006_000, Assert.Single(entries).ArrivalMicroseconds);
        Assert.Equal(2, recorder.FeedbackWritten);
    }

    [Fact]
    public void More_unreported_packets_than_slots_give_up_the_oldest()
    {
        var recorder = new TransportFeedbackRecorder(1, capacity: 16);
        for (int i = 0; i < 40; i++)
        {
            recorder.Record((ushort)i, 1, 1_000 * i);
        }

        byte[] buffer = new byte[1200];
        Assert.True(recorder.TryWriteFeedback(buffer, out int length));
        var entries = Parse(buffer.AsSpan(0, length), out ushort baseSequence, out _);
        Assert.Equal(24, baseSequence);
        Assert.Equal(16, entries.Count);
        Assert.All(entries, e => Assert.True(e.IsReceived));
    }

    [Fact]
    public void The_transport_sequence_number_is_found_among_other_extensions()
    {
        byte[] extension = [0x10, 0x30, 0x41, 0x12, 0x34, 0x00]; // id 1 "0", id 4 = 0x1234, padding
        var header = new RtpHeader { PayloadType = 96, HasExtension = true, ExtensionProfile = 0xBEDE, ExtensionData = extension.Concat(new byte[2]).ToArray() };
        byte[] packet = new byte[RtpPacketWriter.GetPacketLength(header, 3)];
        RtpPacketWriter.Write(packet, header, [1, 2, 3]);
        Assert.True(RtpPacketView.TryParse(packet, out var rtp));
        Assert.True(TransportFeedbackRecorder.TryReadSequenceNumber(rtp, 4, out ushort value));
        Assert.Equal(0x1234, value);
        Assert.False(TransportFeedbackRecorder.TryReadSequenceNumber(rtp, 1, out _)); // 1 byte, not 2
        Assert.False(TransportFeedbackRecorder.TryReadSequenceNumber(rtp, 5, out _));
    }

    [Fact]
    public void Recording_and_writing_feedback_allocate_nothing()
    {
        var recorder = new TransportFeedbackRecorder(1);
        byte[] buffer = new byte[1200];
        void Run(int from, int count)
        {
            for (int i = from; i < from + count; i++)
            {
                recorder.Record((ushort)i, 1, 1_000L * i);
                if (i % 10 == 0)
                {
                    recorder.TryWriteFeedback(buffer, out _);
                }
            }
        }

        Run(0, 1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(1000, 100_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static List<RtcpTransportFeedbackPacket> Parse(ReadOnlySpan<byte> bytes, out ushort baseSequence, out byte count)
    {
        Assert.True(RtcpPacketView.TryParse(bytes, out var packet));
        Assert.True(RtcpFeedbackView.TryParse(packet, out var feedback));
        Assert.True(RtcpTransportFeedbackView.TryParse(feedback, out var view));
        Assert.Contains(view.SenderSsrc, new uint[] { 0xFEED, 1 });
        baseSequence = view.BaseSequenceNumber;
        count = view.FeedbackPacketCount;
        var list = new List<RtcpTransportFeedbackPacket>();
        foreach (var entry in view)
        {
            list.Add(entry);
        }

        return list;
    }
}
