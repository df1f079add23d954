using System.Buffers.Binary;
using System.Text;

namespace Parley.Media.Tests.Mp4;

/// <summary>
/// Test infrastructure: a tiny ISO BMFF box reader, independent of the muxer's writer, that checks every size
/// (children fill their parent exactly) while it parses.
/// </summary>
public sealed class Mp4TestBox
{
    // Boxes whose payload is (after a fixed prefix) nothing but child boxes.
    private static readonly Dictionary<string, int> ContainerPrefix = new()
    {
        ["moov"] = 0, ["trak"] = 0, ["mdia"] = 0, ["minf"] = 0, ["dinf"] = 0, ["stbl"] = 0, ["mvex"] = 0,
        ["moof"] = 0, ["traf"] = 0, ["dref"] = 8, ["stsd"] = 8, ["avc1"] = 78, ["Opus"] = 28, ["mp4a"] = 28,
    };

    private Mp4TestBox(string type, byte[] file, int offset, int size, List<Mp4TestBox> children)
    {
        Type = type;
        Offset = offset;
        Size = size;
        Payload = file.AsMemory(offset + 8, size - 8);
        Children = children;
    }

    public string Type { get; }

    public int Offset { get; }

    public int Size { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    public List<Mp4TestBox> Children { get; }

    public byte Version => Payload.Span[0];

    public uint Flags => BinaryPrimitives.ReadUInt32BigEndian(Payload.Span) & 0xFFFFFF;

    /// <summary>Parses top-level boxes filling <paramref name="file"/> exactly; throws (test failure) otherwise.</summary>
    public static List<Mp4TestBox> ParseAll(byte[] file) => ParseRange(file, 0, file.Length);

    public Mp4TestBox Child(string type) => Children.Single(c => c.Type == type);

    /// <summary>Follows a path such as "moov/trak/mdia/mdhd", taking the first match at each step.</summary>
    public Mp4TestBox Find(string path)
    {
        Mp4TestBox box = this;
        foreach (string part in path.Split('/'))
        {
            box = box.Children.First(c => c.Type == part);
        }

        return box;
    }

    public uint U32(int offset) => BinaryPrimitives.ReadUInt32BigEndian(Payload.Span[offset..]);

    public ushort U16(int offset) => BinaryPrimitives.ReadUInt16BigEndian(Payload.Span[offset..]);

    public ulong U64(int offset) => BinaryPrimitives.ReadUInt64BigEndian(Payload.Span[offset..]);

    public string FourCc(int offset) => Encoding.ASCII.GetString(Payload.Span.Slice(offset, 4));

    private static List<Mp4TestBox> ParseRange(byte[] file, int start, int end)
    {
        var boxes = new List<Mp4TestBox>();
        int at = start;
        while (at < end)
        {
            Assert.True(end - at >= 8, $"Truncated box header at {at}.");
            int size = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at)));
            string type = Encoding.ASCII.GetString(file, at + 4, 4);
            Assert.True(size >= 8 && at + size <= end, $"Box {type} at {at} has size {size}, beyond its parent's end {end}.");
            var children = ContainerPrefix.TryGetValue(type, out int prefix)
                ? ParseRange(file, at + 8 + prefix, at + size)
                : [];
            boxes.Add(new Mp4TestBox(type, file, at, size, children));
            at += size;
        }

        Assert.Equal(end, at);
        return boxes;
    }
}
