using System.Buffers;
using Parley.Rtp;

namespace Parley.Media.Jitter;

/// <summary>
/// Puts the RTP packets of one SSRC back in sequence order for a depacketizer, the first stage of a receiver
/// (`parley view`) behind a UDP socket that reorders, loses and delays packets. Each pushed packet is copied into a
/// buffer rented from <see cref="ArrayPool{T}.Shared"/>; <see cref="TryRead"/> releases packets by extended
/// sequence number (RFC 3550 A.1). A missing packet is waited for at most <c>maxWait</c> after the first packet
/// behind it arrived, or until the packets held span more than <c>capacity</c> sequence numbers; then it is given
/// up as lost and the next packet is released with <see cref="ReorderedRtpPacket.LostBefore"/> set.
/// </summary>
/// <remarks>
/// <para>Use: after each <see cref="Push"/>, call <see cref="TryRead"/> until it returns false; when it does, call
/// it again after <see cref="GetTimeUntilNextRelease"/> (a gap's wait may run out without a new packet).</para>
/// <para>Duplicates of a held or recently released packet, and packets older than the last one released, are
/// dropped and counted. A jump of the sequence number by more than the buffer's reach (a restarted sender) is
/// treated as RFC 3550 A.1 treats a large jump: dropped unless the next packet follows it in sequence, in which
/// case the buffer starts over at that packet.</para>
/// <para>Time comes from the injected <see cref="TimeProvider"/>. Not thread safe: one owner per SSRC. Push and
/// TryRead allocate nothing once the pool is warm.</para>
/// </remarks>
public sealed class RtpReorderBuffer : IDisposable
{
    /// <summary>The default capacity: 512 packets, about 0.6 s of 720p30 video at 1 Mbit/s in 1200-byte packets.</summary>
    public const int DefaultCapacity = 512;

    /// <summary>The largest capacity: half the 16-bit sequence space, beyond which order is ambiguous.</summary>
    public const int MaxCapacity = 16384;

    private const int Empty = 0;
    private const int Held = 1;
    private const int Released = 2;

    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _maxWaitTicks;
    private readonly Slot[] _slots;
    private readonly int _mask;

    private SequenceUnwrapper _unwrapper;
    private bool _started;
    private long _next;
    private long _highest;
    private int _held;
    private long _gapSince = long.MaxValue;
    private ushort _jumpCandidate;
    private bool _hasJumpCandidate;
    private byte[]? _lastReleased;

    /// <summary>Creates a reorder buffer.</summary>
    /// <param name="maxWait">How long a missing packet is waited for, e.g. 30 ms for video; zero skips gaps at once.</param>
    /// <param name="capacity">The most sequence numbers the held packets may span, 2..<see cref="MaxCapacity"/>.</param>
    /// <param name="timeProvider">The clock for arrival times; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative wait, or a capacity out of range.</exception>
    public RtpReorderBuffer(TimeSpan maxWait, int capacity = DefaultCapacity, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _time = timeProvider ?? TimeProvider.System;
        _capacity = capacity;
        _maxWaitTicks = (long)Math.Ceiling(maxWait.TotalSeconds * _time.TimestampFrequency);

        // Twice the capacity, so a packet that lands just past a full window still has a slot of its own while
        // the window drains; the released half also remembers recent packets for duplicate detection.
        _slots = new Slot[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity * 2)];
        _mask = _slots.Length - 1;
    }

    /// <summary>Packets accepted and held.</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>Packets released in order by <see cref="TryRead"/>.</summary>
    public long PacketsReleased { get; private set; }

    /// <summary>Sequence numbers given up as lost (the sum of <see cref="ReorderedRtpPacket.LostBefore"/>).</summary>
    public long PacketsLost { get; private set; }

    /// <summary>Packets dropped because the same sequence number was held or had just been released.</summary>
    public long PacketsDuplicate { get; private set; }

    /// <summary>Packets dropped because a later packet had already been released (they came too late).</summary>
    public long PacketsLate { get; private set; }

    /// <summary>Packets dropped because they were not RTP (see <see cref="RtpPacketView.TryParse"/>).</summary>
    public long PacketsMalformed { get; private set; }

    /// <summary>
    /// Packets dropped because their sequence number was far out of the buffer's reach (more than the capacity
    /// behind, or twice the capacity ahead) and the next packet did not confirm the jump.
    /// </summary>
    public long PacketsOutOfRange { get; private set; }

    /// <summary>Held packets discarded when the sender's sequence numbers jumped and the buffer started over.</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>How often the buffer started over after a confirmed sequence number jump.</summary>
    public long Restarts { get; private set; }

    /// <summary>Packets held now, waiting for their turn.</summary>
    public int Count => _held;

    /// <summary>
    /// Copies one RTP packet into the buffer. Invalidates the packet last returned by <see cref="TryRead"/>.
    /// Never throws on wire input.
    /// </summary>
    /// <param name="rtpPacket">A whole RTP packet, header included; not kept.</param>
    /// <returns>True when the packet is held; false when it was malformed, a duplicate, late or out of reach (counted).</returns>
    public bool Push(ReadOnlySpan<byte> rtpPacket)
    {
        ReturnLastReleased();
        if (!RtpPacketView.TryParse(rtpPacket, out RtpPacketView view))
        {
            PacketsMalformed++;
            return false;
        }

        long now = _time.GetTimestamp();
        ushort sequenceNumber = view.SequenceNumber;
        long extended = _unwrapper.Unwrap(sequenceNumber);
        if (!_started)
        {
            _started = true;
            _next = extended;
            _highest = extended - 1;
        }

        if (extended < _next - _capacity || extended >= _next + _slots.Length)
        {
            if (!IsConfirmedJump(sequenceNumber))
            {
                PacketsOutOfRange++;
                return false;
            }

            extended = StartOver(sequenceNumber);
        }

        _hasJumpCandidate = false;
        ref Slot slot = ref _slots[extended & _mask];
        if (extended < _next)
        {
            if (slot.State == Released && slot.Extended == extended)
            {
                PacketsDuplicate++;
            }
            else
            {
                PacketsLate++;
            }

            return false;
        }

        if (slot.State == Held && slot.Extended == extended)
        {
            PacketsDuplicate++;
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(rtpPacket.Length);
        rtpPacket.CopyTo(buffer);
        slot = new Slot { Buffer = buffer, Length = rtpPacket.Length, Extended = extended, Arrival = now, State = Held };
        _held++;
        PacketsReceived++;
        _highest = Math.Max(_highest, extended);
        if (extended != _next && now < _gapSince)
        {
            _gapSince = now;
        }

        return true;
    }

    /// <summary>
    /// Releases the next packet in sequence order, if its turn has come: it is the next sequence number, or the
    /// packets missing before it were waited for long enough, or the buffer is full. Invalidates the packet
    /// returned by the previous call.
    /// </summary>
    /// <param name="packet">The released packet, a view valid until the next call on this buffer.</param>
    /// <returns>False when nothing may be released yet.</returns>
    public bool TryRead(out ReorderedRtpPacket packet)
    {
        ReturnLastReleased();
        packet = default;
        if (_held == 0)
        {
            return false;
        }

        if (!IsHeld(_next))
        {
            bool full = _highest - _next + 1 > _capacity;
            if (!full && _time.GetTimestamp() - _gapSince < _maxWaitTicks)
            {
                return false;
            }

            long first = _next + 1;
            while (!IsHeld(first))
            {
                first++;
            }

            int lost = (int)(first - _next);
            PacketsLost += lost;
            _next = first;
            packet = Release(lost);
            return true;
        }

        packet = Release(0);
        return true;
    }

    /// <summary>
    /// How long until <see cref="TryRead"/> may release a packet without a new one arriving: zero when it may
    /// now, <see cref="Timeout.InfiniteTimeSpan"/> when the buffer is empty.
    /// </summary>
    public TimeSpan GetTimeUntilNextRelease()
    {
        if (_held == 0)
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (IsHeld(_next) || _highest - _next + 1 > _capacity)
        {
            return TimeSpan.Zero;
        }

        long remaining = _gapSince + _maxWaitTicks - _time.GetTimestamp();
        return remaining <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)remaining / _time.TimestampFrequency);
    }

    /// <summary>Returns every pooled buffer. The buffer must not be used afterwards.</summary>
    public void Dispose()
    {
        ReturnLastReleased();
        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i].State == Held && _slots[i].Buffer is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _slots[i] = default;
        }

        _held = 0;
    }

    private bool IsHeld(long extended)
    {
        ref Slot slot = ref _slots[extended & _mask];
        return slot.State == Held && slot.Extended == extended;
    }

    private ReorderedRtpPacket Release(int lostBefore)
    {
        ref Slot slot = ref _slots[_next & _mask];
        slot.State = Released;
        _lastReleased = slot.Buffer;
        slot.Buffer = null;
        var packet = new ReorderedRtpPacket(_lastReleased.AsSpan(0, slot.Length), slot.Extended, lostBefore, slot.Arrival);
        _next++;
        _held--;
        PacketsReleased++;
        UpdateGapStart();
        return packet;
    }

    // The wait for a gap at the head starts when the first packet behind it arrived: the earliest arrival among
    // the packets held. Recomputed only when a release uncovers a new gap, so in-order streams never scan.
    private void UpdateGapStart()
    {
        _gapSince = long.MaxValue;
        if (_held == 0 || IsHeld(_next))
        {
            return;
        }

        for (long e = _next + 1; e <= _highest; e++)
        {
            ref Slot slot = ref _slots[e & _mask];
            if (slot.State == Held && slot.Extended == e && slot.Arrival < _gapSince)
            {
                _gapSince = slot.Arrival;
            }
        }
    }

    // RFC 3550 A.1: a large jump is believed only when the next packet follows it, so one stray packet cannot
    // throw away the buffer.
    private bool IsConfirmedJump(ushort sequenceNumber)
    {
        bool confirmed = _hasJumpCandidate && sequenceNumber == unchecked((ushort)(_jumpCandidate + 1));
        _jumpCandidate = sequenceNumber;
        _hasJumpCandidate = !confirmed;
        return confirmed;
    }

    private long StartOver(ushort sequenceNumber)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i].State == Held && _slots[i].Buffer is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                PacketsDiscarded++;
            }

            _slots[i] = default;
        }

        Restarts++;
        _held = 0;
        _gapSince = long.MaxValue;
        _unwrapper.Reset();
        long extended = _unwrapper.Unwrap(sequenceNumber);
        _next = extended;
        _highest = extended - 1;
        return extended;
    }

    private void ReturnLastReleased()
    {
        if (_lastReleased is { } buffer)
        {
            _lastReleased = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private struct Slot
    {
        public byte[]? Buffer;
        public int Length;
        public long Extended;
        public long Arrival;
        public int State;
    }
}
