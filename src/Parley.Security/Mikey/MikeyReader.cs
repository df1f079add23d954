using System.Buffers.Binary;

namespace Parley.Security.Mikey;

/// <summary>
/// Parses MIKEY messages (RFC 3830 §6) of the pre-shared-key kind that RTSP/SDP key management carries: common
/// header with an SRTP-ID map, T, RAND, SP and KEMAC payloads. KEMAC must use NULL encryption; its MAC (NULL or
/// HMAC-SHA-1-160) is skipped, not verified, because no pre-shared key exists here: the message is trusted only
/// because TLS carried it. Other payload types (ID, CERT, signatures, Diffie-Hellman) are refused.
/// </summary>
public static class MikeyReader
{
    /// <summary>Parses <paramref name="data"/>; false (never an exception) on anything malformed or unsupported.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out MikeyMessage? message)
    {
        message = null;
        if (!TryReadHeader(data, out var header, out byte next, out int offset))
        {
            return false;
        }

        ulong? timestamp = null;
        byte timestampType = 0;
        byte[] rand = [];
        var policies = new List<MikeySecurityPolicy>();
        var keys = new List<MikeyKeyData>();
        while (next != MikeyPayloadType.Last)
        {
            var rest = data[offset..];
            if (rest.Length < 1)
            {
                return false;
            }

            byte current = next;
            next = rest[0];
            int consumed;
            switch (current)
            {
                case MikeyPayloadType.Timestamp:
                    if (!TryReadTimestamp(rest, out timestampType, out ulong value, out consumed))
                    {
                        return false;
                    }

                    timestamp = value;
                    break;
                case MikeyPayloadType.Rand:
                    if (!TryReadRand(rest, out rand, out consumed))
                    {
                        return false;
                    }

                    break;
                case MikeyPayloadType.SecurityPolicy:
                    if (!TryReadPolicy(rest, out var policy, out consumed))
                    {
                        return false;
                    }

                    policies.Add(policy);
                    break;
                case MikeyPayloadType.Kemac:
                    if (!TryReadKemac(rest, keys, out consumed))
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }

            offset += consumed;
        }

        if (offset != data.Length)
        {
            return false;
        }

        message = new MikeyMessage
        {
            Version = header.Version,
            DataType = header.DataType,
            VerificationRequested = header.Verification,
            PrfFunction = header.Prf,
            CsbId = header.CsbId,
            CryptoSessions = header.Sessions,
            Timestamp = timestamp,
            TimestampType = timestampType,
            Rand = rand,
            Policies = policies,
            Keys = keys,
        };
        return true;
    }

    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // !  version      !  data type    ! next payload  !V! PRF func    !
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // !                         CSB ID                                !
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // ! #CS           ! CS ID map type! CS ID map info                ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // SRTP-ID map info (§6.1.1), #CS times: Policy_no (8) | SSRC (32) | ROC (32).
    private static bool TryReadHeader(ReadOnlySpan<byte> data, out Header header, out byte next, out int length)
    {
        header = default;
        next = 0;
        length = 0;
        if (data.Length < 10 || data[0] != 1 || data[1] > (byte)MikeyDataType.PreSharedKeyVerification || data[9] != 0)
        {
            return false;
        }

        int count = data[8];
        length = 10 + (count * 9);
        if (data.Length < length)
        {
            return false;
        }

        var sessions = new MikeyCryptoSession[count];
        for (int i = 0; i < count; i++)
        {
            var entry = data.Slice(10 + (i * 9), 9);
            sessions[i] = new MikeyCryptoSession(entry[0], BinaryPrimitives.ReadUInt32BigEndian(entry[1..]),
                BinaryPrimitives.ReadUInt32BigEndian(entry[5..]));
        }

        next = data[2];
        header = new Header(data[0], (MikeyDataType)data[1], (data[3] & 0x80) != 0, (byte)(data[3] & 0x7F),
            BinaryPrimitives.ReadUInt32BigEndian(data[4..]), sessions);
        return true;
    }

    // ! next payload  !   TS type     ! TS value                      ~   (§6.6: NTP 64 bits, COUNTER 32 bits)
    private static bool TryReadTimestamp(ReadOnlySpan<byte> data, out byte type, out ulong value, out int length)
    {
        value = 0;
        length = 0;
        type = data.Length >= 2 ? data[1] : (byte)0xFF;
        int size = type switch
        {
            0 or 1 => 8,
            2 => 4,
            _ => -1,
        };
        if (size < 0 || data.Length < 2 + size)
        {
            return false;
        }

        value = size == 8 ? BinaryPrimitives.ReadUInt64BigEndian(data[2..]) : BinaryPrimitives.ReadUInt32BigEndian(data[2..]);
        length = 2 + size;
        return true;
    }

    // ! next payload  !  RAND len     !             RAND              ~   (§6.11)
    private static bool TryReadRand(ReadOnlySpan<byte> data, out byte[] rand, out int length)
    {
        rand = [];
        length = 0;
        if (data.Length < 2 || data.Length < 2 + data[1])
        {
            return false;
        }

        rand = data.Slice(2, data[1]).ToArray();
        length = 2 + rand.Length;
        return true;
    }

    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // ! Next payload  ! Policy no     ! Prot type     ! Policy param  ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // ~ length (cont) ! Policy param                                  ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // Each policy param (§6.10): Type (8) | Length (8) | Value (Length bytes).
    private static bool TryReadPolicy(ReadOnlySpan<byte> data, out MikeySecurityPolicy policy, out int length)
    {
        policy = null!;
        length = 0;
        if (data.Length < 5)
        {
            return false;
        }

        int paramLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        if (data.Length < 5 + paramLength)
        {
            return false;
        }

        var parameters = new List<MikeyPolicyParameter>();
        var rest = data.Slice(5, paramLength);
        while (rest.Length > 0)
        {
            if (rest.Length < 2 || rest.Length < 2 + rest[1])
            {
                return false;
            }

            parameters.Add(new MikeyPolicyParameter(rest[0], rest.Slice(2, rest[1]).ToArray()));
            rest = rest[(2 + rest[1])..];
        }

        policy = new MikeySecurityPolicy(data[1], data[2], parameters);
        length = 5 + paramLength;
        return true;
    }

    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // ! Next payload  ! Encr alg      ! Encr data len                 !
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // !                        Encr data                              ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // ! Mac alg       !        MAC                                    ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // KEMAC (§6.2): Encr data holds key data sub-payloads; Parley accepts only Encr alg NULL (0). MAC alg NULL (0)
    // has no MAC, HMAC-SHA-1-160 (1) a 20-byte one.
    private static bool TryReadKemac(ReadOnlySpan<byte> data, List<MikeyKeyData> keys, out int length)
    {
        length = 0;
        if (data.Length < 4 || data[1] != 0)
        {
            return false;
        }

        int encrLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (data.Length < 4 + encrLength + 1)
        {
            return false;
        }

        int macLength = data[4 + encrLength] switch
        {
            0 => 0,
            1 => 20,
            _ => -1,
        };
        if (macLength < 0 || data.Length < 4 + encrLength + 1 + macLength)
        {
            return false;
        }

        var sub = data.Slice(4, encrLength);
        byte next = MikeyPayloadType.KeyData;
        while (next != MikeyPayloadType.Last)
        {
            if (next != MikeyPayloadType.KeyData || !TryReadKeyData(sub, out var key, out next, out int used))
            {
                return false;
            }

            keys.Add(key);
            sub = sub[used..];
        }

        if (sub.Length != 0)
        {
            return false;
        }

        length = 4 + encrLength + 1 + macLength;
        return true;
    }

    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // !  Next Payload ! Type  ! KV    ! Key data len                  !
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // !                         Key data                              ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // ! Salt len (optional)           ! Salt data (optional)          ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // !                        KV data (optional)                     ~
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // KV (§6.13): 0 NULL (no KV data), 1 SPI/MKI (length + SPI), 2 interval (length + from, length + to).
    private static bool TryReadKeyData(ReadOnlySpan<byte> data, out MikeyKeyData key, out byte next, out int length)
    {
        key = null!;
        next = 0;
        length = 0;
        if (data.Length < 4 || (data[1] >> 4) > (byte)MikeyKeyType.TekWithSalt)
        {
            return false;
        }

        var type = (MikeyKeyType)(data[1] >> 4);
        int kv = data[1] & 0x0F;
        int keyLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        int offset = 4 + keyLength;
        if (data.Length < offset)
        {
            return false;
        }

        byte[] keyBytes = data.Slice(4, keyLength).ToArray();
        byte[]? salt = null;
        if (type is MikeyKeyType.TgkWithSalt or MikeyKeyType.TekWithSalt)
        {
            if (data.Length < offset + 2 || data.Length < offset + 2 + BinaryPrimitives.ReadUInt16BigEndian(data[offset..]))
            {
                return false;
            }

            int saltLength = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            salt = data.Slice(offset + 2, saltLength).ToArray();
            offset += 2 + saltLength;
        }

        int fields = kv switch
        {
            0 => 0,
            1 => 1,
            2 => 2,
            _ => -1,
        };
        for (int i = 0; i < fields; i++)
        {
            if (data.Length < offset + 1 || data.Length < offset + 1 + data[offset])
            {
                return false;
            }

            offset += 1 + data[offset];
        }

        if (fields < 0)
        {
            return false;
        }

        next = data[0];
        key = new MikeyKeyData(type, keyBytes, salt);
        length = offset;
        return true;
    }

    private readonly record struct Header(byte Version, MikeyDataType DataType, bool Verification, byte Prf, uint CsbId,
        MikeyCryptoSession[] Sessions);
}
