using FsCheck;
using FsCheck.Fluent;
using Parley.Media.Vp8;

namespace Parley.Media.Tests.Vp8;

public class Vp8PayloadDescriptorTests
{
    [Fact]
    public void One_byte_descriptor_gives_S_N_and_PID()
    {
        Assert.True(Vp8PayloadDescriptor.TryParse([0x30, 0x9D], out var d));
        Assert.True(d.StartOfPartition);
        Assert.True(d.NonReference);
        Assert.Equal(0, d.PartitionIndex);
        Assert.True(d.IsFrameStart);
        Assert.Equal(Vp8PayloadDescriptor.NoPictureId, d.PictureId);
        Assert.Equal(1, d.Length);

        Assert.True(Vp8PayloadDescriptor.TryParse([0x13, 0x00], out d));
        Assert.Equal(3, d.PartitionIndex);
        Assert.False(d.IsFrameStart); // S = 1 on a later partition is not a frame start
    }

    [Fact]
    public void Picture_id_is_7_or_15_bits_by_the_M_bit()
    {
        Assert.True(Vp8PayloadDescriptor.TryParse([0x90, 0x80, 0x55, 0xAA], out var d7));
        Assert.Equal((0x55, 7, 3), (d7.PictureId, d7.PictureIdBits, d7.Length));

        Assert.True(Vp8PayloadDescriptor.TryParse([0x90, 0x80, 0xB2, 0x34, 0xAA], out var d15));
        Assert.Equal((0x3234, 15, 4), (d15.PictureId, d15.PictureIdBits, d15.Length));
    }

    [Fact]
    public void All_extensions_are_read_in_order_I_L_then_one_T_K_byte()
    {
        // X; I L T K; M=1 picture id 0x0102; TL0PICIDX 7; TID 2, Y 1, KEYIDX 9; then VP8 data.
        Assert.True(Vp8PayloadDescriptor.TryParse([0x80, 0xF0, 0x81, 0x02, 0x07, 0xA9, 0xEE], out var d));
        Assert.Equal(0x0102, d.PictureId);
        Assert.Equal(7, d.Tl0PictureIndex);
        Assert.Equal(2, d.TemporalLayer);
        Assert.True(d.LayerSync);
        Assert.Equal(9, d.KeyIndex);
        Assert.Equal(6, d.Length);

        // K alone still takes the whole byte; TID stays absent.
        Assert.True(Vp8PayloadDescriptor.TryParse([0x80, 0x10, 0xE5, 0xEE], out var k));
        Assert.Equal((-1, 5, 3), (k.TemporalLayer, k.KeyIndex, k.Length));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x10 })] // no VP8 data
    [InlineData(new byte[] { 0x90 })] // X without its byte
    [InlineData(new byte[] { 0x90, 0x80 })] // I without the picture ID
    [InlineData(new byte[] { 0x90, 0x80, 0x81 })] // M without the second byte
    [InlineData(new byte[] { 0x90, 0x80, 0x81, 0x02 })] // no VP8 data after a 15-bit ID
    [InlineData(new byte[] { 0x90, 0x40 })] // L without TL0PICIDX
    [InlineData(new byte[] { 0x90, 0x20 })] // T without its byte
    public void Truncated_descriptors_are_refused(byte[] payload) =>
        Assert.False(Vp8PayloadDescriptor.TryParse(payload, out _));

    [Fact]
    public void Written_descriptors_parse_back_and_any_bytes_parse_without_throwing()
    {
        Prop.ForAll(
            Arb.From(Gen.Choose(-1, 0x7FFF)),
            Arb.From(Gen.Elements(true, false)),
            Arb.From(Gen.Elements(true, false)),
            (pictureId, start, nonReference) =>
            {
                byte[] buffer = new byte[Vp8PayloadDescriptor.MaxLength + 1];
                int length = Vp8PayloadDescriptor.Write(buffer, start, nonReference, pictureId);
                return Vp8PayloadDescriptor.TryParse(buffer.AsSpan(0, length + 1), out var d)
                    && d.Length == length && d.PictureId == pictureId && d.IsFrameStart == start
                    && d.NonReference == nonReference && d.PictureIdBits == (pictureId < 0 ? 0 : 15);
            }).QuickCheckThrowOnFailure();

        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))), bytes =>
        {
            byte[] copy = bytes.ToArray();
            bool parsed = Vp8PayloadDescriptor.TryParse(bytes, out var d);
            return bytes.AsSpan().SequenceEqual(copy) && (!parsed || (d.Length is >= 1 and <= Vp8PayloadDescriptor.MaxLength && d.Length < bytes.Length));
        }).QuickCheckThrowOnFailure();
    }
}
