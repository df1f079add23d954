using FsCheck;
using FsCheck.Fluent;

namespace Parley.Rtp.Tests;

public class RtpPacketWriterTests
{
    private sealed record Case(RtpHeader Header, byte[] Payload, RtpHeaderExtensionElement[] Elements, bool TwoByte);

    private static Gen<RtpHeaderExtensionElement[]> OneByteElements =>
        Gen.ArrayOf(
            from id in Gen.Choose(1, 14)
            from value in TestData.ByteArraysOf(1, 16)
            select new RtpHeaderExtensionElement((byte)id, value)).Where(a => a.Length <= 8);

    private static Gen<RtpHeaderExtensionElement[]> TwoByteElements =>
        Gen.ArrayOf(
            from id in Gen.Choose(1, 255)
            from value in TestData.ByteArraysOf(0, 40)
            select new RtpHeaderExtensionElement((byte)id, value)).Where(a => a.Length <= 8);

    private static Gen<Case> Cases =>
        from marker in Gen.Elements(true, false)
        from pt in Gen.Choose(0, 127)
        from seq in TestData.UInt16s
        from ts in TestData.UInt32s
        from ssrc in TestData.UInt32s
        from csrcs in Gen.Choose(0, 15).SelectMany(n => Gen.ArrayOf(TestData.UInt32s, n))
        from extensionKind in Gen.Choose(0, 2)
        from elements in extensionKind == 2 ? TwoByteElements : OneByteElements
        from padding in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 255)))
        from payload in TestData.ByteArraysOf(0, 300)
        select Build(marker, pt, seq, ts, ssrc, csrcs, extensionKind, elements, padding, payload);

    private static Case Build(bool marker, int pt, ushort seq, uint ts, uint ssrc, uint[] csrcs, int extensionKind,
        RtpHeaderExtensionElement[] elements, int padding, byte[] payload)
    {
        var header = new RtpHeader
        {
            Marker = marker,
            PayloadType = (byte)pt,
            SequenceNumber = seq,
            Timestamp = ts,
            Ssrc = ssrc,
            Csrcs = csrcs,
            PaddingLength = (byte)padding,
        };
        if (extensionKind > 0)
        {
            bool twoByte = extensionKind == 2;
            byte[] body = new byte[twoByte ? RtpHeaderExtensionWriter.GetTwoByteLength(elements) : RtpHeaderExtensionWriter.GetOneByteLength(elements)];
            int written = twoByte ? RtpHeaderExtensionWriter.WriteTwoByte(body, elements) : RtpHeaderExtensionWriter.WriteOneByte(body, elements);
            Assert.Equal(body.Length, written);
            header.HasExtension = true;
            header.ExtensionProfile = twoByte ? RtpHeaderExtensionWriter.TwoByteProfile : RtpHeaderExtensionWriter.OneByteProfile;
            header.ExtensionData = body;
            return new Case(header, payload, elements, twoByte);
        }

        return new Case(header, payload, [], false);
    }

    [Fact]
    public void Write_then_parse_round_trips_every_field()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var header = c.Header;
            int length = RtpPacketWriter.GetPacketLength(header, c.Payload.Length);
            byte[] buffer = new byte[length + 7];
            int written = RtpPacketWriter.Write(buffer, header, c.Payload);
            Assert.Equal(length, written);
            Assert.True(RtpPacketView.TryParse(buffer.AsSpan(0, written), out var packet));
            Assert.Equal(header.Marker, packet.Marker);
            Assert.Equal(header.PayloadType, packet.PayloadType);
            Assert.Equal(header.SequenceNumber, packet.SequenceNumber);
            Assert.Equal(header.Timestamp, packet.Timestamp);
            Assert.Equal(header.Ssrc, packet.Ssrc);
            Assert.Equal(header.Csrcs.Length, packet.CsrcCount);
            for (int i = 0; i < packet.CsrcCount; i++)
            {
                Assert.Equal(header.Csrcs.Span[i], packet.GetCsrc(i));
            }

            Assert.Equal(RtpPacketWriter.GetHeaderLength(header), packet.HeaderLength);
            Assert.Equal(header.HasExtension, packet.HasExtension);
            Assert.Equal(header.ExtensionProfile, packet.ExtensionProfile);
            Assert.Equal(header.ExtensionData.ToArray(), packet.ExtensionData.ToArray());
            Assert.Equal(header.PaddingLength, packet.PaddingLength);
            Assert.Equal(c.Payload, packet.Payload.ToArray());

            var reader = new RtpHeaderExtensionReader(packet.ExtensionProfile, packet.ExtensionData);
            foreach (var element in c.Elements)
            {
                Assert.True(reader.TryReadNext(out byte id, out var value));
                Assert.Equal(element.Id, id);
                Assert.Equal(element.Value.ToArray(), value.ToArray());
            }

            Assert.False(reader.TryReadNext(out _, out _));
            Assert.False(reader.IsMalformed);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("ffmpeg-h264.rtp.hex")]
    [InlineData("ffmpeg-opus.rtp.hex")]
    [InlineData("gst-opus-ext.rtp.hex")]
    public void Rewriting_a_parsed_capture_reproduces_it_byte_for_byte(string file)
    {
        foreach (byte[] original in TestData.HexLines(file))
        {
            Assert.True(RtpPacketView.TryParse(original, out var packet));
            uint[] csrcs = new uint[packet.CsrcCount];
            for (int i = 0; i < csrcs.Length; i++)
            {
                csrcs[i] = packet.GetCsrc(i);
            }

            var header = new RtpHeader
            {
                Marker = packet.Marker,
                PayloadType = packet.PayloadType,
                SequenceNumber = packet.SequenceNumber,
                Timestamp = packet.Timestamp,
                Ssrc = packet.Ssrc,
                Csrcs = csrcs,
                HasExtension = packet.HasExtension,
                ExtensionProfile = packet.ExtensionProfile,
                ExtensionData = packet.ExtensionData.ToArray(),
                PaddingLength = (byte)packet.PaddingLength,
            };
            byte[] rewritten = new byte[original.Length];
            Assert.Equal(original.Length, RtpPacketWriter.Write(rewritten, header, packet.Payload));
            Assert.Equal(original, rewritten);
        }
    }

    [Fact]
    public void Extension_body_is_zero_padded_to_whole_words()
    {
        var header = new RtpHeader { PayloadType = 96, HasExtension = true, ExtensionProfile = 0xBEDE, ExtensionData = new byte[] { 0x10, 0xAA } };
        byte[] buffer = Enumerable.Repeat((byte)0xEE, 40).ToArray();
        int written = RtpPacketWriter.Write(buffer, header, [0x01]);
        Assert.Equal(12 + 4 + 4 + 1, written);
        Assert.Equal(Convert.FromHexString("BEDE000110AA000001"), buffer[12..written]);
    }

    [Fact]
    public void Padding_ends_with_its_count_and_is_otherwise_zero()
    {
        var header = new RtpHeader { PayloadType = 0, SequenceNumber = 1, PaddingLength = 4 };
        byte[] buffer = Enumerable.Repeat((byte)0xEE, 20).ToArray();
        int written = RtpPacketWriter.Write(buffer, header, [0x55]);
        Assert.Equal(17, written);
        Assert.Equal(0xA0, buffer[0]);
        Assert.Equal(Convert.FromHexString("5500000004"), buffer[12..17]);
    }

    [Fact]
    public void Programmer_errors_throw_argument_exceptions()
    {
        var header = new RtpHeader { PayloadType = 96 };
        Assert.Throws<ArgumentException>(() => RtpPacketWriter.Write(new byte[14], header, new byte[3]));
        Assert.Throws<ArgumentException>(() => RtpPacketWriter.Write(new byte[100], new RtpHeader { PayloadType = 128 }, []));
        Assert.Throws<ArgumentException>(() => RtpPacketWriter.Write(new byte[100], new RtpHeader { Csrcs = new uint[16] }, []));
        Assert.Throws<ArgumentException>(() => RtpPacketWriter.Write(
            new byte[300_000], new RtpHeader { HasExtension = true, ExtensionData = new byte[65536 * 4] }, []));
        Assert.Equal(15, RtpPacketWriter.Write(new byte[15], header, new byte[3]));
    }

    [Fact]
    public void Writing_allocates_nothing()
    {
        var header = new RtpHeader { PayloadType = 96, Csrcs = new uint[] { 1, 2 }, HasExtension = true, ExtensionProfile = 0xBEDE, ExtensionData = new byte[] { 0x10, 1, 0, 0 } };
        byte[] buffer = new byte[1500];
        byte[] payload = new byte[1000];
        RtpPacketWriter.Write(buffer, header, payload);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            header.SequenceNumber++;
            int n = RtpPacketWriter.Write(buffer, header, payload);
            Assert.True(RtpPacketView.TryParse(buffer.AsSpan(0, n), out var packet) && packet.SequenceNumber == header.SequenceNumber);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
