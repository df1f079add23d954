using FsCheck;
using FsCheck.Fluent;

namespace Parley.Rtp.Tests;

public class RtpHeaderExtensionTests
{
    [Fact]
    public void Gstreamer_transport_wide_sequence_numbers_count_up_by_one()
    {
        int expected = 0;
        foreach (byte[] bytes in TestData.HexLines("gst-opus-ext.rtp.hex"))
        {
            Assert.True(RtpPacketView.TryParse(bytes, out var packet));
            var reader = new RtpHeaderExtensionReader(packet.ExtensionProfile, packet.ExtensionData);
            Assert.True(reader.IsSupportedProfile);
            Assert.True(reader.TryReadNext(out byte id, out var value));
            Assert.Equal(2, id);
            Assert.Equal(2, value.Length);
            Assert.Equal(expected++, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(value));
            Assert.False(reader.TryReadNext(out _, out _)); // only padding follows
            Assert.False(reader.IsMalformed);
        }
    }

    [Fact]
    public void One_byte_form_matches_the_rfc_8285_example_with_padding_between_elements()
    {
        // RFC 8285 §4.2 figure: ID 1 L=0 (1 byte), ID 2 L=1 (2 bytes), two padding bytes, ID 3 L=3 (4 bytes).
        byte[] body = Convert.FromHexString("10AA21BBBB000033CCCCCCCC");
        var reader = new RtpHeaderExtensionReader(0xBEDE, body);
        Assert.True(reader.TryReadNext(out byte id, out var value));
        Assert.Equal((1, "AA"), (id, Convert.ToHexString(value)));
        Assert.True(reader.TryReadNext(out id, out value));
        Assert.Equal((2, "BBBB"), (id, Convert.ToHexString(value)));
        Assert.True(reader.TryReadNext(out id, out value));
        Assert.Equal((3, "CCCCCCCC"), (id, Convert.ToHexString(value)));
        Assert.False(reader.TryReadNext(out _, out _));
        Assert.False(reader.IsMalformed);
    }

    [Fact]
    public void Two_byte_form_matches_the_rfc_8285_example_including_an_empty_element()
    {
        // RFC 8285 §4.3 figure: ID 1 L=0, ID 2 L=1, padding, ID 3 L=4. Profile 0x100 with app bits 5.
        byte[] body = Convert.FromHexString("01000201BB000304CCCCCCCC");
        var reader = new RtpHeaderExtensionReader(0x1005, body);
        Assert.True(reader.TryReadNext(out byte id, out var value));
        Assert.Equal((1, 0), (id, value.Length));
        Assert.True(reader.TryReadNext(out id, out value));
        Assert.Equal((2, "BB"), (id, Convert.ToHexString(value)));
        Assert.True(reader.TryReadNext(out id, out value));
        Assert.Equal((3, "CCCCCCCC"), (id, Convert.ToHexString(value)));
        Assert.False(reader.TryReadNext(out _, out _));
        Assert.False(reader.IsMalformed);
    }

    [Fact]
    public void One_byte_id_15_stops_reading_without_being_malformed()
    {
        var reader = new RtpHeaderExtensionReader(0xBEDE, Convert.FromHexString("10AAF0BB20CC0000"));
        Assert.True(reader.TryReadNext(out byte id, out _));
        Assert.Equal(1, id);
        Assert.False(reader.TryReadNext(out _, out _));
        Assert.False(reader.IsMalformed);
    }

    [Theory]
    [InlineData(0xBEDE, "13AABB", "one-byte length 4 but 2 bytes left")]
    [InlineData(0xBEDE, "05AA", "one-byte ID 0 with a non-zero length")]
    [InlineData(0x1000, "01", "two-byte header cut after the ID")]
    [InlineData(0x1000, "0105AABB", "two-byte length 5 but 2 bytes left")]
    public void Malformed_bodies_stop_and_say_so(int profile, string hex, string why)
    {
        var reader = new RtpHeaderExtensionReader((ushort)profile, Convert.FromHexString(hex));
        Assert.False(reader.TryReadNext(out byte id, out var value), why);
        Assert.Equal(0, id);
        Assert.True(value.IsEmpty);
        Assert.True(reader.IsMalformed, why);
        Assert.False(reader.TryReadNext(out _, out _));
    }

    [Fact]
    public void Other_profiles_are_not_read()
    {
        var reader = new RtpHeaderExtensionReader(0xABAC, Convert.FromHexString("10AA0000"));
        Assert.False(reader.IsSupportedProfile);
        Assert.False(reader.TryReadNext(out _, out _));
        Assert.False(reader.IsMalformed);
    }

    [Fact]
    public void Writer_rejects_what_the_form_cannot_carry()
    {
        Assert.Throws<ArgumentException>(() => RtpHeaderExtensionWriter.WriteOneByteElement(new byte[20], 15, [1]));
        Assert.Throws<ArgumentException>(() => RtpHeaderExtensionWriter.WriteOneByteElement(new byte[20], 0, [1]));
        Assert.Throws<ArgumentException>(() => RtpHeaderExtensionWriter.WriteOneByteElement(new byte[20], 1, []));
        Assert.Throws<ArgumentException>(() => RtpHeaderExtensionWriter.WriteOneByteElement(new byte[20], 1, new byte[17]));
        Assert.Throws<ArgumentException>(() => RtpHeaderExtensionWriter.WriteTwoByteElement(new byte[300], 0, [1]));
        Assert.Throws<ArgumentException>(() => RtpHeaderExtensionWriter.WriteTwoByteElement(new byte[300], 1, new byte[256]));
        Assert.Throws<ArgumentException>(() => RtpHeaderExtensionWriter.WriteOneByte(new byte[3], [new(1, new byte[] { 1, 2 })]));
    }

    [Fact]
    public void Element_by_element_writing_matches_the_list_writer()
    {
        byte[] a = new byte[16];
        int n = RtpHeaderExtensionWriter.WriteOneByteElement(a, 1, [0xAA]);
        n += RtpHeaderExtensionWriter.WriteOneByteElement(a.AsSpan(n), 2, [0xBB, 0xBB]);
        n = RtpHeaderExtensionWriter.PadToWord(a, n);
        byte[] b = new byte[16];
        int m = RtpHeaderExtensionWriter.WriteOneByte(b, [new(1, new byte[] { 0xAA }), new(2, new byte[] { 0xBB, 0xBB })]);
        Assert.Equal(8, n);
        Assert.Equal(n, m);
        Assert.Equal(Convert.FromHexString("10AA21BBBB000000"), a[..n]);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Random_bodies_never_throw_and_never_read_past_the_end()
    {
        Prop.ForAll(
            Arb.From(Gen.Elements<ushort>(0xBEDE, 0x1000, 0x100F, 0x1234)),
            Arb.From(TestData.ByteArrays),
            (profile, body) =>
            {
                byte[] copy = (byte[])body.Clone();
                var reader = new RtpHeaderExtensionReader(profile, body);
                int total = 0;
                int count = 0;
                while (reader.TryReadNext(out byte id, out var value))
                {
                    Assert.NotEqual(0, id);
                    total += value.Length;
                    count++;
                }

                Assert.True(total + count <= body.Length);
                Assert.Equal(copy, body);
                return true;
            }).QuickCheckThrowOnFailure();
    }
}
