using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Tests;

public sealed class FanOutTests
{
    private const string Sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";

    private static MediaStream NewStream()
    {
        Assert.True(SdpSession.TryParse(Sdp, out var sdp, out _));
        return new MediaStream("t", sdp!, new NullPublisher(), new MediaPacketPool(), TimeProvider.System);
    }

    private static byte[] H264Packet(ushort sequence, byte nalHeader)
    {
        var packet = new byte[12 + 20];
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = sequence, Timestamp = sequence * 3000u, Ssrc = 7 };
        var payload = new byte[20];
        payload[0] = nalHeader;
        RtpPacketWriter.Write(packet, header, payload);
        return packet;
    }

    [Fact]
    public void A_new_reader_starts_at_a_key_frame_and_a_full_queue_drops_only_for_that_reader()
    {
        var stream = NewStream();
        var slow = new Reader(queue: 4);
        var fast = new Reader(queue: 1000);
        stream.AddReader(slow);
        stream.AddReader(fast);

        stream.WriteRtp(0, H264Packet(1, 0x41)); // non-IDR slice: nobody starts here
        Assert.Equal(0, fast.Count);
        stream.WriteRtp(0, H264Packet(2, 0x67)); // SPS: start
        for (ushort s = 3; s < 10; s++)
        {
            stream.WriteRtp(0, H264Packet(s, 0x41));
        }

        Assert.Equal(8, fast.Count);
        Assert.Equal(4, slow.Count);
        Assert.Equal(1, slow.PacketsDropped);   // the fifth packet found the queue full...
        Assert.Equal(3, slow.PacketsSkipped);   // ...and the rest of the frame waits for the next key frame

        // After a drop the slow reader waits for the next key frame; the fast one is untouched.
        slow.DrainAll();
        stream.WriteRtp(0, H264Packet(10, 0x41));
        Assert.Equal(0, slow.Count);
        Assert.Equal(4, slow.PacketsSkipped);
        stream.WriteRtp(0, H264Packet(11, 0x65)); // IDR
        Assert.Equal(1, slow.Count);
        Assert.Equal(10, fast.Count);
        Assert.Equal(0, fast.PacketsDropped);
    }

    [Fact]
    public void Malformed_packets_are_counted_and_dropped_and_closing_sends_bye()
    {
        var stream = NewStream();
        var reader = new Reader(queue: 100);
        stream.AddReader(reader);
        stream.WriteRtp(0, [0x00, 0x01, 0x02]);
        stream.WriteRtp(5, H264Packet(1, 0x65));
        Assert.Equal(2, stream.MalformedPackets);
        Assert.Equal(0, reader.Count);

        stream.Close();
        Assert.True(reader.TryTake(out var bye));
        Assert.True(bye!.IsRtcp);
        Assert.False(stream.AddReader(new Reader(queue: 1)));
    }

    [Fact]
    public void An_inline_reader_gets_packets_on_the_publisher_thread_and_a_refused_send_waits_for_the_next_key_frame()
    {
        var stream = NewStream();
        var inline = new InlineReader();
        stream.AddReader(inline);

        stream.WriteRtp(0, H264Packet(1, 0x41)); // not a frame start
        stream.WriteRtp(0, H264Packet(2, 0x67)); // SPS: start
        stream.WriteRtp(0, H264Packet(3, 0x41));
        Assert.Equal([2, 3], inline.Delivered);
        Assert.Equal(2, inline.PacketsQueued);

        inline.Refuse = true; // a full socket buffer
        stream.WriteRtp(0, H264Packet(4, 0x41));
        inline.Refuse = false;
        stream.WriteRtp(0, H264Packet(5, 0x41));
        stream.WriteRtp(0, H264Packet(6, 0x65)); // IDR
        Assert.Equal([2, 3, 6], inline.Delivered);
        Assert.Equal(1, inline.PacketsDropped);
        Assert.Equal(1, inline.PacketsSkipped);

        stream.Close(); // the RTCP BYE goes out inline too
        Assert.True(inline.ByeDelivered);
    }

    private sealed class InlineReader() : MediaStreamReader(1, null, 1)
    {
        public List<int> Delivered { get; } = [];

        public bool Refuse { get; set; }

        public bool ByeDelivered { get; private set; }

        public override string Description => "inline test";

        protected override bool DeliversInline => true;

        protected override bool TryDeliver(MediaPacket packet)
        {
            if (Refuse)
            {
                return false;
            }

            if (packet.IsRtcp)
            {
                ByeDelivered = true;
            }
            else
            {
                Assert.True(RtpPacketView.TryParse(packet.Span, out var rtp));
                Delivered.Add(rtp.SequenceNumber);
            }

            return true;
        }
    }

    private sealed class Reader(int queue) : MediaStreamReader(1, null, queue)
    {
        public override string Description => "test";

        public int Count => Queue.Count;

        public bool TryTake(out MediaPacket? packet) => Queue.TryRead(out packet);

        public void DrainAll()
        {
            while (Queue.TryRead(out var p))
            {
                p.Release();
            }
        }
    }

    private sealed class NullPublisher : IStreamPublisher
    {
        public string Description => "test";

        public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
        {
        }

        public void Kick(string reason)
        {
        }
    }
}
