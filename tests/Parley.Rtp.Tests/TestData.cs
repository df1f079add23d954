using FsCheck;
using FsCheck.Fluent;

namespace Parley.Rtp.Tests;

/// <summary>Loads the captures under TestData (see TestData/README.md for how they were made).</summary>
internal static class TestData
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    /// <summary>One packet per line, hex.</summary>
    public static byte[][] HexLines(string name) =>
        File.ReadAllLines(PathOf(name))
            .Where(line => line.Length > 0)
            .Select(Convert.FromHexString)
            .ToArray();

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static Gen<byte> Bytes => Gen.Choose(0, 255).Select(b => (byte)b);

    public static Gen<byte[]> ByteArrays => Gen.ArrayOf(Bytes);

    public static Gen<byte[]> ByteArraysOf(int minLength, int maxLength) =>
        Gen.Choose(minLength, maxLength).SelectMany(n => Gen.ArrayOf(Bytes, n));

    public static Gen<ushort> UInt16s => Gen.Choose(0, 65535).Select(v => (ushort)v);

    public static Gen<uint> UInt32s =>
        Gen.Two(UInt16s).Select(t => ((uint)t.Item1 << 16) | t.Item2);

    /// <summary>Runs <paramref name="parse"/> on every prefix of <paramref name="packet"/> and checks the input is untouched.</summary>
    public static void ForEveryTruncation(byte[] packet, Func<byte[], bool> parse, bool fullIsValid = true)
    {
        for (int length = 0; length <= packet.Length; length++)
        {
            byte[] prefix = packet[..length];
            byte[] copy = (byte[])prefix.Clone();
            bool ok = parse(prefix);
            Assert.Equal(copy, prefix);
            if (length == packet.Length && fullIsValid)
            {
                Assert.True(ok, "the whole packet must parse");
            }
        }
    }
}
