namespace Parley.Rtp.Stun;

/// <summary>
/// STUN attribute types used by ICE (RFC 8489 §18.3, RFC 8445 §16.1). Types below 0x8000 are
/// comprehension-required: a request carrying an unknown one gets a 420 error (RFC 8489 §6.3.1.1).
/// </summary>
public static class StunAttributeType
{
    /// <summary>MAPPED-ADDRESS (RFC 8489 §14.1), the pre-XOR form; read by old clients only.</summary>
    public const ushort MappedAddress = 0x0001;

    /// <summary>USERNAME (RFC 8489 §14.3): for ICE, "receiver-ufrag:sender-ufrag" (RFC 8445 §7.2.2).</summary>
    public const ushort Username = 0x0006;

    /// <summary>MESSAGE-INTEGRITY (RFC 8489 §14.5): 20-byte HMAC-SHA1.</summary>
    public const ushort MessageIntegrity = 0x0008;

    /// <summary>ERROR-CODE (RFC 8489 §14.8).</summary>
    public const ushort ErrorCode = 0x0009;

    /// <summary>UNKNOWN-ATTRIBUTES (RFC 8489 §14.9), in a 420 response.</summary>
    public const ushort UnknownAttributes = 0x000A;

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 §14.2).</summary>
    public const ushort XorMappedAddress = 0x0020;

    /// <summary>PRIORITY (RFC 8445 §7.1.1): 32-bit priority of a peer-reflexive candidate.</summary>
    public const ushort Priority = 0x0024;

    /// <summary>USE-CANDIDATE (RFC 8445 §7.1.2): empty flag, the controlling agent nominates the pair.</summary>
    public const ushort UseCandidate = 0x0025;

    /// <summary>SOFTWARE (RFC 8489 §14.14).</summary>
    public const ushort Software = 0x8022;

    /// <summary>FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message XOR 0x5354554e.</summary>
    public const ushort Fingerprint = 0x8028;

    /// <summary>ICE-CONTROLLED (RFC 8445 §7.1.3): 64-bit tie-breaker.</summary>
    public const ushort IceControlled = 0x8029;

    /// <summary>ICE-CONTROLLING (RFC 8445 §7.1.3): 64-bit tie-breaker.</summary>
    public const ushort IceControlling = 0x802A;

    /// <summary>True for types 0x0000-0x7FFF, which a receiver must understand (RFC 8489 §14).</summary>
    public static bool IsComprehensionRequired(ushort type) => type < 0x8000;
}
