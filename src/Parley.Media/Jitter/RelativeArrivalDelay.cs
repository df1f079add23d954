namespace Parley.Media.Jitter;

/// <summary>
/// Measures how late each packet arrives compared with the fastest packet of a sliding window (e.g. 2 s), the
/// quantity WebRTC NetEq bases its target delay on. A packet's transit is its arrival time minus its media time
/// (extended RTP timestamp / clock rate); its relative delay is its transit minus the smallest transit seen in
/// the window. The unknown clock offset between sender and receiver cancels out, and the window lets the
/// baseline follow clock drift and route changes.
/// </summary>
/// <remarks>
/// The window minimum is kept in a monotonic queue (transits increasing from front to back) in a fixed ring, so
/// each packet costs O(1) amortized and nothing is allocated after construction. If more than
/// <c>maxPackets</c> packets fall in one window, the oldest leave early. Not thread safe.
/// </remarks>
public sealed class RelativeArrivalDelay
{
    private readonly long[] _arrivals;
    private readonly long[] _transits;
    private readonly int _clockRate;
    private readonly long _windowTicks;
    private int _front;
    private int _count;
    private bool _hasOrigin;
    private long _originTimestamp;

    /// <summary>Creates an estimator.</summary>
    /// <param name="clockRate">The RTP clock rate in Hz, e.g. 48000 for Opus.</param>
    /// <param name="window">How far back the fastest packet is looked for, e.g. 2 s.</param>
    /// <param name="maxPackets">Packets the window can hold, e.g. 512 (10 ms packets for 5 s).</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive argument.</exception>
    public RelativeArrivalDelay(int clockRate, TimeSpan window, int maxPackets = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPackets);
        _clockRate = clockRate;
        _windowTicks = window.Ticks;
        _arrivals = new long[maxPackets];
        _transits = new long[maxPackets];
    }

    /// <summary>
    /// The smallest transit in the window (arrival minus media time, from an arbitrary origin): the expected
    /// arrival of media time <c>t</c> for a packet that meets no queueing is <c>MinimumTransit + t</c>.
    /// </summary>
    public TimeSpan MinimumTransit => _count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(_transits[_front]);

    /// <summary>True once a packet has been added.</summary>
    public bool HasBaseline => _hasOrigin;

    /// <summary>Records a packet and returns its delay relative to the fastest packet in the window (zero or more).</summary>
    /// <param name="extendedTimestamp">The packet's extended RTP timestamp (RTP clock units, see TimestampUnwrapper).</param>
    /// <param name="arrival">When the packet arrived, on the receiver's monotonic clock.</param>
    public TimeSpan Add(long extendedTimestamp, TimeSpan arrival)
    {
        long transit = arrival.Ticks - MediaTicks(extendedTimestamp);
        long now = arrival.Ticks;

        while (_count > 0 && _arrivals[_front] < now - _windowTicks)
        {
            PopFront();
        }

        while (_count > 0 && _transits[Back] >= transit)
        {
            _count--;
        }

        if (_count == _arrivals.Length)
        {
            PopFront();
        }

        int slot = (_front + _count) % _arrivals.Length;
        _arrivals[slot] = now;
        _transits[slot] = transit;
        _count++;
        return TimeSpan.FromTicks(transit - _transits[_front]);
    }

    /// <summary>
    /// The media time of <paramref name="extendedTimestamp"/> on this estimator's scale: RTP units converted to
    /// a <see cref="TimeSpan"/> from the first packet's timestamp. Zero before the first packet.
    /// </summary>
    public TimeSpan MediaTime(long extendedTimestamp) => _hasOrigin ? TimeSpan.FromTicks(MediaTicks(extendedTimestamp)) : TimeSpan.Zero;

    /// <summary>Forgets every packet, including the timestamp origin.</summary>
    public void Reset()
    {
        _front = 0;
        _count = 0;
        _hasOrigin = false;
    }

    private int Back => (_front + _count - 1) % _arrivals.Length;

    private void PopFront()
    {
        _front = (_front + 1) % _arrivals.Length;
        _count--;
    }

    private long MediaTicks(long extendedTimestamp)
    {
        if (!_hasOrigin)
        {
            _hasOrigin = true;
            _originTimestamp = extendedTimestamp;
        }

        // Relative to the first timestamp, so the product stays far from overflow for days of media.
        return (extendedTimestamp - _originTimestamp) * TimeSpan.TicksPerSecond / _clockRate;
    }
}
