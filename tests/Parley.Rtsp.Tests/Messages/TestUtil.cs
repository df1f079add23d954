using System.Buffers;
using System.Text;

namespace Parley.Rtsp.Tests.Messages;

/// <summary>One item read by <see cref="RtspMessageReader"/>, materialised for assertions.</summary>
public sealed record ReadItem(RtspParseResult Kind, RtspRequest? Request, RtspResponse? Response, byte Channel, byte[] Payload, RtspParseError Error);

public static class TestUtil
{
    public static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    public static byte[] LoadTestData(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    /// <summary>Reads items until Incomplete or Invalid; returns them and the number of bytes left over.</summary>
    public static (List<ReadItem> Items, long Remaining) ReadAll(ReadOnlySequence<byte> buffer, RtspParseLimits? limits = null)
    {
        var items = new List<ReadItem>();
        while (true)
        {
            var result = RtspMessageReader.TryRead(ref buffer, limits ?? RtspParseLimits.Default, out var req, out var resp, out var ch, out var payload, out var error);
            if (result == RtspParseResult.Incomplete)
            {
                return (items, buffer.Length);
            }

            items.Add(new ReadItem(result, req, resp, ch, payload.ToArray(), error));
            if (result == RtspParseResult.Invalid)
            {
                return (items, buffer.Length);
            }
        }
    }

    public static (List<ReadItem> Items, long Remaining) ReadAll(byte[] bytes, RtspParseLimits? limits = null) =>
        ReadAll(new ReadOnlySequence<byte>(bytes), limits);

    /// <summary>Feeds the bytes as a stream would arrive, in chunks of the given sizes, keeping unconsumed bytes.</summary>
    public static List<ReadItem> ReadChunked(byte[] bytes, IEnumerable<int> chunkSizes, RtspParseLimits? limits = null)
    {
        var items = new List<ReadItem>();
        var pending = new List<byte>();
        var offset = 0;
        using var sizes = chunkSizes.GetEnumerator();
        while (offset < bytes.Length)
        {
            var size = sizes.MoveNext() ? Math.Max(1, sizes.Current) : bytes.Length - offset;
            size = Math.Min(size, bytes.Length - offset);
            pending.AddRange(bytes.AsSpan(offset, size));
            offset += size;
            var (read, remaining) = ReadAll(pending.ToArray(), limits);
            items.AddRange(read);
            if (read.Count > 0 && read[^1].Kind == RtspParseResult.Invalid)
            {
                return items;
            }

            pending.RemoveRange(0, pending.Count - (int)remaining);
        }

        return items;
    }

    /// <summary>Builds a sequence of several segments split at the given offsets.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length).ToArray();
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in bounds)
        {
            var memory = bytes.AsMemory(start, end - start).ToArray().AsMemory();
            if (first is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }

            start = end;
        }

        if (first is null)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        return new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
