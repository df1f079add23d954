using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Parley.Media.Tests.Infrastructure;
using Parley.Media.Vp8;
using Parley.Rtp;

namespace Parley.Media.Tests.Vp8;

/// <summary>
/// Our RFC 7741 depacketizer on packets from two payloaders no one here wrote, ffmpeg's (15-bit picture ID) and
/// GStreamer's rtpvp8pay (7-bit picture ID): every rebuilt frame must equal, byte for byte, the frame libvpx wrote
/// into the IVF file they both send from.
/// </summary>
public class Vp8InteropTests
{
    [Theory]
    [InlineData("ffmpeg", 15)]
    [InlineData("gstreamer", 7)]
    public void Frames_rebuilt_from_real_payloaders_equal_the_encoded_frames(string sender, int pictureIdBits)
    {
        using var dir = new TempDirectory();
        string ivf = dir.File("source.ivf");
        Ivf.Encode("presenter-720p.mp4", ivf, frames: 45, keyInterval: 20);
        List<byte[]> expected = Ivf.ReadFrames(ivf);
        Assert.Equal(45, expected.Count);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20, ReceiveTimeout = 300 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        using var process = sender == "ffmpeg"
            ? TestMedia.Start("ffmpeg", ["-v", "error", "-re", "-i", ivf, "-c", "copy", "-f", "rtp", $"rtp://127.0.0.1:{port}?pkt_size=1000"])
            : TestMedia.Start("gst-launch-1.0", [
                "-q", "filesrc", $"location={ivf}", "!", "ivfparse", "!", "rtpvp8pay", "mtu=1000", "picture-id-mode=7-bit",
                "!", "identity", "sleep-time=20000", "!", "udpsink", "host=127.0.0.1", $"port={port}",
            ]);

        var depacketizer = new Vp8Depacketizer();
        var frames = new List<byte[]>();
        var keyFrames = new List<bool>();
        var bits = new HashSet<int>();
        byte[] buffer = new byte[65536];
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && frames.Count < expected.Count)
        {
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                if (process.HasExited)
                {
                    break;
                }

                continue;
            }

            if (RtpPacketView.TryParse(buffer.AsSpan(0, n), out var view) && Vp8PayloadDescriptor.TryParse(view.Payload, out var descriptor))
            {
                bits.Add(descriptor.PictureIdBits);
            }

            if (depacketizer.Push(buffer.AsSpan(0, n)))
            {
                frames.Add(depacketizer.Frame.ToArray());
                keyFrames.Add(depacketizer.IsKeyFrame);
            }
        }

        string log = process.StopAndGetStdErr();
        string counters = $"lost {depacketizer.PacketsLost}, malformed {depacketizer.PacketsMalformed}, dropped {depacketizer.FramesDropped}: {log}";
        Assert.True(expected.Count == frames.Count, counters);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(frames[i]), $"frame {i} differs ({expected[i].Length} vs {frames[i].Length} bytes)");
            Assert.Equal((expected[i][0] & 1) == 0, keyFrames[i]);
        }

        Assert.Equal([pictureIdBits], bits);
        Assert.Equal((1280, 720), (depacketizer.Width, depacketizer.Height));
        Assert.False(depacketizer.NeedsKeyFrame);
        Assert.Equal(3, keyFrames.Count(k => k)); // -g 20 over 45 frames: 0, 20, 40
    }
}
