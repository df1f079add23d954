using FsCheck;
using FsCheck.Fluent;
using Parley.Codecs.Jpeg;
using Parley.Media.Jpeg;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Media.Tests.Jpeg;

public class JpegRobustnessTests
{
    private static readonly Lazy<byte[]> Jpeg = new(() => Frames.EncodeJpeg(TestMedia.RealFrameI420(320, 240), 320, 240, 75));

    private static readonly Lazy<List<byte[]>> Packets = new(() =>
    {
        var sink = new ListPacketSink();
        Assert.True(new JpegPacketizer(5) { MaxPayloadSize = 400 }.TryPacketize(Jpeg.Value, 1234, sink, out _));
        return sink.Packets;
    });

    [Fact]
    public void Progressive_12_bit_444_greyscale_and_non_jpeg_are_refused_with_a_reason()
    {
        byte[] jpeg = Jpeg.Value;
        int sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0);

        byte[] progressive = (byte[])jpeg.Clone();
        progressive[sof + 1] = 0xC2;
        AssertRefused(progressive, JpegFrameError.Progressive);

        byte[] extended = (byte[])jpeg.Clone();
        extended[sof + 1] = 0xC1;
        AssertRefused(extended, JpegFrameError.NotBaseline);

        byte[] arithmetic = (byte[])jpeg.Clone();
        arithmetic[sof + 1] = 0xC9;
        AssertRefused(arithmetic, JpegFrameError.NotBaseline);

        byte[] twelveBit = (byte[])jpeg.Clone();
        twelveBit[sof + 4] = 12; // P follows the marker and the 2-byte length
        AssertRefused(twelveBit, JpegFrameError.UnsupportedPrecision);

        byte[] rgb = new byte[64 * 64 * 3];
        using (var e444 = new TurboJpegEncoder(80, JpegSubsampling.Yuv444))
        {
            AssertRefused(e444.EncodePixels(rgb, 64, 64, 64 * 3, JpegPixelFormat.Rgb).ToArray(), JpegFrameError.UnsupportedSubsampling);
        }

        using (var gray = new TurboJpegEncoder(80, JpegSubsampling.Gray))
        {
            AssertRefused(gray.EncodePixels(rgb, 64, 64, 64 * 3, JpegPixelFormat.Rgb).ToArray(), JpegFrameError.UnsupportedComponents);
        }

        AssertRefused([], JpegFrameError.NotJpeg);
        AssertRefused([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A], JpegFrameError.NotJpeg);
        AssertRefused(jpeg.AsSpan(0, jpeg.Length / 2).ToArray(), JpegFrameError.Truncated);
    }

    [Fact]
    public void Frames_wider_than_2040_pixels_are_refused()
    {
        byte[] rgb = new byte[2048 * 16 * 3];
        using var encoder = new TurboJpegEncoder(50);
        AssertRefused(encoder.EncodePixels(rgb, 2048, 16, 2048 * 3, JpegPixelFormat.Rgb).ToArray(), JpegFrameError.TooLarge);

        byte[] ok = encoder.EncodePixels(rgb, 2040, 16, 2048 * 3, JpegPixelFormat.Rgb).ToArray();
        Assert.True(new JpegPacketizer(1).TryPacketize(ok, 0, new ListPacketSink(), out var error), error.ToString());
    }

    [Fact]
    public void Ffmpeg_mjpeg_with_optimal_huffman_tables_is_refused_and_with_default_tables_accepted()
    {
        using var dir = new TempDirectory();
        string optimal = dir.File("optimal.jpg"), standard = dir.File("default.jpg");
        string input = TestMedia.MediaFile("talking-head.avi");
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", input, "-frames:v", "1", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-huffman", "optimal", "-y", optimal]);
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", input, "-frames:v", "1", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-huffman", "default", "-y", standard]);

        AssertRefused(File.ReadAllBytes(optimal), JpegFrameError.NonStandardHuffmanTables);

        byte[] jpeg = File.ReadAllBytes(standard);
        byte[] rebuilt = JpegRoundTripTests.RoundTrip(jpeg, new JpegPacketizer(1));
        Assert.Equal(Frames.DecodeI420(jpeg), Frames.DecodeI420(rebuilt));
    }

    [Fact]
    public void Payload_budget_too_small_for_the_tables_is_rejected_up_front()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegPacketizer(1) { MaxPayloadSize = 100 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegPacketizer(1) { Q = 100 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegPacketizer(1) { Q = 0 });
    }

    [Fact]
    public void Parsing_truncated_or_mutated_jpeg_never_throws()
    {
        byte[] jpeg = Jpeg.Value;
        Prop.ForAll(
            Arb.From(Gen.Choose(0, jpeg.Length)),
            Arb.From(Gen.ArrayOf(Gen.Two(Gen.Choose(0, jpeg.Length - 1)))),
            (cut, flips) =>
            {
                byte[] mutated = jpeg[..cut];
                foreach (var (position, value) in flips)
                {
                    if (position < mutated.Length)
                    {
                        mutated[position] = (byte)value;
                    }
                }

                _ = JpegFrameInfo.TryParse(mutated, out _, out _);
                _ = new JpegPacketizer(1).TryPacketize(mutated, 0, new ListPacketSink(), out _);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Garbage_truncated_and_mutated_rtp_jpeg_packets_never_throw()
    {
        List<byte[]> packets = Packets.Value;
        Prop.ForAll(
            Arb.From(Gen.ListOf(Gen.Three(Gen.Choose(0, 100_000)))),
            edits =>
            {
                var depacketizer = new JpegDepacketizer();
                foreach (var (a, b, c) in edits)
                {
                    int index = a % packets.Count, position = b % 1500, value = (c % 257) - 1;
                    byte[] packet = (byte[])packets[index].Clone();
                    if (value < 0)
                    {
                        packet = packet[..Math.Min(position, packet.Length)]; // truncate
                    }
                    else if (position < packet.Length)
                    {
                        packet[position] = (byte)value;
                    }

                    if (depacketizer.Push(packet, out ReadOnlySpan<byte> frame))
                    {
                        // Whatever comes out is at least a well-formed container (SOI ... EOI).
                        Assert.True(frame.Length > 4 && frame[0] == 0xFF && frame[1] == 0xD8 && frame[^2] == 0xFF && frame[^1] == 0xD9);
                    }
                }

                return true;
            }).QuickCheckThrowOnFailure();

        Prop.ForAll(
            Arb.From(Gen.ListOf(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)))),
            garbage =>
            {
                var depacketizer = new JpegDepacketizer();
                foreach (byte[] packet in garbage)
                {
                    _ = depacketizer.Push(packet, out _);
                    _ = depacketizer.Push(packet, 0, true, out _);
                    _ = RtpJpegHeader.TryParse(packet, out _);
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Headers_write_and_parse_back()
    {
        Prop.ForAll(
            Arb.From(Gen.Choose(0, 0xFF_FFFF)),
            Arb.From(Gen.Elements<byte>(0, 1, 64, 65)),
            Arb.From(Gen.Two(Gen.Choose(0, 65535))),
            (offset, type, pair) =>
            {
                int q = 1 + (pair.Item1 % 255), interval = pair.Item2;
                var h = new RtpJpegHeader
                {
                    FragmentOffset = offset, Type = type, Q = (byte)q, Width = 80, Height = 60,
                    RestartInterval = (ushort)interval, RestartFirst = true, RestartLast = false, RestartCount = 77,
                    QuantizationPrecision = 0, QuantizationLength = (ushort)(q >= 128 && offset == 0 ? 128 : 0),
                };
                byte[] buffer = new byte[h.HeaderLength];
                int written = h.WriteTo(buffer);
                Assert.Equal(h.HeaderLength - (h.HasQuantizationHeader ? 128 : 0), written);
                Assert.True(RtpJpegHeader.TryParse(buffer, out var parsed));
                Assert.Equal(offset, parsed.FragmentOffset);
                Assert.Equal(type, parsed.Type);
                Assert.Equal(q, parsed.Q);
                Assert.Equal(h.HasRestartHeader ? interval : 0, parsed.RestartInterval);
                Assert.Equal(h.HasRestartHeader ? 77 : 0, parsed.RestartCount);
                Assert.Equal(h.HeaderLength, parsed.HeaderLength);
                Assert.False(RtpJpegHeader.TryParse(buffer.AsSpan(0, buffer.Length - 1), out _));
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Standard_huffman_tables_match_what_libturbojpeg_writes()
    {
        // The packetizer accepts libturbojpeg output only if its DHT equals JpegTables; make that explicit.
        Assert.True(JpegFrameInfo.TryParse(Jpeg.Value, out _, out var error), error.ToString());
        Span<byte> luma = stackalloc byte[64];
        Span<byte> chroma = stackalloc byte[64];
        JpegTables.MakeTables(75, luma, chroma);
        Assert.True(JpegFrameInfo.TryParse(Jpeg.Value, out var info, out _));
        Assert.True(Jpeg.Value.AsSpan(info.LumaTableOffset, 64).SequenceEqual(luma));
        Assert.True(Jpeg.Value.AsSpan(info.ChromaTableOffset, 64).SequenceEqual(chroma));
    }

    private static void AssertRefused(byte[] jpeg, JpegFrameError expected)
    {
        Assert.False(JpegFrameInfo.TryParse(jpeg, out _, out var error));
        Assert.Equal(expected, error);
        var sink = new ListPacketSink();
        Assert.False(new JpegPacketizer(1).TryPacketize(jpeg, 0, sink, out var packetizerError));
        Assert.Equal(expected, packetizerError);
        Assert.Empty(sink.Packets);
    }
}
