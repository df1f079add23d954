namespace Parley.Security.Mikey;

/// <summary>The "next payload" values Parley reads and writes (RFC 3830 §6.1, table of payload types).</summary>
internal static class MikeyPayloadType
{
    /// <summary>No more payloads.</summary>
    public const byte Last = 0;

    /// <summary>Key data transport (KEMAC, §6.2).</summary>
    public const byte Kemac = 1;

    /// <summary>Timestamp (T, §6.6).</summary>
    public const byte Timestamp = 5;

    /// <summary>Security policy (SP, §6.10).</summary>
    public const byte SecurityPolicy = 10;

    /// <summary>Random value (RAND, §6.11).</summary>
    public const byte Rand = 11;

    /// <summary>Key data sub-payload inside KEMAC (§6.13).</summary>
    public const byte KeyData = 20;
}
