namespace Parley.Rtp;

/// <summary>
/// A 64-bit NTP timestamp: seconds since 1900-01-01 00:00 UTC in the high 32 bits and a binary fraction of a
/// second in the low 32 bits (RFC 3550 §4, RFC 5905 §6). Used in RTCP sender reports (RFC 3550 §6.4.1).
/// </summary>
/// <param name="Value">The raw 64-bit value as carried on the wire.</param>
public readonly record struct NtpTimestamp(ulong Value)
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;

    /// <summary>1900-01-01 00:00 UTC, the start of NTP era 0.</summary>
    public static readonly DateTime Era0 = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>2036-02-07 06:28:16 UTC, the start of NTP era 1 (seconds wrap to 0).</summary>
    public static readonly DateTime Era1 = Era0.AddTicks((1L << 32) * TicksPerSecond);

    /// <summary>Creates a timestamp from whole seconds since the era start and a fraction in units of 2^-32 s.</summary>
    public NtpTimestamp(uint seconds, uint fraction)
        : this(((ulong)seconds << 32) | fraction)
    {
    }

    /// <summary>Whole seconds since the start of the NTP era (the "NTP timestamp, most significant word").</summary>
    public uint Seconds => (uint)(Value >> 32);

    /// <summary>The fraction of a second in units of 2^-32 s (the "least significant word").</summary>
    public uint Fraction => (uint)Value;

    /// <summary>
    /// The middle 32 bits (16 bits of seconds, 16 bits of fraction, units of 1/65536 s): what a receiver puts in
    /// a report block's "last SR timestamp (LSR)" field (RFC 3550 §6.4.1).
    /// </summary>
    public uint Middle32 => (uint)(Value >> 16);

    /// <summary>
    /// Converts a UTC time to an NTP timestamp (RFC 3550 §4). Times from 2036-02-07 on wrap into era 1, as
    /// RFC 5905 §6 prescribes; precision is the 100 ns of <see cref="DateTime"/>.
    /// </summary>
    /// <param name="utc">A UTC time (a <see cref="DateTimeKind.Local"/> value is converted to UTC first).</param>
    /// <exception cref="ArgumentOutOfRangeException">The time is before 1900-01-01.</exception>
    public static NtpTimestamp FromDateTime(DateTime utc)
    {
        if (utc.Kind == DateTimeKind.Local)
        {
            utc = utc.ToUniversalTime();
        }

        long ticks = utc.Ticks - Era0.Ticks;
        ArgumentOutOfRangeException.ThrowIfNegative(ticks, nameof(utc));
        ulong seconds = (ulong)(ticks / TicksPerSecond);
        ulong fraction = ((ulong)(ticks % TicksPerSecond) << 32) / TicksPerSecond;
        return new NtpTimestamp(unchecked((seconds << 32) | fraction));
    }

    /// <summary>
    /// Converts to a UTC <see cref="DateTime"/>, rounded to 100 ns. Following RFC 4330 §3, a value whose most
    /// significant bit is 0 is read as era 1 (2036-2104), otherwise as era 0 (1968-2036).
    /// </summary>
    public DateTime ToDateTime()
    {
        DateTime era = (Seconds & 0x8000_0000u) != 0 ? Era0 : Era1;
        long fractionTicks = (long)((((ulong)Fraction * TicksPerSecond) + (1UL << 31)) >> 32);
        return era.AddTicks((Seconds * TicksPerSecond) + fractionTicks);
    }

    /// <summary>Converts a duration in units of 1/65536 s (LSR/DLSR, RFC 3550 §6.4.1) to a <see cref="TimeSpan"/>.</summary>
    public static TimeSpan ShortFormatToTimeSpan(uint units) => TimeSpan.FromTicks((long)(((ulong)units * TicksPerSecond) >> 16));

    /// <summary>
    /// Converts a non-negative duration to units of 1/65536 s for the DLSR field (RFC 3550 §6.4.1), saturating
    /// at <see cref="uint.MaxValue"/>; negative durations give 0.
    /// </summary>
    public static uint TimeSpanToShortFormat(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return 0;
        }

        if (duration.Ticks >= 1L << 47)
        {
            return uint.MaxValue;
        }

        ulong units = ((ulong)duration.Ticks << 16) / TicksPerSecond;
        return units > uint.MaxValue ? uint.MaxValue : (uint)units;
    }
}
