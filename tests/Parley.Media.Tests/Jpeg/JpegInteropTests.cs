using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Parley.Codecs;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Synthetic;
using Parley.Media.Jpeg;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Jpeg;

/// <summary>
/// Our RTP/JPEG against implementations no one here wrote: GStreamer's rtpjpegdepay/rtpjpegpay and ffmpeg's
/// RTP demuxer/muxer. Frames carry the test pattern's stamp, so every frame the other side decodes is identified
/// exactly (frame number and capture time), not just counted.
/// </summary>
public class JpegInteropTests
{
    private const int Width = 320;
    private const int Height = 240;
    private const long BaseUnixMs = 1_700_000_000_000;

    [Fact]
    public void Gstreamer_rtpjpegdepay_decodes_our_packets()
    {
        using var dir = new TempDirectory();
        int port = TestMedia.FreeUdpPort();
        using var gst = TestMedia.Start("gst-launch-1.0", [
            "-q", "udpsrc", $"port={port}", "address=127.0.0.1",
            "caps=application/x-rtp,media=video,encoding-name=JPEG,clock-rate=90000,payload=26",
            "!", "rtpjpegdepay", "!", "jpegdec", "!", "videoconvert", "!", "video/x-raw,format=I420",
            "!", "multifilesink", $"location={dir.File("f%05d.yuv")}",
        ]);

        int sent = SendUntil(port, () => Directory.GetFiles(dir.Path, "f*.yuv").Length >= 15, gst);
        Thread.Sleep(300);
        string log = gst.StopAndGetStdErr();

        string[] files = Directory.GetFiles(dir.Path, "f*.yuv").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 15, $"GStreamer decoded {files.Length} frames of {sent}: {log}");
        AssertStampedFrames(files.Select(File.ReadAllBytes), sent);
    }

    [Fact]
    public void Ffmpeg_rtp_demuxer_decodes_our_packets()
    {
        using var dir = new TempDirectory();
        int port = TestMedia.FreeUdpPort();
        string sdp = dir.File("jpeg.sdp");
        File.WriteAllText(sdp, $"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=parley\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video {port} RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\n");
        string output = dir.File("out.yuv");
        using var ffmpeg = TestMedia.Start("ffmpeg", [
            "-v", "error", "-protocol_whitelist", "file,udp,rtp", "-i", sdp,
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-y", output,
        ]);

        int frameSize = I420.GetSize(Width, Height);
        int sent = SendUntil(port, () => File.Exists(output) && new FileInfo(output).Length >= 15L * frameSize, ffmpeg);
        Thread.Sleep(300);
        string log = ffmpeg.StopAndGetStdErr();

        byte[] all = File.Exists(output) ? File.ReadAllBytes(output) : [];
        int frames = all.Length / frameSize;
        Assert.True(frames >= 15, $"ffmpeg decoded {frames} frames of {sent}: {log}");
        AssertStampedFrames(Enumerable.Range(0, frames).Select(i => all.AsSpan(i * frameSize, frameSize).ToArray()), sent);
    }

    [Fact]
    public void Depacketized_jpeg_is_decoded_identically_by_ffmpeg()
    {
        // A third-party decoder gives the same pixels for the original file and for our rebuilt one.
        using var dir = new TempDirectory();
        byte[] original = Frames.EncodeJpeg(TestMedia.RealFrameI420(640, 480), 640, 480, 80);
        byte[] rebuilt = JpegRoundTripTests.RoundTrip(original, new JpegPacketizer(1) { MaxPayloadSize = 700 });
        File.WriteAllBytes(dir.File("original.jpg"), original);
        File.WriteAllBytes(dir.File("rebuilt.jpg"), rebuilt);

        string Md5(string file) => string.Join('\n', TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", file, "-f", "framemd5", "-"])
            .Split('\n').Where(l => l.Length > 0 && l[0] != '#'));

        string expected = Md5(dir.File("original.jpg"));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Md5(dir.File("rebuilt.jpg")));
    }

    [Fact]
    public void Gstreamer_rtpjpegpay_packets_depacketize_with_our_code()
    {
        using var dir = new TempDirectory();
        string raw = WritePatternFrames(dir, 30);
        using var socket = Listen(out int port);
        using var gst = TestMedia.Start("gst-launch-1.0", [
            "-q", "filesrc", $"location={raw}", "!", "rawvideoparse", $"width={Width}", $"height={Height}", "format=i420", "framerate=30/1",
            "!", "jpegenc", "quality=85", "!", "rtpjpegpay", "mtu=1000", "!", "udpsink", "host=127.0.0.1", $"port={port}", "sync=true",
        ]);

        List<byte[]> frames = Receive(socket, 30, gst, out JpegDepacketizer depacketizer);
        Assert.True(frames.Count >= 25, $"got {frames.Count} frames, dropped {depacketizer.FramesDropped}, malformed {depacketizer.PacketsMalformed}: {gst.StopAndGetStdErr()}");
        AssertStampedFrames(frames.Select(f => Frames.DecodeI420(f)), 30);
    }

    [Fact]
    public void Ffmpeg_rtp_muxer_packets_depacketize_with_our_code()
    {
        using var dir = new TempDirectory();
        string raw = WritePatternFrames(dir, 30);
        using var socket = Listen(out int port);

        // ffmpeg's mjpeg encoder optimizes Huffman tables by default, which RTP/JPEG cannot signal; ask for the standard ones.
        using var ffmpeg = TestMedia.Start("ffmpeg", [
            "-v", "error", "-re", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{Width}x{Height}", "-r", "30", "-i", raw,
            "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-huffman", "default", "-q:v", "3", "-pkt_size", "1000", "-f", "rtp", $"rtp://127.0.0.1:{port}",
        ]);

        List<byte[]> frames = Receive(socket, 30, ffmpeg, out JpegDepacketizer depacketizer);
        Assert.True(frames.Count >= 25, $"got {frames.Count} frames, dropped {depacketizer.FramesDropped}, malformed {depacketizer.PacketsMalformed}: {ffmpeg.StopAndGetStdErr()}");
        AssertStampedFrames(frames.Select(f => Frames.DecodeI420(f)), 30);
    }

    private static string WritePatternFrames(TempDirectory dir, int count)
    {
        var pattern = new TestPatternGenerator(Width, Height, 30);
        byte[] frame = new byte[pattern.FrameSize];
        string path = dir.File("pattern.yuv");
        using var file = File.Create(path);
        for (int i = 0; i < count; i++)
        {
            pattern.Render(i, BaseUnixMs + (i * 1000L / 30), frame);
            file.Write(frame);
        }

        return path;
    }

    private static Socket Listen(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    private static List<byte[]> Receive(Socket socket, int expectedFrames, ExternalProcess sender, out JpegDepacketizer depacketizer)
    {
        depacketizer = new JpegDepacketizer();
        var frames = new List<byte[]>();
        byte[] buffer = new byte[65536];
        var deadline = Stopwatch.StartNew();
        socket.ReceiveTimeout = 500;
        while (frames.Count < expectedFrames && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                if (sender.HasExited)
                {
                    break;
                }

                continue;
            }

            if (depacketizer.Push(buffer.AsSpan(0, n), out ReadOnlySpan<byte> jpeg))
            {
                frames.Add(jpeg.ToArray());
            }
        }

        return frames;
    }

    /// <summary>Sends stamped test-pattern frames at 30 fps until the condition holds (or 20 s pass).</summary>
    private static int SendUntil(int port, Func<bool> done, ExternalProcess receiver)
    {
        var pattern = new TestPatternGenerator(Width, Height, 30);
        using var encoder = new TurboJpegEncoder(85);
        var packetizer = new JpegPacketizer(0xCAFE);
        byte[] frame = new byte[pattern.FrameSize];
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var target = new IPEndPoint(IPAddress.Loopback, port); // unconnected: ICMP "port unreachable" before the receiver binds is ignored
        var clock = Stopwatch.StartNew();
        int i = 0;
        for (; clock.Elapsed < TimeSpan.FromSeconds(20) && !done() && !receiver.HasExited; i++)
        {
            pattern.Render(i, BaseUnixMs + (i * 1000L / 30), frame);
            ReadOnlySpan<byte> jpeg = encoder.EncodeI420(frame, Width, Height);
            Assert.True(packetizer.TryPacketize(jpeg, (uint)(i * 3000), static (packet, s) => s.Socket.SendTo(packet, s.Target), (Socket: socket, Target: target), out var error), error.ToString());
            Thread.Sleep(33);
        }

        return i;
    }

    private static void AssertStampedFrames(IEnumerable<byte[]> decodedI420, int sent)
    {
        var seen = new List<long>();
        foreach (byte[] frame in decodedI420)
        {
            Assert.True(TestPatternGenerator.TryReadStamp(frame, Width, Height, out long number, out long unixMs), $"frame {seen.Count} has no readable stamp");
            Assert.InRange(number, 0, sent - 1);
            Assert.Equal(BaseUnixMs + (number * 1000 / 30), unixMs);
            seen.Add(number);
        }

        Assert.Equal(seen.Order(), seen); // in order
        Assert.Equal(seen.Distinct().Count(), seen.Count); // each once
    }
}
