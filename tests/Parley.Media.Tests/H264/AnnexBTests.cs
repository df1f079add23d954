using FsCheck;
using FsCheck.Fluent;
using Parley.Media.H264;

namespace Parley.Media.Tests.H264;

public sealed class AnnexBTests
{
    private static List<byte[]> Split(byte[] stream)
    {
        var units = new List<byte[]>();
        foreach (var nal in AnnexB.EnumerateNalUnits(stream))
        {
            units.Add(nal.ToArray());
        }

        return units;
    }

    [Fact]
    public void SplitsThreeAndFourByteStartCodesAndDropsTrailingZeros()
    {
        byte[] stream = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 6];
        var units = Split(stream);
        Assert.Equal(3, units.Count);
        Assert.Equal(new byte[] { 0x67, 1, 2 }, units[0]);
        Assert.Equal(new byte[] { 0x68, 3 }, units[1]);
        Assert.Equal(new byte[] { 0x65, 4, 5, 6 }, units[2]);
    }

    [Fact]
    public void IgnoresLeadingGarbageAndEmptyUnits()
    {
        byte[] stream = [9, 9, 0, 0, 1, 0, 0, 1, 0x41, 7];
        var units = Split(stream);
        Assert.Single(units);
        Assert.Equal(new byte[] { 0x41, 7 }, units[0]);
    }

    [Fact]
    public void NoStartCodeYieldsNothing()
    {
        Assert.Empty(Split([1, 2, 3, 0, 0]));
        Assert.Empty(Split([]));
    }

    [Fact]
    public void RandomInputNeverThrowsAndUnitsNeverContainStartCodes()
    {
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Elements<byte>(0, 0, 0, 1, 0x65, 7))), bytes =>
        {
            foreach (var unit in Split(bytes))
            {
                if (unit.Length == 0 || unit.AsSpan().IndexOf((ReadOnlySpan<byte>)[0, 0, 1]) >= 0)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
