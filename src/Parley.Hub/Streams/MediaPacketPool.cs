using System.Collections.Concurrent;

namespace Parley.Hub.Streams;

/// <summary>
/// A pool of <see cref="MediaPacket"/> buffers shared by every stream of a hub. Rent, fill, fan out, and the last
/// <see cref="MediaPacket.Release"/> brings the buffer back; the pool grows to the working set and then stops
/// allocating.
/// </summary>
public sealed class MediaPacketPool
{
    /// <summary>Largest packet the hub relays, in bytes: a full UDP datagram and an interleaved frame both fit.</summary>
    public const int MaxPacketSize = 65535;

    // Most RTP packets are under one MTU; big ones (interleaved publishers may send up to 64 KiB) get big buffers.
    private const int SmallCapacity = 1500;

    private readonly ConcurrentQueue<MediaPacket> _small = new();
    private readonly ConcurrentQueue<MediaPacket> _large = new();
    private readonly int _maxRetained;
    private int _retained;

    /// <summary>Creates a pool that keeps at most <paramref name="maxRetained"/> idle packets.</summary>
    public MediaPacketPool(int maxRetained = 65536) => _maxRetained = maxRetained;

    /// <summary>
    /// Rents a packet holding a copy of <paramref name="data"/> with one reference owned by the caller.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is longer than <see cref="MaxPacketSize"/>.</exception>
    public MediaPacket Rent(int trackIndex, bool isRtcp, bool isFrameStart, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxPacketSize)
        {
            throw new ArgumentException($"packet of {data.Length} bytes exceeds {MaxPacketSize}", nameof(data));
        }

        bool small = data.Length <= SmallCapacity;
        var queue = small ? _small : _large;
        if (queue.TryDequeue(out var packet))
        {
            Interlocked.Decrement(ref _retained);
        }
        else
        {
            packet = new MediaPacket(this, small ? SmallCapacity : MaxPacketSize);
        }

        packet.Initialize(trackIndex, isRtcp, isFrameStart, data);
        return packet;
    }

    internal void Return(MediaPacket packet)
    {
        if (Interlocked.Increment(ref _retained) > _maxRetained)
        {
            Interlocked.Decrement(ref _retained);
            return;
        }

        (packet.Capacity == SmallCapacity ? _small : _large).Enqueue(packet);
    }
}
