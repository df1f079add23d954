using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.H264;

/// <summary>
/// Our RFC 6184 payloads against GStreamer's rtph264depay and rtph264pay, which no one here wrote. Each side's
/// Annex B output is decoded by ffmpeg and compared frame by frame (MD5 of every decoded picture) with the source:
/// a single wrong byte in any NAL unit changes the hashes.
/// </summary>
public class H264InteropTests
{
    private const string RtpCaps = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96";

    [Fact]
    public void Gstreamer_rtph264depay_rebuilds_our_packets_into_the_same_decoded_frames()
    {
        using var dir = new TempDirectory();
        byte[] source = H264TestStreams.Presenter720p(60);
        File.WriteAllBytes(dir.File("source.h264"), source);
        string received = dir.File("received.h264");
        int port = TestMedia.FreeUdpPort();
        using var gst = TestMedia.Start("gst-launch-1.0", [
            "-q", "udpsrc", $"port={port}", "address=127.0.0.1", $"caps={RtpCaps}",
            "!", "rtph264depay", "!", "h264parse", "!", "video/x-h264,stream-format=byte-stream,alignment=au",
            "!", "filesink", $"location={received}", "buffer-mode=unbuffered",
        ]);
        WaitForUdpListener(port, gst);

        // A 1000-byte budget gives FU-A for slices and STAP-A for the SEI, SPS and PPS of the key frame.
        var packetizer = new H264Packetizer(0x5EED, 96, 40000) { MaxPayloadSize = 1000 };
        using (var sink = new PacedUdpSink(port))
        {
            List<List<byte[]>> accessUnits = H264TestStreams.AccessUnits(source);
            for (int i = 0; i < accessUnits.Count; i++)
            {
                packetizer.PacketizeAnnexB(H264TestStreams.ToAnnexB(accessUnits[i]), (uint)(i * 3000), sink);
                Thread.Sleep(1);
            }
        }

        WaitUntilStable(received);
        string log = gst.StopAndGetStdErr();
        List<string> expected = H264TestStreams.DecodedFrameHashes(dir.File("source.h264"));
        Assert.Equal(60, expected.Count);
        Assert.True(File.Exists(received), $"GStreamer wrote nothing: {log}");
        Assert.Equal(expected, H264TestStreams.DecodedFrameHashes(received));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("zero-latency")]
    public void Our_depacketizer_rebuilds_gstreamer_rtph264pay_packets_into_the_same_decoded_frames(string aggregateMode)
    {
        using var dir = new TempDirectory();
        byte[] source = H264TestStreams.Presenter720p(60);
        File.WriteAllBytes(dir.File("source.h264"), source);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20, ReceiveTimeout = 300 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        using var gst = TestMedia.Start("gst-launch-1.0", [
            "-q", "filesrc", $"location={dir.File("source.h264")}", "!", "h264parse",
            "!", "rtph264pay", "mtu=1000", "config-interval=-1", "pt=96", $"aggregate-mode={aggregateMode}",
            "!", "identity", "sleep-time=300", "!", "udpsink", "host=127.0.0.1", $"port={port}",
        ]);

        var depacketizer = new H264Depacketizer();
        int stapA = 0, fuA = 0, accessUnits = 0;
        byte[] buffer = new byte[65536];
        var deadline = Stopwatch.StartNew();
        using (var output = File.Create(dir.File("received.h264")))
        {
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                int n;
                try
                {
                    n = socket.Receive(buffer);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    if (gst.HasExited)
                    {
                        break;
                    }

                    continue;
                }

                int type = n > 12 ? buffer[12] & 0x1F : 0;
                stapA += type == 24 ? 1 : 0;
                fuA += type == 28 ? 1 : 0;
                if (depacketizer.Push(buffer.AsSpan(0, n)))
                {
                    output.Write(depacketizer.AccessUnit);
                    accessUnits++;
                }
            }
        }

        string log = gst.StopAndGetStdErr();
        string counters = $"lost {depacketizer.PacketsLost}, malformed {depacketizer.PacketsMalformed}, dropped {depacketizer.AccessUnitsDropped}: {log}";
        Assert.Equal(60, accessUnits);
        Assert.Equal(0, depacketizer.PacketsLost + depacketizer.PacketsMalformed + depacketizer.AccessUnitsDropped + depacketizer.PacketsUnsupported);
        Assert.True(fuA > 100, counters);
        Assert.True(aggregateMode == "none" ? stapA == 0 : stapA > 0, $"{stapA} STAP-A packets");
        Assert.False(depacketizer.NeedsKeyFrame);
        Assert.Equal(H264TestStreams.DecodedFrameHashes(dir.File("source.h264")), H264TestStreams.DecodedFrameHashes(dir.File("received.h264")));
    }

    // udpsrc binds only once the pipeline starts; /proc/net/udp shows it without touching the port ourselves.
    private static void WaitForUdpListener(int port, ExternalProcess process)
    {
        string local = $"0100007F:{port.ToString("X4", CultureInfo.InvariantCulture)}";
        var deadline = Stopwatch.StartNew();
        while (!File.ReadLines("/proc/net/udp").Any(l => l.Contains(local, StringComparison.Ordinal)))
        {
            if (process.HasExited)
            {
                Assert.Fail($"gst-launch-1.0 exited: {process.StopAndGetStdErr()}");
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"nothing listens on UDP {port}");
            Thread.Sleep(50);
        }

        Thread.Sleep(200);
    }

    private static void WaitUntilStable(string file)
    {
        long last = -1;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(400);
            long length = File.Exists(file) ? new FileInfo(file).Length : 0;
            if (length > 0 && length == last)
            {
                return;
            }

            last = length;
        }
    }

    /// <summary>Sends each packet to 127.0.0.1:port, pausing every 64 KiB so loopback buffers never overflow.</summary>
    private sealed class PacedUdpSink : IRtpPacketSink, IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly byte[] _buffer = new byte[65536];
        private int _sinceLastPause;

        public PacedUdpSink(int port) => _socket.Connect(new IPEndPoint(IPAddress.Loopback, port));

        public Span<byte> GetPacketBuffer(int minimumLength) => _buffer;

        public void Commit(int length, bool marker)
        {
            _socket.Send(_buffer.AsSpan(0, length));
            _sinceLastPause += length;
            if (_sinceLastPause > 64 * 1024)
            {
                Thread.Sleep(2);
                _sinceLastPause = 0;
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}
