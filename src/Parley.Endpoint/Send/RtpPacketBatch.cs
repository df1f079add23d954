using Parley.Media;

namespace Parley.Endpoint.Send;

/// <summary>
/// The RTP packets of one frame, written by a packetizer into one reusable buffer (no allocation per packet once the
/// buffer has grown to the largest frame), then sent one by one as slices.
/// </summary>
internal sealed class RtpPacketBatch : IRtpPacketSink
{
    private byte[] _buffer = new byte[64 * 1024];
    private readonly List<(int Offset, int Length)> _packets = [];
    private int _used;
    private int _pendingOffset = -1;

    public int Count => _packets.Count;

    public ReadOnlyMemory<byte> this[int index] => _buffer.AsMemory(_packets[index].Offset, _packets[index].Length);

    public void Clear()
    {
        _packets.Clear();
        _used = 0;
    }

    public Span<byte> GetPacketBuffer(int minimumLength)
    {
        if (_used + minimumLength > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + minimumLength));
        }

        _pendingOffset = _used;
        return _buffer.AsSpan(_used, minimumLength);
    }

    public void Commit(int length, bool marker)
    {
        _packets.Add((_pendingOffset, length));
        _used = _pendingOffset + length;
        _pendingOffset = -1;
    }
}
