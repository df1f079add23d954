using System.Security.Cryptography.X509Certificates;
using Parley.Hub.Configuration;
using Parley.Hub.Tls;
using Parley.Interop.Tests.Infrastructure;
using Parley.Rtsp.Client;
using Parley.Security.Mikey;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// rtsp.srtpKeys: perReader. Every RTSPS reader over UDP gets its own SRTP master key in its DESCRIBE's MIKEY, the
/// session it sets up is keyed with that one, and the fan-out encrypts each packet per reader: two of our clients
/// see different keys and both authenticate every packet under their own, and two GStreamer rtspsrc players decode
/// the stream at the same time.
/// </summary>
public sealed class SrtpPerReaderKeyTests(ITestOutputHelper output)
{
    private static readonly string Source = TestPaths.Media("presenter-720p.mp4");

    [Fact]
    public async Task Two_readers_get_different_keys_and_both_play()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, options =>
        {
            options.Rtsp.SrtpKeys = HubOptions.SrtpKeying.PerReader;
            options.Tls.GeneratedCertificate = Path.Combine(dir, "tls.pfx");
        });
        await using var publisher = ExternalProcess.Start("ffmpeg", "-v", "warning", "-nostdin", "-re", "-stream_loop", "-1",
            "-i", Source, "-map", "0:v", "-c:v", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", hub.Url("cam"));
        await hub.WaitForStreamAsync("cam", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        var first = await OpenAsync(hub);
        var second = await OpenAsync(hub);
        try
        {
            Assert.NotEqual(Convert.ToHexString(first.Key), Convert.ToHexString(second.Key));
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while ((first.Counter.Rtp < 200 || second.Counter.Rtp < 200) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            output.WriteLine($"first: {first.Counter.Rtp} packets authenticated, {first.Client.Media[0].SrtpFailures} failures; " +
                $"second: {second.Counter.Rtp}, {second.Client.Media[0].SrtpFailures}");
            Assert.True(first.Counter.Rtp >= 200, $"the first reader authenticated only {first.Counter.Rtp} packets under its key");
            Assert.True(second.Counter.Rtp >= 200, $"the second reader authenticated only {second.Counter.Rtp} packets under its key");
            Assert.Equal(0, first.Client.Media[0].SrtpFailures);
            Assert.Equal(0, second.Client.Media[0].SrtpFailures);
        }
        finally
        {
            await first.Client.DisposeAsync();
            await second.Client.DisposeAsync();
        }

        // Two real players at once, each keyed by its own DESCRIBE.
        const int Frames = 20;
        string[] files = [Path.Combine(dir, "a.i420"), Path.Combine(dir, "b.i420")];
        var players = files.Select(file => GstLaunch.Start(
            "rtspsrc", $"location=rtsps://127.0.0.1:{hub.TlsPort}/cam", "tls-validation-flags=0", "protocols=udp", "latency=300",
            "!", "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!", "videoconvert", "!", "video/x-raw,format=I420",
            "!", "identity", $"eos-after={Frames}", "!", "filesink", $"location={file}")).ToArray();
        try
        {
            foreach (var player in players)
            {
                await GstLaunch.AssertReachesEosAsync(player, TimeSpan.FromSeconds(60), output);
            }
        }
        finally
        {
            foreach (var player in players)
            {
                await player.DisposeAsync();
            }
        }

        // identity posts EOS on the Nth buffer instead of passing it on: N - 1 whole 720p I420 frames reach each file.
        const long FrameBytes = 1280L * 720 * 3 / 2;
        foreach (string file in files)
        {
            long length = new FileInfo(file).Length;
            Assert.Equal(0, length % FrameBytes);
            Assert.True(length / FrameBytes >= Frames - 1, $"GStreamer decoded {length / FrameBytes} frames into {file}");
        }
    }

    private static async Task<(RtspClient Client, RtspsTests.CountingReceiver Counter, byte[] Key)> OpenAsync(TestHub hub)
    {
        var counter = new RtspsTests.CountingReceiver();
        var client = await RtspClient.ConnectAsync(hub.TlsUrl("cam"), new RtspClientOptions
        {
            Transport = RtspClientTransport.Udp,
            Receiver = counter,
            ServerCertificateValidation = (_, certificate, _, _) =>
                certificate is not null && HubCertificate.Fingerprint(new X509Certificate2(certificate)) == HubCertificate.Fingerprint(hub.Host.Certificate!),
        });
        var sdp = await client.DescribeAsync();
        string mikey = sdp.Media[0].Attributes.Get("key-mgmt")!;
        Assert.StartsWith("mikey ", mikey, StringComparison.Ordinal);
        Assert.True(MikeyReader.TryParse(Convert.FromBase64String(mikey[6..]), out var message));
        await client.SetupAsync();
        Assert.Equal("RTP/SAVP", client.Media[0].Transport!.Profile);
        await client.PlayAsync();
        return (client, counter, message!.Keys[0].Key);
    }
}
