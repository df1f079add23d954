using System.Collections.Concurrent;
using Parley.Hub.Streams;
using Parley.Hub.Tests.Rooms;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;
using Parley.Rtsp.Client;
using Xunit.Abstractions;

namespace Parley.Hub.Tests;

/// <summary>
/// An RTSP reader's PLI reaches the RTSP publisher through a real hub (RFC 4585 §6.3.1): a reader whose decoder lost
/// its reference gets a key frame without waiting for the publisher's next scheduled one.
/// </summary>
public sealed class RtspReaderFeedbackTests(ITestOutputHelper output) : IDisposable
{
    private const uint PublisherSsrc = 0x1234;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_readers_pli_reaches_the_publisher_as_a_pli_for_its_ssrc()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path);
        var publisherRtcp = new RtcpCollector();
        await using var publisher = await RtspClient.ConnectAsync(hub.RtspUrl("cam"), new RtspClientOptions { Receiver = publisherRtcp });
        Assert.True(SdpSession.TryParse("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
            + "a=fmtp:96 packetization-mode=1\r\n", out var sdp, out string? error), error);
        await publisher.AnnounceAsync(sdp!);
        await publisher.SetupAsync();
        await publisher.RecordAsync();

        using var stop = new CancellationTokenSource();
        var sending = SendFramesAsync(publisher, stop.Token);
        var readerMedia = new RtcpCollector();
        await using var reader = await RtspClient.ConnectAsync(hub.RtspUrl("cam"), new RtspClientOptions { Receiver = readerMedia });
        await reader.DescribeAsync();
        await reader.SetupAsync();
        await reader.PlayAsync();
        await WaitAsync(() => readerMedia.Rtp > 0, "the reader receives the stream");

        // Joining already asked for one key frame (MediaStream.AddReader); the hub sends at most one PLI a second.
        await WaitAsync(() => publisherRtcp.PictureLossIndications(PublisherSsrc) >= 1, "the join's PLI at the publisher");
        await Task.Delay(MediaStream.KeyFrameRequestInterval + TimeSpan.FromMilliseconds(200));
        int before = publisherRtcp.PictureLossIndications(PublisherSsrc);

        byte[] pli = new byte[RtcpWriter.PictureLossIndicationLength];
        RtcpWriter.WritePictureLossIndication(pli, senderSsrc: 0x5678, mediaSsrc: PublisherSsrc);
        await reader.SendRtcpAsync(0, pli);
        await WaitAsync(() => publisherRtcp.PictureLossIndications(PublisherSsrc) > before, "the reader's PLI at the publisher");

        await stop.CancelAsync();
        await sending;
    }

    // One-packet H.264 frames at 50 a second, every tenth an IDR (where a new reader starts).
    private static async Task SendFramesAsync(RtspClient publisher, CancellationToken cancellationToken)
    {
        byte[] packet = new byte[12 + 20];
        ushort sequence = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                byte nal = sequence % 10 == 0 ? (byte)0x65 : (byte)0x41;
                var header = new RtpHeader { PayloadType = 96, SequenceNumber = sequence, Timestamp = sequence * 1800u, Ssrc = PublisherSsrc, Marker = true };
                RtpPacketWriter.Write(packet, header, [nal, 0x88, 0x84, 0x21, 0xA0]);
                await publisher.SendRtpAsync(0, packet.AsMemory(0, 12 + 5), cancellationToken);
                sequence++;
                await Task.Delay(20, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private sealed class RtcpCollector : IRtspMediaReceiver
    {
        private readonly ConcurrentQueue<uint> _pliSsrcs = new();
        private int _rtp;

        public int Rtp => Volatile.Read(ref _rtp);

        public int PictureLossIndications(uint ssrc) => _pliSsrcs.Count(s => s == ssrc);

        public void OnRtp(int mediaIndex, ReadOnlySpan<byte> packet) => Interlocked.Increment(ref _rtp);

        public void OnRtcp(int mediaIndex, ReadOnlySpan<byte> packet)
        {
            var compound = new RtcpCompoundReader(packet);
            while (compound.TryReadNext(out var rtcp))
            {
                if (RtcpFeedbackView.TryParse(rtcp, out var feedback) && feedback.IsPictureLossIndication)
                {
                    _pliSsrcs.Enqueue(feedback.MediaSsrc);
                }
            }
        }
    }
}
