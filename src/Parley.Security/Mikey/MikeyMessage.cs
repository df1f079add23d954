namespace Parley.Security.Mikey;

/// <summary>MIKEY message types (RFC 3830 §6.1, "data type"). Parley writes and reads pre-shared-key messages.</summary>
public enum MikeyDataType : byte
{
    /// <summary>Initiator's pre-shared key message (I_MESSAGE of §3.1), what RFC 4567 SDP key-mgmt carries.</summary>
    PreSharedKeyInit = 0,

    /// <summary>Verification message of the pre-shared key method.</summary>
    PreSharedKeyVerification = 1,
}

/// <summary>Key data types of a key data sub-payload (RFC 3830 §6.13).</summary>
public enum MikeyKeyType : byte
{
    /// <summary>TEK generation key.</summary>
    TgkKey = 0,

    /// <summary>TEK generation key followed by a separate salt field.</summary>
    TgkWithSalt = 1,

    /// <summary>Traffic-encrypting key. GStreamer and gortsplib put the SRTP master key and salt together here.</summary>
    Tek = 2,

    /// <summary>Traffic-encrypting key followed by a separate salt field.</summary>
    TekWithSalt = 3,
}

/// <summary>
/// One crypto session of an SRTP-ID map (RFC 3830 §6.1.1): the SRTP stream identified by <see cref="Ssrc"/> is
/// protected with security policy <see cref="PolicyNumber"/>, and its rollover counter is <see cref="RolloverCounter"/>
/// now, so a receiver that joins after the sequence numbers wrapped computes the right packet index.
/// </summary>
/// <param name="PolicyNumber">Number of the security policy (SP payload) that applies.</param>
/// <param name="Ssrc">The SRTP stream's SSRC; 0 means "the SSRC is not known yet".</param>
/// <param name="RolloverCounter">The current ROC of that SSRC (RFC 3711 §3.3.1).</param>
public readonly record struct MikeyCryptoSession(byte PolicyNumber, uint Ssrc, uint RolloverCounter);

/// <summary>One policy parameter of an SP payload (RFC 3830 §6.10): type and value bytes.</summary>
/// <param name="Type">Parameter type; for SRTP see <see cref="MikeySrtpPolicy"/> (§6.10.1).</param>
/// <param name="Value">The value bytes, at most 255.</param>
public sealed record MikeyPolicyParameter(byte Type, byte[] Value);

/// <summary>A security policy payload (RFC 3830 §6.10).</summary>
/// <param name="PolicyNumber">Number the crypto sessions refer to.</param>
/// <param name="ProtocolType">0 for SRTP.</param>
/// <param name="Parameters">The parameters in wire order.</param>
public sealed record MikeySecurityPolicy(byte PolicyNumber, byte ProtocolType, IReadOnlyList<MikeyPolicyParameter> Parameters);

/// <summary>A key data sub-payload of the KEMAC payload (RFC 3830 §6.13).</summary>
/// <param name="Type">What the key is.</param>
/// <param name="Key">The key data bytes (for <see cref="MikeyKeyType.Tek"/> from GStreamer: master key then master salt).</param>
/// <param name="Salt">The separate salt of the *WithSalt types, otherwise null.</param>
public sealed record MikeyKeyData(MikeyKeyType Type, byte[] Key, byte[]? Salt);

/// <summary>
/// A MIKEY message (RFC 3830) as SDP carries it in <c>a=key-mgmt:mikey</c> (RFC 4567 §3.1): the common header with
/// its crypto session map, a timestamp, a random value, security policies and the keys of a KEMAC payload.
/// Parley sends and accepts KEMAC with NULL encryption and NULL MAC, which is only safe inside a protected
/// channel (RTSPS: the SDP travels in TLS) — as GStreamer and gortsplib do. See <see cref="MikeyReader"/> and
/// <see cref="MikeyWriter"/>.
/// </summary>
public sealed class MikeyMessage
{
    /// <summary>The MIKEY version; 1 (RFC 3830 §6.1).</summary>
    public byte Version { get; init; } = 1;

    /// <summary>The message type.</summary>
    public MikeyDataType DataType { get; init; } = MikeyDataType.PreSharedKeyInit;

    /// <summary>The V flag: whether the responder must answer with a verification message.</summary>
    public bool VerificationRequested { get; init; }

    /// <summary>The PRF that derives keys from the TGK; 0 (MIKEY-1) is the only one defined.</summary>
    public byte PrfFunction { get; init; }

    /// <summary>Crypto session bundle identifier, random.</summary>
    public uint CsbId { get; init; }

    /// <summary>The crypto sessions of the SRTP-ID map (CS ID map type 0).</summary>
    public IReadOnlyList<MikeyCryptoSession> CryptoSessions { get; init; } = [];

    /// <summary>The timestamp payload's value: NTP time (64 bits) or a counter (32 bits); null without a T payload.</summary>
    public ulong? Timestamp { get; init; }

    /// <summary>The timestamp type: 0 NTP-UTC, 1 NTP, 2 COUNTER (RFC 3830 §6.6).</summary>
    public byte TimestampType { get; init; }

    /// <summary>The RAND payload's bytes (at least 16 in a sent message, RFC 3830 §6.11); empty without one.</summary>
    public byte[] Rand { get; init; } = [];

    /// <summary>The security policy payloads.</summary>
    public IReadOnlyList<MikeySecurityPolicy> Policies { get; init; } = [];

    /// <summary>The KEMAC payload's key data sub-payloads (empty without a KEMAC).</summary>
    public IReadOnlyList<MikeyKeyData> Keys { get; init; } = [];
}
