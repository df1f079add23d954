using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Tests;

/// <summary>Readers' key frame requests reach the publisher as PLI (RFC 4585 §6.3.1), at most one a second.</summary>
public class KeyFrameRequestTests
{
    [Fact]
    public void Many_readers_asking_make_at_most_one_pli_per_second()
    {
        Assert.True(SdpSession.TryParse("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n", out var sdp, out _));
        var time = new SteppedTime();
        var publisher = new CountingPublisher();
        var stream = new MediaStream("t", sdp!, publisher, new MediaPacketPool(), time);
        ushort sequence = 0;
        void Packet()
        {
            var header = new RtpHeader { PayloadType = 96, SequenceNumber = sequence++, Ssrc = 9 };
            byte[] bytes = new byte[14];
            RtpPacketWriter.Write(bytes, header, [0x41, 0]);
            stream.WriteRtp(0, bytes);
        }

        // Requests with every packet for 2.5 s at 100 packets a second: PLIs at 0 s, 1 s and 2 s only.
        for (int i = 0; i < 250; i++)
        {
            stream.RequestKeyFrame(0);
            Packet();
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(TimeSpan.FromSeconds(1), MediaStream.KeyFrameRequestInterval);
        Assert.Equal(3, stream.KeyFrameRequestsSent);
        Assert.Equal(3, publisher.PictureLossIndications);
    }

    private sealed class SteppedTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += (long)(by.TotalSeconds * TimestampFrequency);
    }

    private sealed class CountingPublisher : IStreamPublisher
    {
        public string Description => "test";

        public int PictureLossIndications { get; private set; }

        public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
        {
            var reader = new RtcpCompoundReader(compound);
            while (reader.TryReadNext(out var packet))
            {
                if (RtcpFeedbackView.TryParse(packet, out var feedback) && feedback.IsPictureLossIndication)
                {
                    PictureLossIndications++;
                }
            }
        }

        public void Kick(string reason)
        {
        }
    }
}
