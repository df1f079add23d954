using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Parley.Rtp.Sdp;
using Parley.Rtsp.Client;

namespace Parley.Rtsp.Tests.Client;

public class RtspClientLoopbackTests
{
    private const string Sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=test\r\nt=0 0\r\na=control:*\r\n" +
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n" +
        "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 opus/48000/2\r\na=control:trackID=1\r\n";

    private static RtspResponse Ok(RtspRequest request, string? session = "12345678")
    {
        var response = RtspResponse.Create(200, request.CSeq);
        switch (request.Method)
        {
            case RtspMethods.Describe:
                response.Headers.Add("Content-Type", "application/sdp");
                response.Headers.Add("Content-Base", request.Uri + "/");
                response.Body = Encoding.ASCII.GetBytes(Sdp);
                break;
            case RtspMethods.Setup:
                response.Headers.Add("Transport", request.Headers["Transport"]!);
                response.Headers.Add("Session", RtspHeaderValues.FormatSession(session!, 30));
                break;
            case RtspMethods.Play or RtspMethods.Record or RtspMethods.Teardown or RtspMethods.GetParameter:
                if (session is not null)
                {
                    response.Headers.Add("Session", session);
                }

                break;
        }

        return response;
    }

    [Fact]
    public async Task Publishes_over_tcp_and_frames_arrive_byte_exact()
    {
        await using var server = new FakeRtspServer(r => Ok(r));
        await using var client = await RtspClient.ConnectAsync(server.Url("live/pub"), new RtspClientOptions { UserAgent = "ParleyTest/1" });

        Assert.True(SdpSession.TryParse(Sdp.Replace("a=control:trackID=0\r\n", string.Empty, StringComparison.Ordinal), out var sdp, out _));
        await client.AnnounceAsync(sdp!);
        Assert.Null(sdp!.Media[0].Control); // caller's object untouched
        Assert.Equal("trackID=0", client.Sdp!.Media[0].Control);
        await client.SetupAsync();
        await client.RecordAsync();

        var sent = new List<byte[]>();
        for (var i = 0; i < 50; i++)
        {
            var packet = new byte[12 + (i * 37 % 1400)];
            RandomNumberGenerator.Fill(packet);
            packet[0] = 0x80;
            sent.Add(packet);
            await client.SendRtpAsync(i % 2, packet);
        }

        await client.SendRtcpAsync(1, new byte[] { 0x80, 200, 0, 0 });
        await client.TeardownAsync();

        var requests = server.Requests.ToList();
        Assert.Equal(["ANNOUNCE", "SETUP", "SETUP", "RECORD", "TEARDOWN"], requests.Select(r => r.Method));
        Assert.Equal([1, 2, 3, 4, 5], requests.Select(r => r.CSeq));
        Assert.All(requests, r => Assert.Equal("ParleyTest/1", r.Headers["User-Agent"]));
        Assert.Equal("application/sdp", requests[0].Headers["Content-Type"]);
        Assert.Contains("a=control:trackID=0", Encoding.UTF8.GetString(requests[0].Body.Span), StringComparison.Ordinal);
        Assert.Equal(server.Url("live/pub") + "/trackID=0", requests[1].Uri);
        Assert.Equal("RTP/AVP/TCP;unicast;interleaved=0-1;mode=record", requests[1].Headers["Transport"]);
        Assert.Equal("RTP/AVP/TCP;unicast;interleaved=2-3;mode=record", requests[2].Headers["Transport"]);
        Assert.Null(requests[1].Session);
        Assert.Equal("12345678", requests[2].Session);
        Assert.Equal("12345678", requests[3].Session);
        Assert.Equal(server.Url("live/pub"), requests[3].Uri);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (server.Frames.Count < 51 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var frames = server.Frames.ToList();
        Assert.Equal(51, frames.Count);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i % 2 == 0 ? 0 : 2, frames[i].Channel);
            Assert.Equal(sent[i], frames[i].Payload);
        }

        Assert.Equal(3, frames[50].Channel);
    }

    [Fact]
    public async Task Plays_over_tcp_and_routes_channels_to_media()
    {
        await using var server = new FakeRtspServer(r => Ok(r));
        var receiver = new CollectingReceiver();
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions { Receiver = receiver });
        await client.DescribeAsync();
        Assert.Equal(server.Url("cam") + "/", client.AggregateControlUrl);
        Assert.Equal(server.Url("cam") + "/trackID=1", client.Media[1].ControlUrl);
        await client.SetupAsync();
        await client.PlayAsync();

        await server.SendFrameAsync(0, [0x80, 96, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        await server.SendFrameAsync(3, [0x80, 201, 0, 1, 9, 9, 9, 9]);
        await server.SendFrameAsync(9, [1, 2, 3]); // unknown channel: ignored
        await server.SendFrameAsync(2, [0x80, 97, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        await receiver.WaitForRtpAsync(2, TimeSpan.FromSeconds(5));

        Assert.Equal([0, 1], receiver.Rtp.Select(p => p.Media));
        Assert.Equal(96, receiver.Rtp[0].Packet[1]);
        var rtcp = Assert.Single(receiver.Rtcp);
        Assert.Equal(1, rtcp.Media);
        Assert.Equal(1, client.UnknownChannelFrames);
        Assert.Equal(["DESCRIBE", "SETUP", "SETUP", "PLAY"], server.Requests.Select(r => r.Method));
        Assert.Equal("npt=0.000-", server.Requests.Last().Headers["Range"]);
    }

    [Fact]
    public async Task Server_requests_are_answered_and_do_not_disturb_responses()
    {
        await using var server = new FakeRtspServer(r => r.Method == RtspMethods.Options ? null : Ok(r));
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions());
        await client.DescribeAsync();
        await server.SendRawAsync(Encoding.ASCII.GetBytes("OPTIONS * RTSP/1.0\r\nCSeq: 100\r\n\r\nANNOUNCE rtsp://x/ RTSP/1.0\r\nCSeq: 101\r\n\r\n"));
        await client.SetupAsync(0);
        Assert.True(client.Media[0].IsSetUp);
        Assert.False(client.Media[1].IsSetUp);

        // The SETUP may overtake the client's answers on the wire: the client reads the pushed requests
        // only once they arrive, while SETUP goes out at once. Wait for both answers to reach the server.
        await server.WaitForResponsesAsync(2, TimeSpan.FromSeconds(5));
        var answers = server.Responses.ToList();
        Assert.Equal([(200, (int?)100), (501, (int?)101)], answers.Select(a => (a.StatusCode, a.CSeq)));
    }

    [Fact]
    public async Task Non_2xx_raises_with_status_and_hint()
    {
        await using var server = new FakeRtspServer(r => r.Method == RtspMethods.Setup ? RtspResponse.Create(461, r.CSeq) : Ok(r));
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions());
        await client.DescribeAsync();
        var ex = await Assert.ThrowsAsync<RtspClientException>(() => client.SetupAsync());
        Assert.Equal(461, ex.StatusCode);
        Assert.Contains("461 Unsupported Transport", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RtspClientTransport", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Methods_used_out_of_order_explain_what_to_do()
    {
        await using var server = new FakeRtspServer(r => Ok(r));
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions());
        var setup = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SetupAsync());
        Assert.Contains("DescribeAsync", setup.Message, StringComparison.Ordinal);
        await client.DescribeAsync();
        var play = await Assert.ThrowsAsync<InvalidOperationException>(() => client.PlayAsync());
        Assert.Contains("SetupAsync", play.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendRtpAsync(0, new byte[12]).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SetupAsync(5));
    }

    [Fact]
    public async Task Timeout_without_response_raises()
    {
        await using var server = new FakeRtspServer(_ => null);
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        var ex = await Assert.ThrowsAsync<RtspClientException>(() => client.OptionsAsync());
        Assert.Equal(0, ex.StatusCode);
        Assert.Contains("no response", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_closed_by_server_fails_pending_and_later_requests()
    {
        FakeRtspServer? serverRef = null;
        await using var server = new FakeRtspServer(_ =>
        {
            serverRef!.Drop();
            return null;
        });
        serverRef = server;
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions());
        var ex = await Assert.ThrowsAsync<RtspClientException>(() => client.OptionsAsync());
        Assert.Contains("closed", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RtspClientException>(() => client.Completion);
        await Assert.ThrowsAsync<RtspClientException>(() => client.OptionsAsync());
    }

    [Fact]
    public async Task Invalid_server_bytes_fail_the_connection()
    {
        FakeRtspServer? serverRef = null;
        await using var server = new FakeRtspServer(request =>
        {
            _ = serverRef!.SendRawAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\n"));
            return null;
        });
        serverRef = server;
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions());
        var ex = await Assert.ThrowsAsync<RtspClientException>(() => client.OptionsAsync());
        Assert.Contains("invalid RTSP", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_refused_raises_with_clear_message()
    {
        var port = GstRtspServerFixture.FreeTcpPort();
        var ex = await Assert.ThrowsAsync<RtspClientException>(() => RtspClient.ConnectAsync($"rtsp://127.0.0.1:{port}/x", new RtspClientOptions()));
        Assert.Equal(0, ex.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => RtspClient.ConnectAsync("http://h/x", new RtspClientOptions()));
    }

    [Fact]
    public async Task Receiver_exceptions_do_not_break_the_connection()
    {
        await using var server = new FakeRtspServer(r => Ok(r));
        var receiver = new CollectingReceiver();
        var calls = 0;
        receiver.OnRtpCopy = (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("boom");
            }
        };
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions { Receiver = receiver });
        await client.DescribeAsync();
        await client.SetupAsync();
        await client.PlayAsync();
        await server.SendFrameAsync(0, new byte[12]);
        await server.SendFrameAsync(0, new byte[12]);
        await receiver.WaitForRtpAsync(2, TimeSpan.FromSeconds(5));
        Assert.Equal(2, receiver.RtpCount);
        await client.TeardownAsync();
    }

    [Fact]
    public async Task Digest_challenge_is_answered_per_rfc_2617()
    {
        const string nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
        await using var server = new FakeRtspServer(r =>
        {
            if (r.Headers["Authorization"] is null)
            {
                var challenge = RtspResponse.Create(401, r.CSeq);
                challenge.Headers.Add("WWW-Authenticate", "Basic realm=\"cam\"");
                challenge.Headers.Add("WWW-Authenticate", $"Digest realm=\"cam\", nonce=\"{nonce}\"");
                return challenge;
            }

            return Ok(r);
        });
        await using var client = await RtspClient.ConnectAsync($"rtsp://ad%40min:s3cret@127.0.0.1:{server.Port}/cam", new RtspClientOptions());
        Assert.Equal(server.Url("cam"), client.Url);
        await client.DescribeAsync();
        await client.SetupAsync(0);

        var requests = server.Requests.ToList();
        Assert.Equal(["DESCRIBE", "DESCRIBE", "SETUP"], requests.Select(r => r.Method));
        Assert.Equal([1, 2, 3], requests.Select(r => r.CSeq));
        var ha1 = Md5("ad@min:cam:s3cret");
        var expected = Md5($"{ha1}:{nonce}:{Md5("DESCRIBE:" + server.Url("cam"))}");
        Assert.Equal(
            $"Digest username=\"ad@min\", realm=\"cam\", nonce=\"{nonce}\", uri=\"{server.Url("cam")}\", response=\"{expected}\"",
            requests[1].Headers["Authorization"]);
        Assert.StartsWith("Digest ", requests[2].Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_challenge_is_answered()
    {
        await using var server = new FakeRtspServer(r =>
        {
            if (r.Headers["Authorization"] != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")))
            {
                var challenge = RtspResponse.Create(401, r.CSeq);
                challenge.Headers.Add("WWW-Authenticate", "Basic realm=\"x\"");
                return challenge;
            }

            return Ok(r);
        });
        await using var client = await RtspClient.ConnectAsync($"rtsp://u:p@127.0.0.1:{server.Port}/cam", new RtspClientOptions());
        await client.DescribeAsync();
    }

    [Fact]
    public async Task Wrong_credentials_raise_401()
    {
        await using var server = new FakeRtspServer(r =>
        {
            var challenge = RtspResponse.Create(401, r.CSeq);
            challenge.Headers.Add("WWW-Authenticate", "Digest realm=\"cam\", nonce=\"abc\", qop=\"auth\", opaque=\"xyz\"");
            return challenge;
        });
        await using var client = await RtspClient.ConnectAsync($"rtsp://u:bad@127.0.0.1:{server.Port}/cam", new RtspClientOptions());
        var ex = await Assert.ThrowsAsync<RtspClientException>(() => client.DescribeAsync());
        Assert.Equal(401, ex.StatusCode);
        var retry = server.Requests.Last().Headers["Authorization"]!;
        Assert.Contains("qop=auth, nc=00000001, cnonce=", retry, StringComparison.Ordinal);
        Assert.Contains("opaque=\"xyz\"", retry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Udp_setup_binds_even_odd_pairs_and_sends_to_server_ports()
    {
        using var serverRtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        serverRtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var serverPort = ((IPEndPoint)serverRtp.LocalEndPoint!).Port;
        await using var server = new FakeRtspServer(r =>
        {
            if (r.Method != RtspMethods.Setup)
            {
                return Ok(r);
            }

            Assert.True(RtspTransport.TryParse(r.Headers["Transport"]!, out var t));
            t!.ServerPort = (serverPort, serverPort + 1);
            var response = RtspResponse.Create(200, r.CSeq);
            response.Headers.Add("Transport", t.ToString());
            response.Headers.Add("Session", "udpsession;timeout=20");
            return response;
        });
        var receiver = new CollectingReceiver();
        await using var client = await RtspClient.ConnectAsync(server.Url("cam"), new RtspClientOptions { Transport = RtspClientTransport.Udp, Receiver = receiver });
        await client.DescribeAsync();
        await client.SetupAsync();
        Assert.Equal(TimeSpan.FromSeconds(20), client.SessionTimeout);
        var setups = server.Requests.Where(r => r.Method == RtspMethods.Setup).ToList();
        foreach (var (media, setup) in client.Media.Zip(setups))
        {
            var requested = RtspTransport.ParseList(setup.Headers["Transport"]!).Single();
            Assert.False(requested.IsTcp);
            Assert.Equal(media.LocalRtpEndPoint!.Port, requested.ClientPort!.Value.Rtp);
            Assert.Equal(0, requested.ClientPort.Value.Rtp % 2);
            Assert.Equal(requested.ClientPort.Value.Rtp + 1, requested.ClientPort.Value.Rtcp);
        }

        await client.PlayAsync();

        // Media from the "server" reaches the receiver with the right index.
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await sender.SendToAsync(new byte[] { 0x80, 97, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1 }, client.Media[1].LocalRtpEndPoint!);
        await receiver.WaitForRtpAsync(1, TimeSpan.FromSeconds(5));
        Assert.Equal(1, Assert.Single(receiver.Rtp).Media);

        // The client's hole-punch packet and then our packet arrive at the server's RTP port.
        byte[] packet = [0x80, 96, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 42];
        await client.SendRtpAsync(0, packet);
        var buffer = new byte[2048];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = new List<byte[]>();
        while (!received.Any(p => p.AsSpan().SequenceEqual(packet)))
        {
            var n = await serverRtp.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            received.Add(buffer[..n]);
        }

        Assert.Contains(received, p => p.AsSpan().SequenceEqual(packet));
    }

#pragma warning disable CA5351 // RFC 2617 Digest is defined with MD5.
    private static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));
#pragma warning restore CA5351
}
