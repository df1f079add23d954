using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Parley.Media.Aac;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;
using Parley.Rtp.Sdp;

namespace Parley.Media.Tests.Aac;

/// <summary>
/// Our RFC 3640 depacketizer against ffmpeg's mpeg4-generic packetizer, which no one here wrote: the AAC access
/// units taken out of ffmpeg's RTP equal, byte for byte and in order, the raw frames of the same audio written by
/// ffmpeg as ADTS (headers stripped). With a small packet size ffmpeg fragments the larger frames.
/// </summary>
public class AacInteropTests
{
    [Theory]
    [InlineData(1472)]
    [InlineData(200)]
    public void Access_units_from_ffmpeg_rtp_equal_the_source_frames(int packetSize)
    {
        using var dir = new TempDirectory();
        string media = TestMedia.MediaFile("presenter-720p.mp4");
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-y", "-i", media, "-vn", "-c:a", "copy", "-f", "adts", dir.File("source.aac")]);
        List<byte[]> expected = AdtsFrames(File.ReadAllBytes(dir.File("source.aac")));

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 << 20, ReceiveTimeout = 500 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        string sdpFile = dir.File("stream.sdp");
        using var ffmpeg = TestMedia.Start("ffmpeg", ["-v", "error", "-y", "-i", media, "-vn", "-c:a", "copy", "-sdp_file", sdpFile,
            "-f", "rtp", $"rtp://127.0.0.1:{port}?pkt_size={packetSize}"]);

        var received = new List<byte[]>();
        var buffer = new byte[65536];
        AacDepacketizer? depacketizer = null;
        int fragmented = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            int n;
            try
            {
                n = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                if (ffmpeg.HasExited)
                {
                    break;
                }

                continue;
            }

            depacketizer ??= new AacDepacketizer(ParametersFrom(sdpFile));
            Assert.True(RtpPacketView.TryParse(buffer.AsSpan(0, n), out var packet));
            fragmented += packet.Marker ? 0 : 1;
            if (depacketizer.Push(packet, out var units))
            {
                int offset = 0;
                foreach (int size in units.Sizes)
                {
                    received.Add(units.Data.Slice(offset, size).ToArray());
                    offset += size;
                }
            }
        }

        string log = ffmpeg.StopAndGetStdErr();
        Assert.NotNull(depacketizer);
        Assert.True(expected.Count > 300, $"{expected.Count} source frames");
        Assert.Equal(0, depacketizer.PacketsLost + depacketizer.PacketsMalformed + depacketizer.FragmentsDropped);
        // ffmpeg's packetizer may keep the last few frames of the file in its aggregation buffer at exit.
        Assert.InRange(received.Count, expected.Count - 3, expected.Count);
        for (int i = 0; i < received.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(received[i]), $"access unit {i} differs ({log})");
        }

        Assert.True(packetSize > 1000 ? fragmented == 0 : fragmented > 0, $"{fragmented} packets without the marker");
    }

    // ffmpeg writes the SDP before it sends the first packet.
    private static Mpeg4GenericParameters ParametersFrom(string sdpFile)
    {
        Assert.True(SdpSession.TryParse(File.ReadAllText(sdpFile), out var sdp, out string? error), error);
        var media = sdp!.Media.Single();
        int payloadType = media.PayloadTypes[0];
        Assert.True(media.TryGetRtpMap(payloadType, out var map));
        Assert.Equal("MPEG4-GENERIC", map.EncodingName, ignoreCase: true);
        Assert.True(Mpeg4GenericParameters.TryParse(media.GetFormatParameterMap(payloadType), out var parameters));
        return parameters!;
    }

    // ADTS (ISO/IEC 13818-7 §6.2): 7-byte header (9 with CRC), frame_length (13 bits) counts the header too.
    private static List<byte[]> AdtsFrames(byte[] adts)
    {
        var frames = new List<byte[]>();
        int offset = 0;
        while (offset + 7 <= adts.Length)
        {
            Assert.Equal(0xFFF, (adts[offset] << 4) | (adts[offset + 1] >> 4));
            int headerLength = (adts[offset + 1] & 1) == 1 ? 7 : 9;
            int frameLength = ((adts[offset + 3] & 0x03) << 11) | (adts[offset + 4] << 3) | (adts[offset + 5] >> 5);
            frames.Add(adts.AsSpan(offset + headerLength, frameLength - headerLength).ToArray());
            offset += frameLength;
        }

        return frames;
    }
}
