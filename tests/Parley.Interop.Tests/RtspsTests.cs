using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Parley.Hub.Configuration;
using Parley.Hub.Tls;
using Parley.Interop.Tests.Infrastructure;
using Parley.Rtsp.Client;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// Encrypted transport with real peers: ffmpeg reads RTSPS with TCP-interleaved media, GStreamer's rtspsrc plays
/// RTSPS with SRTP over UDP keyed by the SDP's MIKEY, and HTTPS serves the API under the hub certificate, whose
/// pinned fingerprint survives a restart.
/// </summary>
public sealed class RtspsTests(ITestOutputHelper output)
{
    private static readonly string Source = TestPaths.Media("presenter-720p.mp4");

    private static Action<HubOptions> WithTls(string certificatePath) => options =>
    {
        options.Rtsp.Tls = true;
        options.Rtsp.TlsPort = 0;
        options.Http.Tls = true;
        options.Http.TlsPort = 0;
        options.Tls.GeneratedCertificate = certificatePath;
    };

    private static string Rtsps(TestHub hub, string path) => $"rtsps://127.0.0.1:{hub.Host.Rtsp.TlsPort}/{path}";

    [Fact]
    public async Task Ffmpeg_reads_rtsps_with_tcp_interleaved_media_and_gets_the_source_frames()
    {
        string dir = TestPaths.NewTempDirectory();
        var sourceTask = FrameHashes.OfSourceAsync(Source, dir);
        await using var hub = await TestHub.StartAsync(output, WithTls(Path.Combine(dir, "tls.pfx")));
        await using var publisher = FfmpegRelayTests.Publish(hub, "secure", "tcp");
        await hub.WaitForStreamAsync("secure", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        string received = Path.Combine(dir, "received.framemd5");
        await using var reader = ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-y",
            "-rtsp_transport", "tcp", "-i", Rtsps(hub, "secure"), "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", received);

        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        int readerExit = await reader.WaitForExitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine("reader stderr: " + ExternalProcess.Tail(reader.StandardError));
        Assert.Equal(0, readerExit);

        var source = await sourceTask;
        var frames = FrameHashes.Read(received);
        int start = FrameHashes.FindStart(source, frames);
        Assert.True(start >= 0, "the first received frame is not a source frame");
        var (matched, missing, foreign) = FrameHashes.CompareInOrder(source, start, frames);
        output.WriteLine($"source {source.Count}, received {frames.Count} from {start}: matched {matched}, missing {missing}, foreign {foreign}");
        Assert.Equal(0, foreign);
        Assert.Equal(0, missing);
        Assert.Equal(source.Count - start, matched);
    }

    [Fact]
    public async Task Gstreamer_plays_rtsps_with_srtp_over_udp_and_the_wire_carries_srtp()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, WithTls(Path.Combine(dir, "tls.pfx")));
        await using var publisher = ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-re", "-stream_loop", "-1",
            "-i", Source, "-map", "0:v", "-c:v", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", hub.Url("cam"));
        await hub.WaitForStreamAsync("cam", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        // Our client, to look at the SDP and the datagrams: every packet must authenticate under the MIKEY key
        // (an 80-bit HMAC tag that plain RTP cannot carry) before it counts.
        var counter = new CountingReceiver();
        await using (var client = await RtspClient.ConnectAsync(Rtsps(hub, "cam"), new RtspClientOptions
        {
            Transport = RtspClientTransport.Udp,
            Receiver = counter,
            ServerCertificateValidation = (_, certificate, _, _) =>
                certificate is not null && HubCertificate.Fingerprint(new X509Certificate2(certificate)) == HubCertificate.Fingerprint(hub.Host.Certificate!),
        }))
        {
            var sdp = await client.DescribeAsync();
            Assert.Equal("RTP/SAVP", sdp.Media[0].Protocol);
            Assert.StartsWith("mikey ", sdp.Media[0].Attributes.Get("key-mgmt"), StringComparison.Ordinal);
            await client.SetupAsync();
            Assert.Equal("RTP/SAVP", client.Media[0].Transport!.Profile);
            await client.PlayAsync();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (counter.Rtp < 200 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            output.WriteLine($"client: {counter.Rtp} RTP packets authenticated, {client.Media[0].SrtpFailures} failures");
            Assert.True(counter.Rtp >= 200, $"only {counter.Rtp} SRTP packets authenticated");
            Assert.Equal(0, client.Media[0].SrtpFailures);
        }

        string yuv = Path.Combine(dir, "frames.i420");
        const int Frames = 30;
        await using var gst = GstLaunch.Start(
            "rtspsrc", $"location={Rtsps(hub, "cam")}", "tls-validation-flags=0", "protocols=udp", "latency=300",
            "!", "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!", "videoconvert", "!", "video/x-raw,format=I420",
            "!", "identity", $"eos-after={Frames}", "!", "filesink", $"location={yuv}");
        await GstLaunch.AssertReachesEosAsync(gst, TimeSpan.FromSeconds(40), output);
        // identity posts EOS on the Nth buffer instead of passing it on: N - 1 whole 720p I420 frames reach the file.
        const long FrameBytes = 1280L * 720 * 3 / 2;
        long length = new FileInfo(yuv).Length;
        Assert.Equal(0, length % FrameBytes);
        Assert.True(length / FrameBytes >= Frames - 1, $"GStreamer decoded {length / FrameBytes} frames");
    }

    [Fact]
    public async Task Https_serves_the_api_to_a_client_pinning_the_fingerprint_and_the_certificate_survives_a_restart()
    {
        string dir = TestPaths.NewTempDirectory();
        string certificate = Path.Combine(dir, "tls.pfx");
        string fingerprint;
        await using (var hub = await TestHub.StartAsync(output, WithTls(certificate)))
        {
            fingerprint = HubCertificate.Fingerprint(hub.Host.Certificate!);
            Assert.Contains(hub.Log.Lines, line => line.Contains(fingerprint, StringComparison.Ordinal));
            using var http = PinnedClient(fingerprint);
            var body = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"https://localhost:{hub.Host.Web!.TlsPort}/api/streams");
            Assert.Equal(System.Text.Json.JsonValueKind.Array, body.GetProperty("streams").ValueKind);

            using var wrongPin = PinnedClient(new string('0', fingerprint.Length));
            await Assert.ThrowsAsync<HttpRequestException>(() => wrongPin.GetStringAsync($"https://localhost:{hub.Host.Web!.TlsPort}/api/streams"));
        }

        Assert.True(File.Exists(certificate));
        await using (var restarted = await TestHub.StartAsync(output, WithTls(certificate)))
        {
            Assert.Equal(fingerprint, HubCertificate.Fingerprint(restarted.Host.Certificate!));
            using var http = PinnedClient(fingerprint);
            Assert.Contains("streams", await http.GetStringAsync($"https://localhost:{restarted.Host.Web!.TlsPort}/api/streams"), StringComparison.Ordinal);
        }
    }

    private static HttpClient PinnedClient(string fingerprint) => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            certificate is not null && string.Equals(HubCertificate.Fingerprint(certificate), fingerprint, StringComparison.Ordinal),
    });

    internal sealed class CountingReceiver : IRtspMediaReceiver
    {
        private long _rtp;

        public long Rtp => Interlocked.Read(ref _rtp);

        public void OnRtp(int mediaIndex, ReadOnlySpan<byte> packet)
        {
            if (Parley.Rtp.RtpPacketView.TryParse(packet, out _))
            {
                Interlocked.Increment(ref _rtp);
            }
        }

        public void OnRtcp(int mediaIndex, ReadOnlySpan<byte> packet)
        {
        }
    }
}
