namespace Parley.Security.Srtp;

/// <summary>
/// The replay list of RFC 3711 §3.3.2 as a sliding bitmap: the highest index received so far and which of the
/// <see cref="Size"/> indexes at and below it were received. Holds SRTP packet indexes (48 bits) and SRTCP
/// indexes (31 bits) alike. A value type with no references; allocates nothing.
/// </summary>
internal struct SrtpReplayWindow
{
    /// <summary>The window size in packets; RFC 3711 §3.3.2 asks for at least 64.</summary>
    public const int Size = 128;

    private UInt128 _received; // bit k: index Highest - k was received
    private long _highest;
    private bool _initialized;

    /// <summary>The highest index accepted so far; meaningful once <see cref="IsInitialized"/>.</summary>
    public readonly long Highest => _highest;

    /// <summary>True once an index has been accepted.</summary>
    public readonly bool IsInitialized => _initialized;

    /// <summary>
    /// True when <paramref name="index"/> was already accepted or lies <see cref="Size"/> or more below
    /// <see cref="Highest"/>, where the window can no longer tell (§3.3.2: such packets are discarded).
    /// </summary>
    public readonly bool IsReplay(long index)
    {
        if (!_initialized)
        {
            return false;
        }

        long behind = _highest - index;
        if (behind < 0)
        {
            return false;
        }

        return behind >= Size || ((_received >> (int)behind) & UInt128.One) != UInt128.Zero;
    }

    /// <summary>Records <paramref name="index"/> as received; call only after the packet authenticated.</summary>
    public void Accept(long index)
    {
        if (!_initialized)
        {
            _initialized = true;
            _highest = index;
            _received = UInt128.One;
            return;
        }

        long ahead = index - _highest;
        if (ahead > 0)
        {
            _received = ahead >= Size ? UInt128.Zero : _received << (int)ahead;
            _received |= UInt128.One;
            _highest = index;
        }
        else if (-ahead < Size)
        {
            _received |= UInt128.One << (int)-ahead;
        }
    }
}
