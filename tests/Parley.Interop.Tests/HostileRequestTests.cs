using System.Text;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// Malformed and hostile requests get the right status code, and neither the hub nor anyone else's session
/// notices: a real ffmpeg reader plays through all of it without losing a frame.
/// </summary>
public sealed class HostileRequestTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_wrong_request_gets_its_status_and_a_live_reader_loses_nothing()
    {
        string dir = TestPaths.NewTempDirectory();
        string sourcePath = TestPaths.Media("presenter-720p.mp4");
        var sourceTask = FrameHashes.OfSourceAsync(sourcePath, dir);
        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = FfmpegRelayTests.Publish(hub, "live", "tcp");
        await hub.WaitForStreamAsync("live", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        string received = Path.Combine(dir, "received.framemd5");
        await using var reader = ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-y",
            "-rtsp_transport", "tcp", "-i", hub.Url("live"), "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", received);
        string url = hub.Url("live");

        // Garbage bytes: 400, connection closed.
        using (var c = await RawRtspConnection.OpenAsync(hub.Port))
        {
            await c.SendAsync(Enumerable.Range(0, 2000).Select(i => (byte)(i * 7919 % 251)).ToArray());
            await c.SendAsync("\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(400, r?.Status);
            Assert.True(await c.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        }

        // Headers over 64 KiB, never terminated: 400 before the end arrives, connection closed.
        using (var c = await RawRtspConnection.OpenAsync(hub.Port))
        {
            var huge = new StringBuilder($"OPTIONS {url} RTSP/1.0\r\nCSeq: 1\r\n");
            while (huge.Length < 70 * 1024)
            {
                huge.Append("X-Filler: ").Append('a', 1000).Append("\r\n");
            }

            await c.SendAsync(huge.ToString());
            var r = await c.ReadResponseAsync();
            Assert.Equal(400, r?.Status);
        }

        // Unsupported version: 505.
        using (var c = await RawRtspConnection.OpenAsync(hub.Port))
        {
            await c.SendAsync($"OPTIONS {url} RTSP/2.0\r\nCSeq: 1\r\n\r\n");
            Assert.Equal(505, (await c.ReadResponseAsync())?.Status);
        }

        using (var c = await RawRtspConnection.OpenAsync(hub.Port))
        {
            // No CSeq: 400, and the connection stays usable.
            await c.SendAsync($"OPTIONS {url} RTSP/1.0\r\n\r\n");
            Assert.Equal(400, (await c.ReadResponseAsync())?.Status);

            await c.SendAsync($"OPTIONS {url} RTSP/1.0\r\nCSeq: 2\r\n\r\n");
            var options = await c.ReadResponseAsync();
            Assert.Equal(200, options?.Status);
            Assert.Contains("GET_PARAMETER", options!.Header("Public"), StringComparison.Ordinal);

            // Unknown method: 501.
            await c.SendAsync($"FROBNICATE {url} RTSP/1.0\r\nCSeq: 3\r\n\r\n");
            Assert.Equal(501, (await c.ReadResponseAsync())?.Status);

            // No such path: 404.
            await c.SendAsync($"DESCRIBE {hub.Url("nothing-here")} RTSP/1.0\r\nCSeq: 4\r\n\r\n");
            Assert.Equal(404, (await c.ReadResponseAsync())?.Status);

            // PLAY before SETUP: 455.
            await c.SendAsync($"PLAY {url} RTSP/1.0\r\nCSeq: 5\r\n\r\n");
            Assert.Equal(455, (await c.ReadResponseAsync())?.Status);

            // Unknown session: 454.
            await c.SendAsync($"PLAY {url} RTSP/1.0\r\nCSeq: 6\r\nSession: DEADBEEF\r\n\r\n");
            Assert.Equal(454, (await c.ReadResponseAsync())?.Status);

            // Transport we do not serve (multicast only, and a made-up profile): 461.
            await c.SendAsync($"SETUP {url}/trackID=0 RTSP/1.0\r\nCSeq: 7\r\nTransport: RTP/AVP;multicast,RTP/XYZ/UDP;unicast;client_port=5000-5001\r\n\r\n");
            Assert.Equal(461, (await c.ReadResponseAsync())?.Status);

            // No Transport header at all: 461.
            await c.SendAsync($"SETUP {url}/trackID=0 RTSP/1.0\r\nCSeq: 8\r\n\r\n");
            Assert.Equal(461, (await c.ReadResponseAsync())?.Status);

            // SETUP of the aggregate URL of a two-track stream: 459.
            await c.SendAsync($"SETUP {url} RTSP/1.0\r\nCSeq: 9\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
            Assert.Equal(459, (await c.ReadResponseAsync())?.Status);

            // A proper SETUP, then RECORD on a play session: 455; a second publisher on the path: 403.
            await c.SendAsync($"SETUP {url}/trackID=0 RTSP/1.0\r\nCSeq: 10\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
            var setup = await c.ReadResponseAsync();
            Assert.Equal(200, setup?.Status);
            string session = setup!.Header("Session")!.Split(';')[0];
            await c.SendAsync($"RECORD {url} RTSP/1.0\r\nCSeq: 11\r\nSession: {session}\r\n\r\n");
            Assert.Equal(455, (await c.ReadResponseAsync())?.Status);

            string sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n";
            await c.SendAsync($"ANNOUNCE {url} RTSP/1.0\r\nCSeq: 12\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}");
            Assert.Equal(403, (await c.ReadResponseAsync())?.Status);

            // ANNOUNCE with a body that is not SDP: 400.
            await c.SendAsync($"ANNOUNCE {hub.Url("other")} RTSP/1.0\r\nCSeq: 13\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nhello");
            Assert.Equal(400, (await c.ReadResponseAsync())?.Status);

            // TEARDOWN ends the session; the id is then unknown.
            await c.SendAsync($"TEARDOWN {url} RTSP/1.0\r\nCSeq: 14\r\nSession: {session}\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync())?.Status);
            await c.SendAsync($"GET_PARAMETER {url} RTSP/1.0\r\nCSeq: 15\r\nSession: {session}\r\n\r\n");
            Assert.Equal(454, (await c.ReadResponseAsync())?.Status);
        }

        Assert.True(hub.Host.Rtsp.MalformedRequests >= 3);
        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await reader.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var source = await sourceTask;
        var frames = FrameHashes.Read(received);
        int start = FrameHashes.FindStart(source, frames);
        Assert.True(start >= 0);
        var (matched, missing, foreign) = FrameHashes.CompareInOrder(source, start, frames);
        output.WriteLine($"reader: {frames.Count} frames from source frame {start}; missing {missing}, foreign {foreign}");
        Assert.Equal((0, 0), (missing, foreign));
        Assert.Equal(source.Count - start, matched);
    }
}
