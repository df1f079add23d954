using System.Diagnostics;

namespace Parley.Hub.Streams;

/// <summary>
/// One RTP or RTCP packet as it flows from a publisher to every reader: the bytes are copied once from the
/// publisher's socket into a pooled buffer and the same instance is queued to all readers, counted by references.
/// </summary>
/// <remarks>
/// Owners call <see cref="AddRef"/> before handing the packet to another queue and <see cref="Release"/> when done;
/// the last release returns it to its <see cref="MediaPacketPool"/>. Nothing here allocates in steady state.
/// </remarks>
public sealed class MediaPacket
{
    private readonly MediaPacketPool _pool;
    private readonly byte[] _buffer;
    private int _references;

    internal MediaPacket(MediaPacketPool pool, int capacity)
    {
        _pool = pool;
        _buffer = new byte[capacity];
    }

    /// <summary>Index of the track (SDP media section) the packet belongs to.</summary>
    public int TrackIndex { get; private set; }

    /// <summary>True for RTCP, false for RTP.</summary>
    public bool IsRtcp { get; private set; }

    /// <summary>True when a decoder can start at this packet (see <see cref="Parley.Media.RtpFrameStart"/>).</summary>
    public bool IsFrameStart { get; private set; }

    /// <summary>Packet length in bytes.</summary>
    public int Length { get; private set; }

    /// <summary>The packet bytes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>Maximum packet size in bytes this instance can hold.</summary>
    public int Capacity => _buffer.Length;

    internal void Initialize(int trackIndex, bool isRtcp, bool isFrameStart, ReadOnlySpan<byte> data)
    {
        Debug.Assert(data.Length <= _buffer.Length);
        data.CopyTo(_buffer);
        Length = data.Length;
        TrackIndex = trackIndex;
        IsRtcp = isRtcp;
        IsFrameStart = isFrameStart;
        _references = 1;
    }

    /// <summary>Takes one more reference; pair every call with <see cref="Release"/>.</summary>
    public void AddRef() => Interlocked.Increment(ref _references);

    /// <summary>Drops one reference; the last one returns the packet to its pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _pool.Return(this);
        }

        Debug.Assert(left >= 0, "MediaPacket released more often than referenced");
    }
}
