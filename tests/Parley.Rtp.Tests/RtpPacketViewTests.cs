using FsCheck;
using FsCheck.Fluent;

namespace Parley.Rtp.Tests;

public class RtpPacketViewTests
{
    public static TheoryData<string, byte, int> Captures => new()
    {
        // capture file, payload type, expected timestamp step (-1: varies per frame)
        { "ffmpeg-h264.rtp.hex", 96, -1 },
        { "ffmpeg-pcmu.rtp.hex", 0, -1 },
        { "ffmpeg-opus.rtp.hex", 97, 960 },
        { "ffmpeg-mjpeg.rtp.hex", 26, -1 },
        { "gst-opus-ext.rtp.hex", 96, -1 },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void Real_captures_parse_with_consistent_headers(string file, byte payloadType, int timestampStep)
    {
        byte[][] packets = TestData.HexLines(file);
        Assert.NotEmpty(packets);
        Assert.True(RtpPacketView.TryParse(packets[0], out var first));
        uint ssrc = first.Ssrc;
        ushort previousSequence = (ushort)(first.SequenceNumber - 1);
        uint previousTimestamp = first.Timestamp - (uint)Math.Max(timestampStep, 0);
        foreach (byte[] bytes in packets)
        {
            Assert.True(RtpPacketView.TryParse(bytes, out var packet));
            Assert.Equal(2, packet.Version);
            Assert.Equal(payloadType, packet.PayloadType);
            Assert.Equal(ssrc, packet.Ssrc);
            Assert.Equal(1, RtpSequence.Distance(previousSequence, packet.SequenceNumber));
            Assert.True(RtpTimestamp.Distance(previousTimestamp, packet.Timestamp) >= 0);
            if (timestampStep > 0)
            {
                Assert.Equal(timestampStep, RtpTimestamp.Distance(previousTimestamp, packet.Timestamp));
            }

            Assert.Equal(bytes.Length, packet.HeaderLength + packet.Payload.Length + packet.PaddingLength);
            Assert.Equal(bytes.Length, packet.Buffer.Length);
            Assert.False(packet.Payload.IsEmpty);
            previousSequence = packet.SequenceNumber;
            previousTimestamp = packet.Timestamp;
        }
    }

    [Fact]
    public void Ffmpeg_h264_marks_the_last_packet_of_each_frame_and_carries_valid_nal_headers()
    {
        byte[][] packets = TestData.HexLines("ffmpeg-h264.rtp.hex");
        for (int i = 0; i < packets.Length; i++)
        {
            Assert.True(RtpPacketView.TryParse(packets[i], out var packet));
            Assert.Equal(0, packet.CsrcCount);
            Assert.False(packet.HasExtension);
            Assert.Equal(12, packet.HeaderLength);
            byte nalHeader = packet.Payload[0];
            Assert.Equal(0, nalHeader & 0x80); // forbidden_zero_bit
            Assert.Contains(nalHeader & 0x1F, new[] { 1, 5, 6, 7, 8, 24, 28 });
            if (i + 1 < packets.Length)
            {
                Assert.True(RtpPacketView.TryParse(packets[i + 1], out var next));
                Assert.Equal(next.Timestamp != packet.Timestamp, packet.Marker);
            }
        }

        // At 10 frames/s on the 90 kHz clock, frames are 9000 timestamp units apart.
        Assert.True(RtpPacketView.TryParse(packets[^2], out var secondLast));
        Assert.True(RtpPacketView.TryParse(packets[^1], out var last));
        Assert.Equal(9000, RtpTimestamp.Distance(secondLast.Timestamp, last.Timestamp));
    }

    [Fact]
    public void Ffmpeg_pcmu_timestamps_advance_by_one_per_payload_byte()
    {
        byte[][] packets = TestData.HexLines("ffmpeg-pcmu.rtp.hex");
        for (int i = 1; i < packets.Length; i++)
        {
            Assert.True(RtpPacketView.TryParse(packets[i - 1], out var previous));
            Assert.True(RtpPacketView.TryParse(packets[i], out var packet));
            Assert.Equal(previous.Payload.Length, RtpTimestamp.Distance(previous.Timestamp, packet.Timestamp));
        }
    }

    [Fact]
    public void Gstreamer_one_byte_extension_is_exposed_without_its_header()
    {
        byte[][] packets = TestData.HexLines("gst-opus-ext.rtp.hex");
        Assert.True(RtpPacketView.TryParse(packets[1], out var packet));
        Assert.True(packet.HasExtension);
        Assert.Equal(RtpHeaderExtensionWriter.OneByteProfile, packet.ExtensionProfile);
        Assert.Equal(new byte[] { 0x21, 0x00, 0x01, 0x00 }, packet.ExtensionData.ToArray());
        Assert.Equal(12 + 4 + 4, packet.HeaderLength);
        Assert.Equal(0xF8, packet.Payload[0]); // Opus TOC: CELT-only fullband 20 ms
        Assert.True(packets[0].Length > 0 && RtpPacketView.TryParse(packets[0], out var firstPacket) && firstPacket.Marker);
    }

    [Fact]
    public void Handmade_packet_with_csrcs_extension_and_padding_exposes_every_field()
    {
        byte[] bytes = Convert.FromHexString(
            "B2" + "E0" + "FFFF" + "DEADBEEF" + "01020304" // V=2 P X CC=2, M PT=96, seq 65535
            + "0A0B0C0D" + "11121314"                     // CSRCs
            + "BEDE0001" + "10AA0000"                     // one-byte extension: ID 1 = AA, padding
            + "CAFEBABE"                                  // payload
            + "000003");                                  // 3 bytes of padding
        Assert.True(RtpPacketView.TryParse(bytes, out var packet));
        Assert.True(packet.HasPadding);
        Assert.True(packet.HasExtension);
        Assert.Equal(2, packet.CsrcCount);
        Assert.True(packet.Marker);
        Assert.Equal(96, packet.PayloadType);
        Assert.Equal(65535, packet.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, packet.Timestamp);
        Assert.Equal(0x01020304u, packet.Ssrc);
        Assert.Equal(0x0A0B0C0Du, packet.GetCsrc(0));
        Assert.Equal(0x11121314u, packet.GetCsrc(1));
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal(Convert.FromHexString("10AA0000"), packet.ExtensionData.ToArray());
        Assert.Equal(28, packet.HeaderLength);
        Assert.Equal(Convert.FromHexString("CAFEBABE"), packet.Payload.ToArray());
        Assert.Equal(3, packet.PaddingLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => CsrcAt(bytes, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsrcAt(bytes, -1));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("8060000100000002000000", "11 bytes: shorter than the fixed header")]
    [InlineData("40600001000000020000000300", "version 1")]
    [InlineData("C0600001000000020000000300", "version 3")]
    [InlineData("0060000100000002000000030000", "version 0")]
    [InlineData("8160000100000002000000030000", "CC=1 but no CSRC")]
    [InlineData("906000010000000200000003BEDE", "X set, extension header cut")]
    [InlineData("906000010000000200000003BEDE000110", "extension length 1 word, body cut")]
    [InlineData("A06000010000000200000003", "P set, nothing after the header")]
    [InlineData("A060000100000002000000030A0B00", "P set, padding count 0")]
    [InlineData("A060000100000002000000030A0B04", "P set, padding count 4 > 3 bytes after the header")]
    public void Malformed_packets_are_rejected(string hex, string why)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.False(RtpPacketView.TryParse(bytes, out var packet), why);
        Assert.Equal(0, packet.Buffer.Length);
    }

    [Theory]
    [InlineData("A060000100000002000000030A0B03", 0)]
    [InlineData("A06000010000000200000003AABBCC01", 3)]
    public void Padding_may_fill_the_whole_payload(string hex, int payloadLength)
    {
        Assert.True(RtpPacketView.TryParse(Convert.FromHexString(hex), out var packet));
        Assert.Equal(payloadLength, packet.Payload.Length);
    }

    [Fact]
    public void A_header_only_packet_has_an_empty_payload()
    {
        Assert.True(RtpPacketView.TryParse(Convert.FromHexString("806000010000000200000003"), out var packet));
        Assert.True(packet.Payload.IsEmpty);
        Assert.True(packet.ExtensionData.IsEmpty);
        Assert.Equal(0, packet.ExtensionProfile);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Every_truncation_of_a_real_packet_is_handled_without_throwing(string file, byte payloadType, int step)
    {
        _ = payloadType;
        _ = step;
        foreach (byte[] bytes in TestData.HexLines(file).Take(3))
        {
            TestData.ForEveryTruncation(bytes, prefix =>
            {
                bool ok = RtpPacketView.TryParse(prefix, out var packet);
                if (ok)
                {
                    // Accessors stay in bounds on anything the parser accepted.
                    _ = packet.Payload.Length + packet.ExtensionData.Length + packet.ExtensionProfile;
                }

                return ok;
            });
        }
    }

    [Fact]
    public void Random_bytes_never_throw_and_accepted_views_are_self_consistent()
    {
        Prop.ForAll(
            Arb.From(Gen.OneOf(TestData.ByteArrays, TestData.ByteArraysOf(12, 80).Select(b =>
            {
                b[0] = (byte)(0x80 | (b[0] & 0x3F));
                return b;
            }))),
            bytes =>
            {
                byte[] copy = (byte[])bytes.Clone();
                if (RtpPacketView.TryParse(bytes, out var packet))
                {
                    Assert.Equal(2, packet.Version);
                    Assert.Equal(bytes.Length, packet.HeaderLength + packet.Payload.Length + packet.PaddingLength);
                    for (int i = 0; i < packet.CsrcCount; i++)
                    {
                        _ = packet.GetCsrc(i);
                    }

                    _ = packet.ExtensionData.Length;
                }

                Assert.Equal(copy, bytes);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    private static uint CsrcAt(byte[] bytes, int index)
    {
        Assert.True(RtpPacketView.TryParse(bytes, out var packet));
        return packet.GetCsrc(index);
    }

    [Fact]
    public void Header_length_alone_agrees_with_the_full_parse_and_ignores_what_follows_the_header()
    {
        Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))),
            bytes =>
            {
                bool full = RtpPacketView.TryParse(bytes, out var packet);
                bool header = RtpPacketView.TryGetHeaderLength(bytes, out int headerLength);
                if (full && (!header || headerLength != packet.HeaderLength))
                {
                    return false;
                }

                // An encrypted payload may end in a "padding count" that TryParse rejects; the header length still reads.
                if (header && bytes.Length > headerLength)
                {
                    byte[] encrypted = [.. bytes];
                    encrypted[0] |= 0x20;
                    encrypted[^1] = 0;
                    return !RtpPacketView.TryParse(encrypted, out _)
                        && RtpPacketView.TryGetHeaderLength(encrypted, out int again) && again == headerLength;
                }

                return true;
            }).QuickCheckThrowOnFailure();
    }
}
