using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Tests;

/// <summary>Readers' key frame requests (PLI, FIR) reach the publisher as PLI (RFC 4585 §6.3.1), at most one a second.</summary>
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

    [Fact]
    public void A_readers_pli_for_the_track_or_fir_asks_for_a_key_frame_and_other_rtcp_does_not()
    {
        const string Sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
            + "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 opus/48000/2\r\n";
        Assert.True(SdpSession.TryParse(Sdp, out var sdp, out _));
        var time = new SteppedTime();
        var publisher = new CountingPublisher();
        var stream = new MediaStream("t", sdp!, publisher, new MediaPacketPool(), time);
        ushort sequence = 0;
        byte[] rtp = new byte[14];
        void Packet()
        {
            RtpPacketWriter.Write(rtp, new RtpHeader { PayloadType = 96, SequenceNumber = sequence++, Ssrc = 9 }, [0x41, 0]);
            stream.WriteRtp(0, rtp);
            time.Advance(TimeSpan.FromSeconds(2)); // past the one-a-second limit: every request shows
        }

        Packet();
        byte[] pli = new byte[RtcpWriter.PictureLossIndicationLength];
        RtcpWriter.WritePictureLossIndication(pli, senderSsrc: 1, mediaSsrc: 9);
        byte[] otherSource = new byte[RtcpWriter.PictureLossIndicationLength];
        RtcpWriter.WritePictureLossIndication(otherSource, senderSsrc: 1, mediaSsrc: 10);
        // FIR (RFC 5104 §4.3.1): PT 206, FMT 4, media SSRC 0, one FCI entry (SSRC 9, sequence number 1).
        byte[] fir = [0x84, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 0, 0];
        // A receiver report (RFC 3550 §6.4.2) with no report blocks.
        byte[] receiverReport = [0x80, 201, 0, 1, 0, 0, 0, 1];

        Assert.False(stream.ReadReaderFeedback(0, receiverReport));
        Assert.False(stream.ReadReaderFeedback(0, otherSource));
        Assert.False(stream.ReadReaderFeedback(1, pli), "the audio track has no key frames");
        Assert.False(stream.ReadReaderFeedback(7, pli));
        Assert.False(stream.ReadReaderFeedback(0, [0x81, 206, 0]));
        Packet();
        Assert.Equal(0, publisher.PictureLossIndications);

        Assert.True(stream.ReadReaderFeedback(0, [.. receiverReport, .. pli]));
        Packet();
        Assert.Equal(1, publisher.PictureLossIndications);
        Assert.True(stream.ReadReaderFeedback(0, fir));
        Packet();
        Assert.Equal(2, publisher.PictureLossIndications);
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
