using Parley.Rtp;
using Parley.Rtsp.Client;

namespace Parley.Rtsp.Tests.Client;

/// <summary>The client against a real server nobody here wrote: GStreamer's gst-rtsp-server 1.22.</summary>
public class RtspClientGstreamerTests(GstRtspServerFixture server) : IClassFixture<GstRtspServerFixture>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(RtspClientTransport.Tcp)]
    [InlineData(RtspClientTransport.Udp)]
    public async Task Plays_h264_and_receives_valid_rtp(RtspClientTransport transport)
    {
        var receiver = new CollectingReceiver();
        await using var client = await RtspClient.ConnectAsync(server.PlayUrl, new RtspClientOptions { Transport = transport, Receiver = receiver });

        var options = await client.OptionsAsync();
        Assert.Contains("DESCRIBE", options.Headers["Public"], StringComparison.Ordinal);

        var sdp = await client.DescribeAsync();
        var media = Assert.Single(sdp.Media);
        Assert.Equal("video", media.MediaType);
        Assert.True(media.TryGetRtpMap(96, out var map));
        Assert.Equal("H264", map.EncodingName, ignoreCase: true);
        Assert.Equal(90000, map.ClockRate);
        Assert.Equal(server.PlayUrl + "/stream=0", client.Media[0].ControlUrl);

        await client.SetupAsync();
        Assert.NotNull(client.SessionId);
        var negotiated = client.Media[0].Transport!;
        Assert.Equal(transport == RtspClientTransport.Tcp, negotiated.IsTcp);
        if (transport == RtspClientTransport.Tcp)
        {
            Assert.Equal((0, 1), negotiated.Interleaved);
            Assert.Null(client.Media[0].LocalRtpEndPoint);
        }
        else
        {
            var local = client.Media[0].LocalRtpEndPoint!;
            Assert.Equal(0, local.Port % 2);
            Assert.Equal((local.Port, local.Port + 1), negotiated.ClientPort);
            Assert.NotNull(negotiated.ServerPort);
        }

        var play = await client.PlayAsync();
        Assert.True(RtspHeaderValues.TryParseRtpInfo(play.Headers["RTP-Info"]!, out var rtpInfo));
        var firstSeq = Assert.Single(rtpInfo).Seq;

        await receiver.WaitForRtpAsync(60, s_wait);
        var packets = receiver.Rtp;
        Assert.True(packets.Count >= 60, $"received only {packets.Count} RTP packets; server output:\n{server.Output}");

        uint? ssrc = null;
        var sequences = new List<ushort>();
        foreach (var (index, bytes) in packets)
        {
            Assert.Equal(0, index);
            Assert.True(RtpPacketView.TryParse(bytes, out var rtp), "not a valid RTP packet");
            Assert.Equal(2, rtp.Version);
            Assert.Equal(96, rtp.PayloadType);
            ssrc ??= rtp.Ssrc;
            Assert.Equal(ssrc, rtp.Ssrc);
            Assert.False(rtp.Payload.IsEmpty);
            var nalType = rtp.Payload[0] & 0x1F;
            Assert.InRange(nalType, 1, 28); // single NAL unit, STAP-A (24) or FU-A (28): RFC 6184 §5.2
            sequences.Add(rtp.SequenceNumber);
        }

        if (transport == RtspClientTransport.Tcp)
        {
            // TCP preserves order: every packet follows the previous one, starting where RTP-Info said.
            Assert.Equal(firstSeq, sequences[0]);
            for (var i = 1; i < sequences.Count; i++)
            {
                Assert.Equal((ushort)(sequences[i - 1] + 1), sequences[i]);
            }
        }

        Assert.Equal(negotiated.Ssrc ?? ssrc, ssrc);
        await client.TeardownAsync();
        Assert.Null(client.SessionId);
    }

    [Fact]
    public async Task Sends_keep_alives_while_playing()
    {
        var receiver = new CollectingReceiver();
        await using var client = await RtspClient.ConnectAsync(server.PlayUrl, new RtspClientOptions
        {
            Receiver = receiver,
            KeepAliveInterval = TimeSpan.FromMilliseconds(150),
        });
        await client.DescribeAsync();
        await client.SetupAsync();
        Assert.Equal(TimeSpan.FromSeconds(60), client.SessionTimeout);
        await client.PlayAsync();

        var deadline = DateTime.UtcNow + s_wait;
        while (client.KeepAlivesSent < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(client.KeepAlivesSent >= 3);
        await receiver.WaitForRtpAsync(10, s_wait);
        Assert.True(receiver.RtpCount >= 10);
        await client.TeardownAsync();
    }

    [Fact]
    public async Task Unknown_path_raises_404()
    {
        await using var client = await RtspClient.ConnectAsync($"rtsp://127.0.0.1:{server.Port}/nope", new RtspClientOptions());
        var ex = await Assert.ThrowsAsync<RtspClientException>(() => client.DescribeAsync());
        Assert.Equal(404, ex.StatusCode);
        Assert.NotNull(ex.Response);
        Assert.Contains("404", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DESCRIBE", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RtspClientTransport.Tcp)]
    [InlineData(RtspClientTransport.Udp)]
    public async Task Publishes_h264_that_gstreamer_depayloads(RtspClientTransport transport)
    {
        // Source: a live H.264 stream from the same reference server, relayed packet by packet.
        var source = new CollectingReceiver();
        await using var player = await RtspClient.ConnectAsync(server.PlayUrl, new RtspClientOptions { Receiver = source });
        var sdp = await player.DescribeAsync();
        await player.SetupAsync();
        await player.PlayAsync();
        // Enough packets for well over 20 access units: a CI run got 19 out of 150 packets (large frames).
        await source.WaitForRtpAsync(400, s_wait);
        await player.TeardownAsync();
        var packets = source.Rtp.Select(p => p.Packet).ToList();
        Assert.True(packets.Count >= 400);

        var before = server.RecordedBuffers;
        await using var publisher = await RtspClient.ConnectAsync(server.RecordUrl, new RtspClientOptions { Transport = transport });
        await publisher.AnnounceAsync(sdp);
        await publisher.SetupAsync();
        Assert.Equal("RECORD", publisher.Media[0].Transport!.Mode);
        await publisher.RecordAsync();
        foreach (var packet in packets)
        {
            await publisher.SendRtpAsync(0, packet);
            if (transport == RtspClientTransport.Udp)
            {
                await Task.Delay(1); // pace UDP a little so the loopback socket buffer keeps up
            }
        }

        await server.WaitForRecordedAsync(before + 20, s_wait);
        Assert.True(server.RecordedBuffers >= before + 20, $"gst-rtsp-server depayloaded {server.RecordedBuffers - before} buffers; output:\n{server.Output}");
        await publisher.TeardownAsync();
    }
}
