using System.Security.Cryptography;
using Parley.Security.Srtp;

namespace Parley.Security.Mikey;

/// <summary>
/// SRTP keying with MIKEY for RTSP (RFC 4567 §3 with RFC 3830): builds the message a server puts in
/// <c>a=key-mgmt:mikey</c> for an SRTP master key and salt, and extracts the profile, key and salt (and per-SSRC
/// rollover counters) from one a client received. The SP parameter types are RFC 3830 §6.10.1's.
/// </summary>
public static class MikeySrtpPolicy
{
    /// <summary>SP parameter: encryption algorithm (0 NULL, 1 AES-CM, 2 AES-F8).</summary>
    public const byte EncryptionAlgorithm = 0;

    /// <summary>SP parameter: session encryption key length in bytes.</summary>
    public const byte EncryptionKeyLength = 1;

    /// <summary>SP parameter: authentication algorithm (0 NULL, 1 HMAC-SHA-1).</summary>
    public const byte AuthenticationAlgorithm = 2;

    /// <summary>SP parameter: session authentication key length in bytes.</summary>
    public const byte AuthenticationKeyLength = 3;

    /// <summary>SP parameter: session salt key length in bytes.</summary>
    public const byte SaltKeyLength = 4;

    /// <summary>SP parameter: SRTP encryption off (0) or on (1).</summary>
    public const byte SrtpEncryption = 7;

    /// <summary>SP parameter: SRTCP encryption off (0) or on (1).</summary>
    public const byte SrtcpEncryption = 8;

    /// <summary>SP parameter: SRTP authentication off (0) or on (1).</summary>
    public const byte SrtpAuthentication = 10;

    /// <summary>SP parameter: authentication tag length in bytes.</summary>
    public const byte AuthenticationTagLength = 11;

    /// <summary>
    /// Builds a pre-shared-key MIKEY message carrying <paramref name="masterKey"/> and <paramref name="masterSalt"/>
    /// as one TEK (key then salt, as GStreamer and gortsplib expect) in a NULL-encrypted KEMAC, with one SRTP
    /// policy for <paramref name="profile"/> and the crypto sessions given (SSRC and current ROC of each stream).
    /// </summary>
    /// <exception cref="ArgumentException">The profile is not an AES-CM one (MIKEY has no GCM policy here), or the
    /// key or salt has the wrong length.</exception>
    public static MikeyMessage Create(SrtpProtectionProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt,
        IReadOnlyList<MikeyCryptoSession> sessions, DateTimeOffset now)
    {
        int tag = profile switch
        {
            SrtpProtectionProfile.Aes128CmHmacSha1_80 => 10,
            SrtpProtectionProfile.Aes128CmHmacSha1_32 => 4,
            _ => throw new ArgumentException($"MIKEY keying supports the AES-CM profiles, not {profile}.", nameof(profile)),
        };
        if (masterKey.Length != 16 || masterSalt.Length != 14)
        {
            throw new ArgumentException("AES-CM SRTP needs a 16-byte master key and a 14-byte master salt.", nameof(masterKey));
        }

        MikeyPolicyParameter P(byte type, byte value) => new(type, [value]);
        return new MikeyMessage
        {
            CsbId = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)),
            CryptoSessions = sessions,
            Timestamp = Rtp.NtpTimestamp.FromDateTime(now.UtcDateTime).Value,
            TimestampType = 0,
            Rand = RandomNumberGenerator.GetBytes(16),
            Policies =
            [
                new MikeySecurityPolicy(0, 0,
                [
                    P(EncryptionAlgorithm, 1), P(EncryptionKeyLength, 16), P(AuthenticationAlgorithm, 1),
                    P(AuthenticationKeyLength, 20), P(SaltKeyLength, 14), P(SrtpEncryption, 1), P(SrtcpEncryption, 1),
                    P(SrtpAuthentication, 1), P(AuthenticationTagLength, (byte)tag),
                ]),
            ],
            Keys = [new MikeyKeyData(MikeyKeyType.Tek, [.. masterKey, .. masterSalt], null)],
        };
    }

    /// <summary>
    /// Reads the SRTP profile, master key and master salt from <paramref name="message"/>: the first TEK (key and
    /// salt together, or with a separate salt) and the policy its first crypto session names (or the first policy).
    /// False when the message carries no TEK of 16 + 14 bytes or its policy asks for something other than AES-CM
    /// with HMAC-SHA-1 and an 80- or 32-bit tag, encryption and authentication on.
    /// </summary>
    public static bool TryGetKeys(MikeyMessage message, out SrtpProtectionProfile profile, out byte[] masterKey, out byte[] masterSalt)
    {
        ArgumentNullException.ThrowIfNull(message);
        profile = default;
        masterKey = [];
        masterSalt = [];
        var tek = message.Keys.FirstOrDefault(k => k.Type is MikeyKeyType.Tek or MikeyKeyType.TekWithSalt);
        if (tek is null)
        {
            return false;
        }

        byte[] material = tek.Salt is { } salt ? [.. tek.Key, .. salt] : tek.Key;
        if (material.Length != 30)
        {
            return false;
        }

        byte policyNumber = message.CryptoSessions.Count > 0 ? message.CryptoSessions[0].PolicyNumber : (byte)0;
        var policy = message.Policies.FirstOrDefault(p => p.PolicyNumber == policyNumber && p.ProtocolType == 0)
            ?? message.Policies.FirstOrDefault(p => p.ProtocolType == 0);
        int tag = 10;
        bool tagGiven = false;
        if (policy is not null)
        {
            foreach (var parameter in policy.Parameters)
            {
                byte value = parameter.Value.Length == 1 ? parameter.Value[0] : (byte)0xFF;
                bool acceptable = parameter.Type switch
                {
                    EncryptionAlgorithm or AuthenticationAlgorithm or SrtpEncryption or SrtpAuthentication => value == 1,
                    EncryptionKeyLength => value == 16,
                    // RFC 3830 means the HMAC key (20 bytes); GStreamer writes the tag length (4 or 10) here.
                    AuthenticationKeyLength => value is 20 or 10 or 4,
                    SaltKeyLength => value == 14,
                    AuthenticationTagLength => value is 10 or 4,
                    _ => true,
                };
                if (!acceptable)
                {
                    return false;
                }

                if (parameter.Type == AuthenticationTagLength)
                {
                    tag = value;
                    tagGiven = true;
                }
                else if (parameter.Type == AuthenticationKeyLength && value is 10 or 4 && !tagGiven)
                {
                    tag = value;
                }
            }
        }

        profile = tag == 4 ? SrtpProtectionProfile.Aes128CmHmacSha1_32 : SrtpProtectionProfile.Aes128CmHmacSha1_80;
        masterKey = material[..16];
        masterSalt = material[16..];
        return true;
    }
}
