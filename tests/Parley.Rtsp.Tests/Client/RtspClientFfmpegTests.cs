using System.Diagnostics;
using Parley.Rtsp.Client;

namespace Parley.Rtsp.Tests.Client;

/// <summary>The client publishing to ffmpeg 5.1 in RTSP listen mode, which decodes what arrives.</summary>
public class RtspClientFfmpegTests(GstRtspServerFixture server) : IClassFixture<GstRtspServerFixture>
{
    [Fact]
    public async Task Publishes_h264_that_ffmpeg_decodes()
    {
        // Take 3 s of live H.264 packets from the reference server.
        var source = new CollectingReceiver();
        await using (var player = await RtspClient.ConnectAsync(server.PlayUrl, new RtspClientOptions { Receiver = source }))
        {
            await player.DescribeAsync();
            await player.SetupAsync();
            await player.PlayAsync();
            await source.WaitForRtpAsync(300, TimeSpan.FromSeconds(20));
            await player.TeardownAsync();
            Assert.True(source.RtpCount >= 300);
            sdpText = player.Sdp!.ToString();
        }

        var port = GstRtspServerFixture.FreeTcpPort();
        var output = Path.Combine(Path.GetTempPath(), $"parley-rtsp-{Guid.NewGuid():N}.framemd5");
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            ["-hide_banner", "-nostdin", "-loglevel", "error", "-rtsp_flags", "listen", "-timeout", "20",
             "-i", $"rtsp://127.0.0.1:{port}/live", "-f", "framemd5", "-y", output])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        try
        {
            await using var publisher = await ConnectWhenListeningAsync($"rtsp://127.0.0.1:{port}/live");
            Assert.True(Parley.Rtp.Sdp.SdpSession.TryParse(sdpText, out var sdp, out _));
            await publisher.AnnounceAsync(sdp!);
            await publisher.SetupAsync();
            await publisher.RecordAsync();
            foreach (var (_, packet) in source.Rtp)
            {
                await publisher.SendRtpAsync(0, packet);
            }

            await Task.Delay(500);

            // ffmpeg's listener answers TEARDOWN with 501 (it only stops at end of stream), so just close.
        }
        finally
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await ffmpeg.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                ffmpeg.Kill();
            }
        }

        var frames = File.ReadAllLines(output).Count(l => !l.StartsWith('#'));
        File.Delete(output);
        Assert.True(frames >= 30, $"ffmpeg decoded {frames} frames; stderr:\n{await stderr}");
    }

    private string sdpText = string.Empty;

    private static async Task<RtspClient> ConnectWhenListeningAsync(string url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                return await RtspClient.ConnectAsync(url, new RtspClientOptions());
            }
            catch (RtspClientException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
