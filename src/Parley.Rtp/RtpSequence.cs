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
    private ExtendedValue _state;

    /// <summary>The highest extended sequence number returned so far; 0 before the first call.</summary>
    public readonly long Highest => _state.Highest;

    /// <summary>True once <see cref="Unwrap"/> has been called.</summary>
    public readonly bool IsInitialized => _state.Initialized;

    /// <summary>Returns the extended sequence number of <paramref name="sequenceNumber"/>.</summary>
    public long Unwrap(ushort sequenceNumber) =>
        _state.Place(sequenceNumber, RtpSequence.Distance(unchecked((ushort)_state.Highest), sequenceNumber));

    /// <summary>Forgets all state; the next number starts a new sequence.</summary>
    public void Reset() => _state = default;
}

/// <summary>
/// Turns 32-bit RTP timestamps into 64-bit extended timestamps (cycles * 2^32 + timestamp), the timestamp twin of
/// <see cref="SequenceUnwrapper"/>: each later value is placed at its signed modular distance
/// (<see cref="RtpTimestamp.Distance"/>) from the highest value seen so far, so a late packet from before a wrap
/// gets the older cycle. Not thread safe; one per stream. Allocates nothing.
/// </summary>
public struct TimestampUnwrapper
{
    private ExtendedValue _state;

    /// <summary>The highest extended timestamp returned so far, in RTP clock units; 0 before the first call.</summary>
    public readonly long Highest => _state.Highest;

    /// <summary>True once <see cref="Unwrap"/> has been called.</summary>
    public readonly bool IsInitialized => _state.Initialized;

    /// <summary>Returns the extended timestamp of <paramref name="timestamp"/> (RTP clock units).</summary>
    public long Unwrap(uint timestamp) =>
        _state.Place(timestamp, RtpTimestamp.Distance(unchecked((uint)_state.Highest), timestamp));

    /// <summary>Forgets all state; the next timestamp starts a new timeline.</summary>
    public void Reset() => _state = default;
}

/// <summary>The shared core of the unwrappers: the highest extended value so far, moved by a modular distance.</summary>
internal struct ExtendedValue
{
    public long Highest;
    public bool Initialized;

    /// <summary>
    /// Places <paramref name="value"/> at <paramref name="distanceFromHighest"/> (the signed modular distance from
    /// the highest value's low bits) and returns its extended value; the first value is returned unchanged.
    /// </summary>
    public long Place(long value, long distanceFromHighest)
    {
        if (!Initialized)
        {
            Initialized = true;
            Highest = value;
            return value;
        }

        long extended = Highest + distanceFromHighest;
        if (extended > Highest)
        {
            Highest = extended;
        }

        return extended;
    }
}
