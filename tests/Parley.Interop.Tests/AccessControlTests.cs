using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Parley.Hub.Auth;
using Parley.Hub.Configuration;
using Parley.Interop.Tests.Infrastructure;
using Parley.Security.Auth;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// Access control with real clients. Loopback trust is switched off so 127.0.0.1 must authenticate like any
/// remote address: ffmpeg and GStreamer with user and password in RTSP (Digest), HTTP players with Basic, room
/// sockets with join tokens, the address allow-list, and a flood of bad logins and slow requests that a
/// playing reader does not notice.
/// </summary>
public sealed class AccessControlTests(ITestOutputHelper output)
{
    private const string CamPassword = "cam-secret-1";
    private const string ViewerPassword = "viewer-secret-2";

    private Task<TestHub> StartHubAsync(Action<HubOptions>? more = null) => TestHub.StartAsync(output, o =>
    {
        o.Auth.TrustLoopback = false;
        o.Auth.Users =
        [
            HubAuthorizer.NewUser("cam", CamPassword, withDigest: true, new Dictionary<AccessAction, IReadOnlyList<string>>
            {
                [AccessAction.Publish] = ["cam*"],
            }),
            HubAuthorizer.NewUser("viewer", ViewerPassword, withDigest: true, new Dictionary<AccessAction, IReadOnlyList<string>>
            {
                [AccessAction.Read] = ["*"],
            }),
        ];
        more?.Invoke(o);
    });

    private static string UrlWith(TestHub hub, string user, string password, string path) =>
        $"rtsp://{user}:{password}@127.0.0.1:{hub.Port}/{path}";

    private static ExternalProcess PublishVideo(string url, bool loop = false)
    {
        var args = new List<string> { "-v", "warning", "-nostdin", "-re" };
        if (loop)
        {
            args.AddRange(["-stream_loop", "-1"]);
        }

        args.AddRange(["-i", TestPaths.Media("presenter-720p.mp4"), "-map", "0:v", "-c:v", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url]);
        return ExternalProcess.Start("ffmpeg", [.. args]);
    }

    [Fact]
    public async Task Ffmpeg_publishes_and_reads_with_its_password_and_a_wrong_password_gets_401_and_a_warning_with_the_address()
    {
        await using var hub = await StartHubAsync();
        await using var publisher = PublishVideo(UrlWith(hub, "cam", CamPassword, "cam1"), loop: true);
        await hub.WaitForStreamAsync("cam1", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        await using (var probe = ExternalProcess.Start("ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name",
            "-of", "csv=p=0", UrlWith(hub, "viewer", ViewerPassword, "cam1")))
        {
            Assert.Equal(0, await probe.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("h264", probe.StandardOutput, StringComparison.Ordinal);
        }

        await using (var wrong = ExternalProcess.Start("ffprobe", "-v", "error", "-rtsp_transport", "tcp", UrlWith(hub, "viewer", "guess", "cam1")))
        {
            Assert.NotEqual(0, await wrong.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            output.WriteLine(wrong.StandardError);
            Assert.Contains("401", wrong.StandardError, StringComparison.Ordinal);
        }

        Assert.Contains(hub.Log.Lines, l => l.Contains("login failed from 127.0.0.1", StringComparison.Ordinal) && l.Contains("'viewer'", StringComparison.Ordinal));

        // No credentials at all: 401 with both challenges; a reader may not publish: 403.
        using (var c = await RawRtspConnection.OpenAsync(hub.Port))
        {
            await c.SendAsync($"DESCRIBE {hub.Url("cam1")} RTSP/1.0\r\nCSeq: 1\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(401, r?.Status);
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"viewer:{ViewerPassword}"));
            string sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
            await c.SendAsync($"ANNOUNCE {hub.Url("cam2")} RTSP/1.0\r\nCSeq: 2\r\nAuthorization: Basic {basic}\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}");
            var refused = await c.ReadResponseAsync();
            Assert.Equal(403, refused?.Status);
            Assert.Contains("may not publish", refused!.Header("X-Parley-Error"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_replayed_digest_answer_is_refused_with_stale_and_a_rising_nonce_count_is_accepted()
    {
        await using var hub = await StartHubAsync();
        string url = hub.Url("cam1");
        string challenge;
        using (var c = await RawRtspConnection.OpenAsync(hub.Port))
        {
            await c.SendAsync($"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(401, r?.Status);
            challenge = r!.Header("WWW-Authenticate")!;
        }

        output.WriteLine(challenge);
        var nonce = System.Text.RegularExpressions.Regex.Match(challenge, "nonce=\"([0-9a-f]+)\"");
        Assert.True(nonce.Success, challenge);
        Assert.Contains("qop=\"auth\"", challenge, StringComparison.Ordinal);

        // A Digest answer (RFC 7616 §3.4.1, qop=auth) computed as a client holding the password would.
#pragma warning disable CA5351 // RFC 2617 Digest is defined with MD5.
        static string Md5(string text) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
        string Answer(string nc)
        {
            string ha1 = Md5($"viewer:{HubAuthorizer.Realm}:{ViewerPassword}");
            string response = Md5($"{ha1}:{nonce.Groups[1].Value}:{nc}:0a4f113b:auth:{Md5($"DESCRIBE:{url}")}");
            return $"Digest username=\"viewer\", realm=\"{HubAuthorizer.Realm}\", nonce=\"{nonce.Groups[1].Value}\", uri=\"{url}\", " +
                $"qop=auth, nc={nc}, cnonce=\"0a4f113b\", response=\"{response}\", algorithm=MD5";
        }

        async Task<RawResponse?> DescribeAsync(string authorization)
        {
            using var c = await RawRtspConnection.OpenAsync(hub.Port);
            await c.SendAsync($"DESCRIBE {url} RTSP/1.0\r\nCSeq: 2\r\nAuthorization: {authorization}\r\n\r\n");
            return await c.ReadResponseAsync();
        }

        // No stream on cam1: an authorized DESCRIBE gets 404, a refused one 401.
        Assert.Equal(404, (await DescribeAsync(Answer("00000001")))?.Status);
        var replay = await DescribeAsync(Answer("00000001"));
        Assert.Equal(401, replay?.Status);
        Assert.Contains("stale=TRUE", replay!.Header("WWW-Authenticate"), StringComparison.Ordinal);
        Assert.Contains("nonce count did not increase", replay.Header("X-Parley-Error"), StringComparison.Ordinal);
        Assert.Contains(hub.Log.Lines, l => l.Contains("127.0.0.1 refused: Digest nonce count 00000001 of user 'viewer' did not increase", StringComparison.Ordinal));
        Assert.Equal(404, (await DescribeAsync(Answer("00000002")))?.Status);
        Assert.Equal(401, (await DescribeAsync(Answer("00000002")))?.Status);
    }

    [Fact]
    public async Task Gstreamer_rtspsrc_reads_with_user_id_and_user_pw_and_fails_with_a_wrong_one()
    {
        await using var hub = await StartHubAsync();
        await using var publisher = PublishVideo(UrlWith(hub, "cam", CamPassword, "cam1"), loop: true);
        await hub.WaitForStreamAsync("cam1", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        await using (var gst = GstLaunch.Start("rtspsrc", $"location={hub.Url("cam1")}", "user-id=viewer",
            $"user-pw={ViewerPassword}", "protocols=tcp", "!", "fakesink", "num-buffers=60"))
        {
            await GstLaunch.AssertReachesEosAsync(gst, TimeSpan.FromSeconds(30), output);
        }

        await using (var gst = ExternalProcess.Start("gst-launch-1.0", "-q", "rtspsrc", $"location={hub.Url("cam1")}", "user-id=viewer",
            "user-pw=wrong", "protocols=tcp", "!", "fakesink", "num-buffers=60"))
        {
            Assert.NotEqual(0, await gst.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(ExternalProcess.Tail(gst.StandardError + gst.StandardOutput, 5));
        }
    }

    [Fact]
    public async Task Http_players_and_the_api_need_read_permission_and_pages_carry_security_headers()
    {
        await using var hub = await StartHubAsync();
        await using var publisher = PublishVideo(UrlWith(hub, "cam", CamPassword, "cam1"), loop: true);
        await hub.WaitForStreamAsync("cam1", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        string origin = $"http://127.0.0.1:{hub.HttpPort}";
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"viewer:{ViewerPassword}")));
        using var http = new HttpClient();

        using (var page = await http.GetAsync(origin + "/cam1"))
        {
            // The page itself loads; what it fetches is protected.
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
            string csp = page.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'self'", csp, StringComparison.Ordinal);
        }

        using (var anonymous = await http.GetAsync(origin + "/api/streams"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, origin + "/api/streams") { Headers = { Authorization = basic } })
        using (var allowed = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Contains("\"cam1\"", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The WebSocket player: refused without credentials, plays with Basic.
        using (var refused = new ClientWebSocket())
        {
            refused.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(new Uri($"ws://127.0.0.1:{hub.HttpPort}/cam1/ws"), CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.HttpStatusCode);
        }

        using var player = new ClientWebSocket();
        player.Options.SetRequestHeader("Authorization", basic.ToString());
        await player.ConnectAsync(new Uri($"ws://127.0.0.1:{hub.HttpPort}/cam1/ws"), CancellationToken.None);
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var hello = await player.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, hello.MessageType);
        int binary = 0;
        while (binary < 5)
        {
            var message = await player.ReceiveAsync(buffer, timeout.Token);
            binary += message.MessageType == WebSocketMessageType.Binary && message.EndOfMessage ? 1 : 0;
        }
    }

    [Fact]
    public async Task A_room_join_token_lets_its_holder_in_under_its_name_and_expired_or_tampered_tokens_are_refused_with_a_reason()
    {
        await using var hub = await StartHubAsync();
        var tokens = hub.Host.Auth!.Tokens;
        string valid = tokens.Issue(new JoinToken("team", "Alice", ["join"], DateTimeOffset.UtcNow.AddHours(1)));
        string expired = tokens.Issue(new JoinToken("team", "Alice", ["join"], DateTimeOffset.UtcNow.AddMinutes(-5)));
        string tampered = valid[..^3] + (valid[^3] == 'A' ? "B" : "A") + valid[^2..];
        string otherRoom = tokens.Issue(new JoinToken("elsewhere", null, ["join"], DateTimeOffset.UtcNow.AddHours(1)));

        await using (var client = await RawRoomClient.ConnectAsync(hub.HttpPort, "team", "token=" + Uri.EscapeDataString(valid)))
        {
            await client.SendAsync(new { type = "join", name = "Mallory" });
            var welcome = await client.WaitForAsync("welcome", TimeSpan.FromSeconds(10));
            Assert.Contains("Alice", welcome.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("Mallory", welcome.ToString(), StringComparison.Ordinal);

            // The token grants join only: chat is refused.
            await client.SendAsync(new { type = "chat", text = "hello", id = "1" });
            var error = await client.WaitForAsync("error", TimeSpan.FromSeconds(10));
            Assert.Contains("not-allowed", error.ToString(), StringComparison.Ordinal);
        }

        foreach (var (token, expectedStatus, reason) in new[]
        {
            (expired, HttpStatusCode.Unauthorized, "expired"),
            (tampered, HttpStatusCode.Unauthorized, "signature"),
            (otherRoom, HttpStatusCode.Forbidden, "may not join 'team'"),
        })
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() =>
                socket.ConnectAsync(new Uri($"ws://localhost:{hub.HttpPort}/r/team/ws?token={Uri.EscapeDataString(token)}"), CancellationToken.None));
            Assert.Equal(expectedStatus, socket.HttpStatusCode);
            string header = string.Join(" ", socket.HttpResponseHeaders!["X-Parley-Error"]);
            output.WriteLine($"{expectedStatus}: {header}");
            Assert.Contains(reason, header, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_allow_list_refuses_addresses_outside_it_even_on_loopback()
    {
        await using var hub = await StartHubAsync(o =>
        {
            o.Auth.TrustLoopback = true;
            o.Auth.AllowFrom = [IPNetwork.Parse("10.0.0.0/8")];
        });

        using (var c = await RawRtspConnection.OpenAsync(hub.Port))
        {
            await c.SendAsync($"DESCRIBE {hub.Url("cam1")} RTSP/1.0\r\nCSeq: 1\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(403, r?.Status);
            Assert.Contains("allowFrom", r!.Header("X-Parley-Error"), StringComparison.Ordinal);
        }

        using var http = new HttpClient();
        using var api = await http.GetAsync($"http://127.0.0.1:{hub.HttpPort}/api/streams");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains(hub.Log.Lines, l => l.Contains("127.0.0.1 refused: the address is not in auth.allowFrom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_flood_of_bad_logins_and_slow_requests_leaves_a_playing_reader_without_loss()
    {
        string dir = TestPaths.NewTempDirectory();
        string sourcePath = TestPaths.Media("presenter-720p.mp4");
        var sourceTask = FrameHashes.OfSourceAsync(sourcePath, dir);
        await using var hub = await StartHubAsync();
        await using var publisher = PublishVideo(UrlWith(hub, "cam", CamPassword, "cam-live"));
        var stream = await hub.WaitForStreamAsync("cam-live", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        string received = Path.Combine(dir, "received.framemd5");
        await using var reader = ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-y", "-rtsp_transport", "tcp",
            "-i", UrlWith(hub, "viewer", ViewerPassword, "cam-live"), "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", received);
        // The reader logs in before the flood locks its address out; once playing it needs no further login.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (stream.ReaderCount == 0 && DateTime.UtcNow < deadline && !reader.HasExited)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, stream.ReaderCount);

        // 50 slow-loris connections, half on RTSP and half on HTTP, each sending its request a byte at a time.
        using var stop = new CancellationTokenSource();
        var slow = Enumerable.Range(0, 50).Select(i => SlowLorisAsync(i % 2 == 0 ? hub.Port : hub.HttpPort, i % 2 == 0, stop.Token)).ToList();

        // 200 bad logins from four concurrent clients: 401 until the address is locked out, then 403 without a password check.
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            using var c = await RawRtspConnection.OpenAsync(hub.Port);
            for (int i = 0; i < 50; i++)
            {
                string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"viewer:guess-{worker}-{i}"));
                await c.SendAsync($"DESCRIBE {hub.Url("cam-live")} RTSP/1.0\r\nCSeq: {i + 1}\r\nAuthorization: Basic {basic}\r\n\r\n");
                statuses.Add((await c.ReadResponseAsync(TimeSpan.FromSeconds(10)))?.Status ?? 0);
            }
        }));
        output.WriteLine($"bad logins: {statuses.Count(s => s == 401)} x 401, {statuses.Count(s => s == 403)} x 403");
        Assert.Equal(200, statuses.Count);
        Assert.All(statuses, s => Assert.True(s is 401 or 403, $"status {s}"));
        Assert.True(statuses.Count(s => s == 403) >= 150, "the address was not locked out");
        Assert.Contains(hub.Log.Lines, l => l.Contains("login failed from 127.0.0.1", StringComparison.Ordinal) && l.Contains("locked out", StringComparison.Ordinal));

        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await reader.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        // The hub closes slow requests on its own: HTTP after the 10 s header timeout, RTSP after the 15 s idle timeout.
        var closedBy = await Task.WhenAll(slow.Select(t => t.WaitAsync(TimeSpan.FromSeconds(30))));
        await stop.CancelAsync();
        Assert.All(closedBy, closed => Assert.True(closed, "a slow-loris connection was not closed by the hub"));

        var source = await sourceTask;
        var frames = FrameHashes.Read(received);
        int start = FrameHashes.FindStart(source, frames);
        Assert.True(start >= 0);
        var (matched, missing, foreign) = FrameHashes.CompareInOrder(source, start, frames);
        output.WriteLine($"reader: {frames.Count} frames from source frame {start}; missing {missing}, foreign {foreign}");
        Assert.Equal((0, 0), (missing, foreign));
        Assert.Equal(source.Count - start, matched);
    }

    // Sends a never-ending request header a byte every 200 ms; true when the server closed the connection.
    private static async Task<bool> SlowLorisAsync(int port, bool rtsp, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, stop);
        byte[] request = Encoding.ASCII.GetBytes(rtsp
            ? $"DESCRIBE rtsp://127.0.0.1:{port}/live RTSP/1.0\r\nCSeq: 1\r\n"
            : "GET /api/streams HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        var filler = Encoding.ASCII.GetBytes("X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        byte[] one = new byte[1];
        try
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                one[0] = i < request.Length ? request[i] : filler[(i - request.Length) % filler.Length];
                await socket.SendAsync(one, SocketFlags.None, stop);
                await Task.Delay(200, stop);
                if (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return false;
    }
}
