namespace Parley.Rtp;

/// <summary>
/// Wrap-around arithmetic on 16-bit RTP sequence numbers (RFC 3550 §5.1, A.1). The one place where modular
/// comparison of sequence numbers lives.
/// </summary>
public static class RtpSequence
{
    /// <summary>
    /// The signed distance from <paramref name="from"/> to <paramref name="to"/> in packets, modulo 2^16, in
    /// -32768..32767: positive when <paramref name="to"/> is later. Distance(65535, 0) is 1.
    /// </summary>
    public static int Distance(ushort from, ushort to) => unchecked((short)(to - from));

    /// <summary>
    /// True when <paramref name="candidate"/> comes after <paramref name="reference"/> in modular order, that is
    /// <c>Distance(reference, candidate)</c> is in 1..32767. Exactly half a cycle apart is not newer.
    /// </summary>
    public static bool IsNewer(ushort candidate, ushort reference) => Distance(reference, candidate) > 0;
}

/// <summary>
/// Wrap-around arithmetic on 32-bit RTP timestamps (RFC 3550 §5.1), in RTP clock units.
/// </summary>
public static class RtpTimestamp
{
    /// <summary>
    /// The signed distance from <paramref name="from"/> to <paramref name="to"/> in RTP clock units, modulo 2^32;
    /// positive when <paramref name="to"/> is later. Distance(0xFFFFFFFF, 0) is 1.
    /// </summary>
    public static int Distance(uint from, uint to) => unchecked((int)(to - from));

    /// <summary>True when <paramref name="candidate"/> is later than <paramref name="reference"/> modulo 2^32.</summary>
    public static bool IsNewer(uint candidate, uint reference) => Distance(reference, candidate) > 0;
}

/// <summary>
/// Turns 16-bit RTP sequence numbers into 64-bit extended sequence numbers (cycles * 65536 + sequence number,
/// RFC 3550 A.1), tolerating reordering across a wrap. Not thread safe; one per stream. Allocates nothing.
/// </summary>
/// <remarks>
/// The first number is returned unchanged. Each later number is placed at the modular distance (-32768..32767)
/// from the highest number seen so far, so a late packet from before a wrap gets the older cycle. A packet that
/// is older than the very first one across a wrap yields a negative value.
/// </remarks>
public struct SequenceUnwrapper
{
    private long _highest;
    private bool _initialized;

    /// <summary>The highest extended sequence number returned so far; 0 before the first call.</summary>
    public readonly long Highest => _highest;

    /// <summary>True once <see cref="Unwrap"/> has been called.</summary>
    public readonly bool IsInitialized => _initialized;

    /// <summary>Returns the extended sequence number of <paramref name="sequenceNumber"/>.</summary>
    public long Unwrap(ushort sequenceNumber)
    {
        if (!_initialized)
        {
            _initialized = true;
            _highest = sequenceNumber;
            return sequenceNumber;
        }

        long extended = _highest + RtpSequence.Distance(unchecked((ushort)_highest), sequenceNumber);
        if (extended > _highest)
        {
            _highest = extended;
        }

        return extended;
    }

    /// <summary>Forgets all state; the next number starts a new sequence.</summary>
    public void Reset()
    {
        _highest = 0;
        _initialized = false;
    }
}

/// <summary>
/// Turns 32-bit RTP timestamps into 64-bit extended timestamps (cycles * 2^32 + timestamp), the timestamp twin of
/// <see cref="SequenceUnwrapper"/>: each later value is placed at its signed modular distance
/// (<see cref="RtpTimestamp.Distance"/>) from the highest value seen so far, so a late packet from before a wrap
/// gets the older cycle. Not thread safe; one per stream. Allocates nothing.
/// </summary>
public struct TimestampUnwrapper
{
    private long _highest;
    private bool _initialized;

    /// <summary>The highest extended timestamp returned so far, in RTP clock units; 0 before the first call.</summary>
    public readonly long Highest => _highest;

    /// <summary>True once <see cref="Unwrap"/> has been called.</summary>
    public readonly bool IsInitialized => _initialized;

    /// <summary>Returns the extended timestamp of <paramref name="timestamp"/> (RTP clock units).</summary>
    public long Unwrap(uint timestamp)
    {
        if (!_initialized)
        {
            _initialized = true;
            _highest = timestamp;
            return timestamp;
        }

        long extended = _highest + RtpTimestamp.Distance(unchecked((uint)_highest), timestamp);
        if (extended > _highest)
        {
            _highest = extended;
        }

        return extended;
    }

    /// <summary>Forgets all state; the next timestamp starts a new timeline.</summary>
    public void Reset()
    {
        _highest = 0;
        _initialized = false;
    }
}
