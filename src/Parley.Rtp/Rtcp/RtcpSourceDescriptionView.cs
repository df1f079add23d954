using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>SDES item types (RFC 3550 §6.5).</summary>
public static class RtcpSdesItemType
{
    /// <summary>END: the null item that terminates a chunk's item list.</summary>
    public const byte End = 0;

    /// <summary>CNAME: canonical end-point identifier, the one mandatory item (RFC 3550 §6.5.1).</summary>
    public const byte Cname = 1;

    /// <summary>NAME: user name (RFC 3550 §6.5.2).</summary>
    public const byte Name = 2;

    /// <summary>EMAIL (RFC 3550 §6.5.3).</summary>
    public const byte Email = 3;

    /// <summary>PHONE (RFC 3550 §6.5.4).</summary>
    public const byte Phone = 4;

    /// <summary>LOC: geographic location (RFC 3550 §6.5.5).</summary>
    public const byte Location = 5;

    /// <summary>TOOL: application or tool name (RFC 3550 §6.5.6).</summary>
    public const byte Tool = 6;

    /// <summary>NOTE: notice/status (RFC 3550 §6.5.7).</summary>
    public const byte Note = 7;

    /// <summary>PRIV: private extensions (RFC 3550 §6.5.8).</summary>
    public const byte Private = 8;
}

/// <summary>One SDES item: its type and UTF-8 text (RFC 3550 §6.5).</summary>
public readonly ref struct RtcpSdesItem
{
    /// <summary>Creates an item view.</summary>
    public RtcpSdesItem(byte type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    /// <summary>The item type, see <see cref="RtcpSdesItemType"/>.</summary>
    public byte Type { get; }

    /// <summary>The item text, UTF-8, 0-255 bytes, without the type and length bytes.</summary>
    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>One SDES chunk: an SSRC/CSRC and its items (RFC 3550 §6.5).</summary>
public readonly ref struct RtcpSdesChunk
{
    private readonly ReadOnlySpan<byte> _items;

    /// <summary>Creates a chunk view over the items (after the SSRC, up to and excluding the END item).</summary>
    public RtcpSdesChunk(uint ssrc, ReadOnlySpan<byte> items)
    {
        Ssrc = ssrc;
        _items = items;
    }

    /// <summary>The SSRC or CSRC the items describe.</summary>
    public uint Ssrc { get; }

    /// <summary>The raw item bytes, without the END item and padding.</summary>
    public ReadOnlySpan<byte> ItemBytes => _items;

    /// <summary>Enumerates the items of this chunk; use in <c>foreach</c>.</summary>
    public RtcpSdesItemEnumerator Items => new(_items);

    /// <summary>Finds the first item of <paramref name="type"/>, e.g. <see cref="RtcpSdesItemType.Cname"/>.</summary>
    public bool TryGetItem(byte type, out ReadOnlySpan<byte> value)
    {
        foreach (var item in Items)
        {
            if (item.Type == type)
            {
                value = item.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}

/// <summary>Enumerates SDES items of one chunk (RFC 3550 §6.5). Stops at a truncated item.</summary>
public ref struct RtcpSdesItemEnumerator
{
    private readonly ReadOnlySpan<byte> _items;
    private int _offset;

    internal RtcpSdesItemEnumerator(ReadOnlySpan<byte> items)
    {
        _items = items;
        _offset = 0;
        Current = default;
    }

    /// <summary>The current item.</summary>
    public RtcpSdesItem Current { get; private set; }

    /// <summary>Returns this enumerator, so it works in <c>foreach</c>.</summary>
    public readonly RtcpSdesItemEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next item.</summary>
    public bool MoveNext()
    {
        if (_offset + 2 > _items.Length || _items[_offset] == RtcpSdesItemType.End)
        {
            return false;
        }

        int length = _items[_offset + 1];
        if (_offset + 2 + length > _items.Length)
        {
            return false;
        }

        Current = new RtcpSdesItem(_items[_offset], _items.Slice(_offset + 2, length));
        _offset += 2 + length;
        return true;
    }
}

/// <summary>Enumerates the chunks of an SDES packet (RFC 3550 §6.5).</summary>
public ref struct RtcpSdesChunkEnumerator
{
    private readonly ReadOnlySpan<byte> _body;
    private int _remainingChunks;
    private int _offset;

    internal RtcpSdesChunkEnumerator(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        _remainingChunks = chunkCount;
        _offset = 0;
        Current = default;
    }

    /// <summary>The current chunk.</summary>
    public RtcpSdesChunk Current { get; private set; }

    /// <summary>Returns this enumerator, so it works in <c>foreach</c>.</summary>
    public readonly RtcpSdesChunkEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next chunk; false at the end or at a malformed chunk.</summary>
    public bool MoveNext()
    {
        if (_remainingChunks == 0)
        {
            return false;
        }

        if (!RtcpSourceDescriptionView.TryReadChunk(_body, _offset, out uint ssrc, out int itemsLength, out int next))
        {
            _remainingChunks = 0;
            return false;
        }

        Current = new RtcpSdesChunk(ssrc, _body.Slice(_offset + 4, itemsLength));
        _offset = next;
        _remainingChunks--;
        return true;
    }
}

/// <summary>
/// A zero-copy view over an RTCP SDES packet, PT 202 (RFC 3550 §6.5). <see cref="TryParse"/> validates every
/// chunk, so enumeration of a parsed view sees the whole packet.
/// </summary>
public readonly ref struct RtcpSourceDescriptionView
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly int _chunkCount;

    private RtcpSourceDescriptionView(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        _chunkCount = chunkCount;
    }

    //          0                   1                   2                   3
    //          0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  header |V=2|P|    SC   |  PT=SDES=202  |             length            |
    //         +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  chunk  |                          SSRC/CSRC_1                          |
    //    1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         |                           SDES items                          |
    //         |                              ...                              |
    //         +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  chunk  |                          SSRC/CSRC_2                          |
    //    2    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //         :                              ...                              :
    //
    //  item:  |    type (8)   |   length (8)  | text (length bytes) ...
    //  Items end with one or more null octets (type 0), padding the chunk to a 32-bit boundary.

    /// <summary>Interprets <paramref name="packet"/> as SDES and validates all SC chunks (RFC 3550 §6.5).
    /// Never throws.</summary>
    /// <returns>False when the type is not 202, or a chunk is truncated or lacks its terminating null octet.</returns>
    public static bool TryParse(in RtcpPacketView packet, out RtcpSourceDescriptionView description)
    {
        description = default;
        if (packet.PacketType != RtcpPacketType.SourceDescription)
        {
            return false;
        }

        ReadOnlySpan<byte> body = packet.Body;
        int count = packet.Count;
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            if (!TryReadChunk(body, offset, out _, out _, out offset))
            {
                return false;
            }
        }

        description = new RtcpSourceDescriptionView(body, count);
        return true;
    }

    /// <summary>The number of chunks (SC), 0-31.</summary>
    public int ChunkCount => _chunkCount;

    /// <summary>Enumerates the chunks; use in <c>foreach</c>.</summary>
    public RtcpSdesChunkEnumerator GetEnumerator() => new(_body, _chunkCount);

    /// <summary>Finds the CNAME of <paramref name="ssrc"/> (RFC 3550 §6.5.1).</summary>
    public bool TryGetCname(uint ssrc, out ReadOnlySpan<byte> cname)
    {
        foreach (var chunk in this)
        {
            if (chunk.Ssrc == ssrc && chunk.TryGetItem(RtcpSdesItemType.Cname, out cname))
            {
                return true;
            }
        }

        cname = default;
        return false;
    }

    internal static bool TryReadChunk(ReadOnlySpan<byte> body, int offset, out uint ssrc, out int itemsLength, out int next)
    {
        ssrc = 0;
        itemsLength = 0;
        next = offset;
        if (offset + 4 > body.Length)
        {
            return false;
        }

        ssrc = BinaryPrimitives.ReadUInt32BigEndian(body[offset..]);
        int position = offset + 4;
        while (true)
        {
            if (position >= body.Length)
            {
                return false;
            }

            if (body[position] == RtcpSdesItemType.End)
            {
                break;
            }

            if (position + 2 > body.Length || position + 2 + body[position + 1] > body.Length)
            {
                return false;
            }

            position += 2 + body[position + 1];
        }

        itemsLength = position - offset - 4;

        // The END octet, then null octets up to the next 32-bit boundary (RFC 3550 §6.5); a body that ends
        // sooner is tolerated since there is nothing after it to misread.
        next = Math.Min((position + 4) & ~3, body.Length);
        return true;
    }
}
