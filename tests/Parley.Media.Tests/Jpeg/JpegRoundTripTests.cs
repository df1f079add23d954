using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Parley.Media.Jpeg;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Media.Tests.Jpeg;

public class JpegRoundTripTests
{
    private const int Width = 640;
    private const int Height = 480;

    private static readonly Lazy<byte[]> RealJpeg = new(() => Frames.EncodeJpeg(TestMedia.RealFrameI420(Width, Height), Width, Height, 80));

    [Fact]
    public void Real_frame_survives_packetize_and_depacketize_at_many_payload_budgets()
    {
        byte[] jpeg = RealJpeg.Value;
        byte[] original = (byte[])jpeg.Clone();
        byte[] expected = Frames.DecodeI420(jpeg);

        Prop.ForAll(
            Arb.From(Gen.Choose(JpegPacketizer.MinMaxPayloadSize, 9000)),
            Arb.From(Gen.Choose(0, ushort.MaxValue)),
            (budget, firstSequence) =>
            {
                var packetizer = new JpegPacketizer(0x1234_5678, initialSequenceNumber: (ushort)firstSequence) { MaxPayloadSize = budget };
                var sink = new ListPacketSink();
                Assert.True(packetizer.TryPacketize(jpeg, 900_000, sink, out JpegFrameError error), error.ToString());
                Assert.Equal(original, jpeg); // input never mutated

                var depacketizer = new JpegDepacketizer();
                byte[]? rebuilt = null;
                for (int i = 0; i < sink.Packets.Count; i++)
                {
                    byte[] packet = sink.Packets[i];
                    Assert.True(RtpPacketView.TryParse(packet, out RtpPacketView view));
                    Assert.Equal(2, view.Version);
                    Assert.Equal(JpegPacketizer.StaticPayloadType, view.PayloadType);
                    Assert.Equal(0x1234_5678u, view.Ssrc);
                    Assert.Equal(900_000u, view.Timestamp);
                    Assert.Equal(unchecked((ushort)(firstSequence + i)), view.SequenceNumber);
                    Assert.Equal(i == sink.Packets.Count - 1, view.Marker);
                    Assert.Equal(view.Marker, sink.Markers[i]);
                    Assert.True(view.Payload.Length <= budget, $"payload {view.Payload.Length} > budget {budget}");

                    Assert.True(RtpJpegHeader.TryParse(view.Payload, out RtpJpegHeader h));
                    Assert.Equal(1, h.Type); // 4:2:0
                    Assert.Equal(255, h.Q);
                    Assert.Equal(Width / 8, h.Width);
                    Assert.Equal(Height / 8, h.Height);
                    Assert.Equal(i == 0, h.HasQuantizationHeader);
                    if (i == 0)
                    {
                        Assert.Equal(128, h.QuantizationLength);
                        Assert.Equal(0, h.QuantizationPrecision);
                    }

                    bool done = depacketizer.Push(packet, out ReadOnlySpan<byte> frame);
                    Assert.Equal(i == sink.Packets.Count - 1, done);
                    if (done)
                    {
                        rebuilt = frame.ToArray();
                    }
                }

                Assert.NotNull(rebuilt);
                Assert.Equal(1, depacketizer.FramesCompleted);
                Assert.Equal(0, depacketizer.FramesDropped);
                Assert.Equal(expected, Frames.DecodeI420(rebuilt));
                Assert.Equal(sink.Packets.Count, (int)packetizer.PacketsWritten);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Every_quality_from_libturbojpeg_round_trips_pixel_exact()
    {
        byte[] i420 = TestMedia.RealFrameI420(320, 240);
        foreach (int quality in new[] { 1, 10, 50, 75, 90, 100 })
        {
            byte[] jpeg = Frames.EncodeJpeg(i420, 320, 240, quality);
            byte[] rebuilt = RoundTrip(jpeg, new JpegPacketizer(1));
            Assert.Equal(Frames.DecodeI420(jpeg), Frames.DecodeI420(rebuilt));
        }
    }

    [Fact]
    public void Q_factor_mode_sends_no_tables_and_the_receiver_derives_them_from_appendix_a()
    {
        byte[] i420 = TestMedia.RealFrameI420(320, 240);
        foreach (int quality in new[] { 5, 30, 50, 75, 95 })
        {
            byte[] jpeg = Frames.EncodeJpeg(i420, 320, 240, quality);
            var packetizer = new JpegPacketizer(1) { Q = (byte)quality };
            var sink = new ListPacketSink();
            Assert.True(packetizer.TryPacketize(jpeg, 0, sink, out var error), error.ToString());
            Assert.True(RtpPacketView.TryParse(sink.Packets[0], out var first));
            Assert.True(RtpJpegHeader.TryParse(first.Payload, out var h));
            Assert.False(h.HasQuantizationHeader);
            Assert.Equal(quality, h.Q);

            byte[] rebuilt = Depacketize(sink.Packets);
            Assert.Equal(Frames.DecodeI420(jpeg), Frames.DecodeI420(rebuilt));
        }

        // A JPEG whose tables are not Appendix A's for the requested Q is refused, not silently mangled.
        byte[] q75 = Frames.EncodeJpeg(i420, 320, 240, 75);
        var wrong = new JpegPacketizer(1) { Q = 60 };
        Assert.False(wrong.TryPacketize(q75, 0, new ListPacketSink(), out var mismatch));
        Assert.Equal(JpegFrameError.QuantizationTableMismatch, mismatch);
    }

    [Fact]
    public void Four_two_two_frames_use_type_0()
    {
        byte[] rgb = new byte[320 * 240 * 3];
        new Random(7).NextBytes(rgb);
        using var encoder = new Parley.Codecs.Jpeg.TurboJpegEncoder(85, Parley.Codecs.Jpeg.JpegSubsampling.Yuv422);
        byte[] jpeg = encoder.EncodePixels(rgb, 320, 240, 320 * 3, Parley.Codecs.Jpeg.JpegPixelFormat.Rgb).ToArray();
        var sink = new ListPacketSink();
        Assert.True(new JpegPacketizer(1).TryPacketize(jpeg, 0, sink, out var error), error.ToString());
        Assert.True(RtpPacketView.TryParse(sink.Packets[0], out var first));
        Assert.True(RtpJpegHeader.TryParse(first.Payload, out var h));
        Assert.Equal(0, h.Type);
        Assert.Equal(Frames.DecodeI420(jpeg), Frames.DecodeI420(Depacketize(sink.Packets)));
    }

    [Fact]
    public void Restart_interval_uses_type_65_with_the_restart_header_and_rebuilds_dri()
    {
        // libturbojpeg 2.1's TurboJPEG API cannot set a restart interval, so insert a DRI whose interval is
        // longer than the image (no RST markers needed, still a valid JPEG with DRI).
        byte[] jpeg = InsertDri(Frames.EncodeJpeg(TestMedia.RealFrameI420(320, 240), 320, 240), 4000);
        Assert.True(JpegFrameInfo.TryParse(jpeg, out var info, out _));
        Assert.Equal(4000, info.RestartInterval);

        var sink = new ListPacketSink();
        Assert.True(new JpegPacketizer(1) { MaxPayloadSize = 500 }.TryPacketize(jpeg, 0, sink, out var error), error.ToString());
        foreach (byte[] packet in sink.Packets)
        {
            Assert.True(RtpPacketView.TryParse(packet, out var view));
            Assert.True(RtpJpegHeader.TryParse(view.Payload, out var h));
            Assert.Equal(65, h.Type);
            Assert.True(h.HasRestartHeader);
            Assert.Equal(4000, h.RestartInterval);
            Assert.True(h.RestartFirst && h.RestartLast);
            Assert.Equal(0x3FFF, h.RestartCount);
        }

        byte[] rebuilt = Depacketize(sink.Packets);
        Assert.True(JpegFrameInfo.TryParse(rebuilt, out var rebuiltInfo, out _));
        Assert.Equal(4000, rebuiltInfo.RestartInterval);
        Assert.Equal(Frames.DecodeI420(jpeg), Frames.DecodeI420(rebuilt));
    }

    [Fact]
    public void A_lost_packet_drops_that_frame_only_and_is_counted()
    {
        byte[] jpeg = RealJpeg.Value;
        var packetizer = new JpegPacketizer(9);
        var frame1 = new ListPacketSink();
        var frame2 = new ListPacketSink();
        var frame3 = new ListPacketSink();
        Assert.True(packetizer.TryPacketize(jpeg, 3000, frame1, out _));
        Assert.True(packetizer.TryPacketize(jpeg, 6000, frame2, out _));
        Assert.True(packetizer.TryPacketize(jpeg, 9000, frame3, out _));
        Assert.True(frame1.Packets.Count > 3);

        var depacketizer = new JpegDepacketizer();
        int completed = 0;
        foreach (var (packets, skip) in new[] { (frame1, 2), (frame2, frame2.Packets.Count - 1), (frame3, -1) })
        {
            for (int i = 0; i < packets.Packets.Count; i++)
            {
                if (i != skip && depacketizer.Push(packets.Packets[i], out ReadOnlySpan<byte> rebuilt))
                {
                    completed++;
                    Assert.Equal(9000u, depacketizer.LastFrameTimestamp);
                    Assert.Equal(Frames.DecodeI420(jpeg), Frames.DecodeI420(rebuilt.ToArray()));
                }
            }
        }

        // Frame 1 lost a middle packet, frame 2 its last (noticed when frame 3 starts); frame 3 is whole.
        Assert.Equal(1, completed);
        Assert.Equal(2, depacketizer.FramesDropped);

        // Losing the first packet drops the frame too.
        var late = new JpegDepacketizer();
        for (int i = 1; i < frame1.Packets.Count; i++)
        {
            Assert.False(late.Push(frame1.Packets[i], out _));
        }

        Assert.Equal(1, late.FramesDropped);
        Assert.Equal(frame1.Packets.Count - 2, late.PacketsDiscarded);
    }

    [Fact]
    public void Packetizing_and_depacketizing_allocate_nothing_in_steady_state()
    {
        byte[] jpeg = RealJpeg.Value;
        var packetizer = new JpegPacketizer(1);
        var depacketizer = new JpegDepacketizer();
        var sink = new ForwardingSink(depacketizer, packetizer.MaxPacketLength);
        for (uint i = 0; i < 3; i++)
        {
            Assert.True(packetizer.TryPacketize(jpeg, i * 3000, sink, out _));
        }

        uint timestamp = 9000;
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 5; i++)
            {
                packetizer.TryPacketize(jpeg, timestamp += 3000, sink, out _);
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal(3 + (6 * 5), sink.Completed);

        // The callback overload reuses one internal buffer.
        var counter = new long[1];
        allocated = Allocations.SteadyState(() => packetizer.TryPacketize(jpeg, timestamp += 3000, static (packet, c) => c[0] += packet.Length > 0 ? 1 : 0, counter, out _));
        Assert.True(counter[0] > 1);
        Assert.Equal(0, allocated);
    }

    internal static byte[] RoundTrip(byte[] jpeg, JpegPacketizer packetizer)
    {
        var sink = new ListPacketSink();
        Assert.True(packetizer.TryPacketize(jpeg, 0, sink, out var error), error.ToString());
        return Depacketize(sink.Packets);
    }

    internal static byte[] Depacketize(IEnumerable<byte[]> packets)
    {
        var depacketizer = new JpegDepacketizer();
        byte[]? result = null;
        foreach (byte[] packet in packets)
        {
            if (depacketizer.Push(packet, out ReadOnlySpan<byte> frame))
            {
                result = frame.ToArray();
            }
        }

        Assert.NotNull(result);
        return result;
    }

    internal static byte[] InsertDri(byte[] jpeg, ushort interval)
    {
        // After SOI: FF DD 00 04 Ri.
        byte[] dri = [0xFF, 0xDD, 0x00, 0x04, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(dri.AsSpan(4), interval);
        return [.. jpeg.AsSpan(0, 2), .. dri, .. jpeg.AsSpan(2)];
    }

    private sealed class ForwardingSink(JpegDepacketizer depacketizer, int size) : IRtpPacketSink
    {
        private readonly byte[] _buffer = new byte[size];

        public int Completed { get; private set; }

        public Span<byte> GetPacketBuffer(int minimumLength) => _buffer;

        public void Commit(int length, bool marker)
        {
            if (depacketizer.Push(_buffer.AsSpan(0, length), out _))
            {
                Completed++;
            }
        }
    }
}
