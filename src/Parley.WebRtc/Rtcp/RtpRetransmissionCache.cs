using System.Buffers;
using System.Buffers.Binary;
using Parley.Rtp;

namespace Parley.WebRtc.Rtcp;

/// <summary>
/// The last packets sent on one RTP stream, kept so a generic NACK (RFC 4585 §6.2.1) can be answered by sending
/// the same packet again (same SSRC and sequence number; RFC 4588 retransmission without an RTX stream).
/// </summary>
/// <remarks>
/// A ring of <c>capacity</c> slots indexed by sequence number modulo the capacity; each slot holds a buffer rented
/// from <see cref="ArrayPool{T}.Shared"/> on first use and reused after, so storing allocates nothing in steady state.
/// A slot remembers which sequence number it holds, so a NACK for a packet the ring already overwrote (older than
/// <c>capacity</c> packets) misses instead of returning the wrong packet. Not thread-safe: the owner serializes
/// <see cref="Store"/> and <see cref="TryGet"/> (a WHEP session does both under its send lock).
/// </remarks>
public sealed class RtpRetransmissionCache : IDisposable
{
    /// <summary>The default number of packets kept: 512, about 0.5 s of 8 Mbit/s video in 1200-byte packets.</summary>
    public const int DefaultCapacity = 512;

    private readonly byte[]?[] _buffers;
    private readonly int[] _lengths;
    private readonly ushort[] _sequenceNumbers;
    private readonly int _mask;
    private readonly int _maxPacketSize;
    private bool _disposed;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="capacity">Packets kept, a power of two from 16 to 32768.</param>
    /// <param name="maxPacketSize">The largest packet stored, in bytes; longer packets are not kept.</param>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not a power of two in range, or the size is not positive.</exception>
    public RtpRetransmissionCache(int capacity = DefaultCapacity, int maxPacketSize = 1500)
    {
        if (capacity is < 16 or > 32768 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two from 16 to 32768");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPacketSize);
        _buffers = new byte[capacity][];
        _lengths = new int[capacity];
        _sequenceNumbers = new ushort[capacity];
        _mask = capacity - 1;
        _maxPacketSize = maxPacketSize;
    }

    /// <summary>Packets the cache can hold.</summary>
    public int Capacity => _buffers.Length;

    /// <summary>
    /// Keeps a copy of the RTP packet <paramref name="packet"/> (unprotected, as it is sent) under its sequence
    /// number, replacing the packet <see cref="Capacity"/> numbers older. Packets that are not RTP or are longer than
    /// the maximum size are ignored.
    /// </summary>
    /// <returns>True when the packet was kept.</returns>
    public bool Store(ReadOnlySpan<byte> packet)
    {
        if (_disposed || packet.Length < RtpPacketView.FixedHeaderLength || packet.Length > _maxPacketSize || (packet[0] >> 6) != 2)
        {
            return false;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        int slot = sequence & _mask;
        var buffer = _buffers[slot] ??= ArrayPool<byte>.Shared.Rent(_maxPacketSize);
        packet.CopyTo(buffer);
        _lengths[slot] = packet.Length;
        _sequenceNumbers[slot] = sequence;
        return true;
    }

    /// <summary>Finds the packet sent with <paramref name="sequenceNumber"/>.</summary>
    /// <param name="sequenceNumber">The RTP sequence number a NACK names.</param>
    /// <param name="packet">The stored bytes, valid until the next <see cref="Store"/>; copy before protecting.</param>
    /// <returns>False when the packet was never stored or has been overwritten.</returns>
    public bool TryGet(ushort sequenceNumber, out ReadOnlySpan<byte> packet)
    {
        int slot = sequenceNumber & _mask;
        if (_disposed || _buffers[slot] is not { } buffer || _sequenceNumbers[slot] != sequenceNumber || _lengths[slot] == 0)
        {
            packet = default;
            return false;
        }

        packet = buffer.AsSpan(0, _lengths[slot]);
        return true;
    }

    /// <summary>Returns the buffers to the pool; later calls store and find nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (int i = 0; i < _buffers.Length; i++)
        {
            if (_buffers[i] is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _buffers[i] = null;
            }
        }
    }
}
