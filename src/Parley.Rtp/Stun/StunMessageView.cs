using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Rtp.Stun;

/// <summary>
/// A zero-copy, read-only view over one STUN message in the caller's buffer (RFC 8489 §5, §14). Nothing is copied;
/// the view is only valid while the buffer is. Created by <see cref="TryParse"/>, which walks every attribute once
/// so that accessors never read out of bounds.
/// </summary>
/// <remarks>
/// Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 8489 §14.5), and FINGERPRINT must be
/// the last attribute (§14.7); a message breaking the second rule does not parse.
/// </remarks>
public readonly ref struct StunMessageView
{
    /// <summary>The STUN header length in bytes (RFC 8489 §5).</summary>
    public const int HeaderLength = 20;

    /// <summary>The magic cookie, 0x2112A442 in network byte order (RFC 8489 §5).</summary>
    public const uint MagicCookie = 0x2112_A442;

    /// <summary>The transaction ID length in bytes (96 bits).</summary>
    public const int TransactionIdLength = 12;

    /// <summary>The length of a MESSAGE-INTEGRITY attribute including its 4-byte header.</summary>
    public const int MessageIntegrityAttributeLength = 24;

    /// <summary>The length of a FINGERPRINT attribute including its 4-byte header.</summary>
    public const int FingerprintAttributeLength = 8;

    /// <summary>The value XORed into the CRC-32 of FINGERPRINT ("STUN" in ASCII, RFC 8489 §14.7).</summary>
    public const uint FingerprintXor = 0x5354_554E;

    private const int StackCopyLimit = 576;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _integrityOffset;
    private readonly int _fingerprintOffset;

    private StunMessageView(ReadOnlySpan<byte> buffer, int integrityOffset, int fingerprintOffset)
    {
        _buffer = buffer;
        _integrityOffset = integrityOffset;
        _fingerprintOffset = fingerprintOffset;
    }

    //  RFC 8489 §5 header, then attributes (§14) in type-length-value form, each padded to 4 bytes:
    //
    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |0 0|     STUN Message Type     |         Message Length        |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                         Magic Cookie                          |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                                                               |
    //  |                     Transaction ID (96 bits)                  |
    //  |                                                               |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |         Type                  |            Length             |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                         Value (variable)                ....
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// True when <paramref name="buffer"/> starts like a STUN message: at least a header, top two bits zero and the
    /// magic cookie (RFC 8489 §6.3, the check a demultiplexer uses). Does not validate the attributes.
    /// </summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> buffer) =>
        buffer.Length >= HeaderLength && (buffer[0] & 0xC0) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]) == MagicCookie;

    /// <summary>
    /// Validates <paramref name="buffer"/> as exactly one STUN message and returns a view over it. Never throws.
    /// </summary>
    /// <param name="buffer">One UDP payload or one RFC 4571 frame; the message must fill it exactly.</param>
    /// <param name="message">The view when the result is true; default otherwise.</param>
    /// <returns>
    /// False when the buffer is shorter than the header, the top two bits are set, the magic cookie is wrong, the
    /// message length is not a multiple of 4 or does not match the buffer, an attribute overruns the message,
    /// MESSAGE-INTEGRITY or FINGERPRINT has the wrong length, or FINGERPRINT is not the last attribute.
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out StunMessageView message)
    {
        message = default;
        if (!LooksLikeStun(buffer))
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        if ((length & 3) != 0 || buffer.Length != HeaderLength + length)
        {
            return false;
        }

        int integrity = -1;
        int fingerprint = -1;
        int offset = HeaderLength;
        while (offset < buffer.Length)
        {
            if (fingerprint >= 0 || buffer.Length - offset < 4)
            {
                return false;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(buffer[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(buffer[(offset + 2)..]);
            int padded = (valueLength + 3) & ~3;
            if (buffer.Length - offset - 4 < padded)
            {
                return false;
            }

            if (type == StunAttributeType.MessageIntegrity && integrity < 0)
            {
                if (valueLength != 20)
                {
                    return false;
                }

                integrity = offset;
            }
            else if (type == StunAttributeType.Fingerprint)
            {
                if (valueLength != 4)
                {
                    return false;
                }

                fingerprint = offset;
            }

            offset += 4 + padded;
        }

        message = new StunMessageView(buffer, integrity, fingerprint);
        return true;
    }

    /// <summary>The whole message as parsed.</summary>
    public ReadOnlySpan<byte> Bytes => _buffer;

    /// <summary>The message type (method and class).</summary>
    public StunMessageType Type => StunMessageType.FromWire(BinaryPrimitives.ReadUInt16BigEndian(_buffer));

    /// <summary>The 12-byte transaction ID.</summary>
    public ReadOnlySpan<byte> TransactionId => _buffer.Slice(8, TransactionIdLength);

    /// <summary>True when the message carries MESSAGE-INTEGRITY.</summary>
    public bool HasMessageIntegrity => _integrityOffset >= 0;

    /// <summary>True when the message ends with FINGERPRINT.</summary>
    public bool HasFingerprint => _fingerprintOffset >= 0;

    /// <summary>
    /// Finds the first attribute of <paramref name="type"/> among those covered by MESSAGE-INTEGRITY (RFC 8489
    /// §14.5: later attributes are ignored, except MESSAGE-INTEGRITY and FINGERPRINT themselves).
    /// </summary>
    /// <param name="type">The attribute type, e.g. <see cref="StunAttributeType.Username"/>.</param>
    /// <param name="value">The value without padding when found.</param>
    /// <returns>True when the attribute is present.</returns>
    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        int end = type is StunAttributeType.MessageIntegrity or StunAttributeType.Fingerprint || _integrityOffset < 0
            ? _buffer.Length
            : _integrityOffset;
        for (int offset = HeaderLength; offset < end;)
        {
            ushort t = BinaryPrimitives.ReadUInt16BigEndian(_buffer[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_buffer[(offset + 2)..]);
            if (t == type)
            {
                value = _buffer.Slice(offset + 4, length);
                return true;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        value = default;
        return false;
    }

    /// <summary>True when the attribute is present (flags such as USE-CANDIDATE).</summary>
    public bool HasAttribute(ushort type) => TryGetAttribute(type, out _);

    /// <summary>
    /// The first comprehension-required attribute type (below 0x8000) that is not in the known set of ICE's
    /// Binding usage, or 0 when there is none (RFC 8489 §6.3.1.1: such a request gets a 420 response).
    /// </summary>
    public ushort FirstUnknownRequiredAttribute()
    {
        int end = _integrityOffset < 0 ? _buffer.Length : _integrityOffset;
        for (int offset = HeaderLength; offset < end;)
        {
            ushort t = BinaryPrimitives.ReadUInt16BigEndian(_buffer[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_buffer[(offset + 2)..]);
            if (StunAttributeType.IsComprehensionRequired(t) && t is not (StunAttributeType.MappedAddress
                or StunAttributeType.Username or StunAttributeType.MessageIntegrity or StunAttributeType.ErrorCode
                or StunAttributeType.UnknownAttributes or StunAttributeType.XorMappedAddress
                or StunAttributeType.Priority or StunAttributeType.UseCandidate))
            {
                return t;
            }

            offset += 4 + ((length + 3) & ~3);
        }

        return 0;
    }

    /// <summary>USERNAME as UTF-8 bytes (RFC 8489 §14.3; for ICE "receiver-ufrag:sender-ufrag").</summary>
    public bool TryGetUsername(out ReadOnlySpan<byte> username) => TryGetAttribute(StunAttributeType.Username, out username);

    /// <summary>USERNAME decoded as a string (allocates; for diagnostics and tests).</summary>
    public string? Username => TryGetUsername(out var u) ? Encoding.UTF8.GetString(u) : null;

    /// <summary>PRIORITY (RFC 8445 §7.1.1), when present and 4 bytes long.</summary>
    public bool TryGetPriority(out uint priority)
    {
        priority = 0;
        if (!TryGetAttribute(StunAttributeType.Priority, out var v) || v.Length != 4)
        {
            return false;
        }

        priority = BinaryPrimitives.ReadUInt32BigEndian(v);
        return true;
    }

    /// <summary>The 64-bit tie-breaker of ICE-CONTROLLING or ICE-CONTROLLED (RFC 8445 §7.1.3), when present.</summary>
    public bool TryGetTieBreaker(ushort type, out ulong tieBreaker)
    {
        tieBreaker = 0;
        if (!TryGetAttribute(type, out var v) || v.Length != 8)
        {
            return false;
        }

        tieBreaker = BinaryPrimitives.ReadUInt64BigEndian(v);
        return true;
    }

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |           Reserved, should be 0         |Class|     Number    |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |      Reason Phrase (variable)                                ..
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>ERROR-CODE as class * 100 + number (RFC 8489 §14.8), e.g. 401, and its reason phrase bytes.</summary>
    public bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason)
    {
        code = 0;
        reason = default;
        if (!TryGetAttribute(StunAttributeType.ErrorCode, out var v) || v.Length < 4)
        {
            return false;
        }

        int cls = v[2] & 0x07;
        int number = v[3];
        if (cls is < 3 or > 6 || number > 99)
        {
            return false;
        }

        code = (cls * 100) + number;
        reason = v[4..];
        return true;
    }

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                X-Address (Variable)
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// XOR-MAPPED-ADDRESS decoded (RFC 8489 §14.2): the port is XORed with the cookie's top 16 bits, an IPv4 address
    /// with the cookie, an IPv6 address with the cookie followed by the transaction ID. Allocates the endpoint.
    /// </summary>
    /// <returns>False when absent, of an unknown family, or of the wrong length for its family.</returns>
    public bool TryGetXorMappedAddress(out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (!TryGetAttribute(StunAttributeType.XorMappedAddress, out var v) || v.Length < 8)
        {
            return false;
        }

        int port = BinaryPrimitives.ReadUInt16BigEndian(v[2..]) ^ (int)(MagicCookie >> 16);
        int addressLength = v[1] switch { 0x01 => 4, 0x02 => 16, _ => 0 };
        if (addressLength == 0 || v.Length != 4 + addressLength)
        {
            return false;
        }

        Span<byte> address = stackalloc byte[16];
        address = address[..addressLength];
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        TransactionId.CopyTo(mask[4..]);
        for (int i = 0; i < addressLength; i++)
        {
            address[i] = (byte)(v[4 + i] ^ mask[i]);
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    /// <summary>
    /// Checks MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1, keyed with <paramref name="key"/>, over the message up
    /// to the attribute with the header's length set as if MESSAGE-INTEGRITY were last. Compares in constant time.
    /// Allocates nothing (stack copy, or a pooled one for messages over 576 bytes).
    /// </summary>
    /// <param name="key">
    /// For short-term credentials (ICE) the password's UTF-8 bytes (RFC 8489 §9.1.1; ICE passwords are ice-chars,
    /// which OpaqueString leaves unchanged).
    /// </param>
    /// <returns>False when absent or wrong.</returns>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset < 0)
        {
            return false;
        }

        int covered = _integrityOffset;
        byte[]? rented = null;
        Span<byte> copy = covered <= StackCopyLimit ? stackalloc byte[StackCopyLimit] : (rented = ArrayPool<byte>.Shared.Rent(covered));
        try
        {
            copy = copy[..covered];
            _buffer[..covered].CopyTo(copy);
            BinaryPrimitives.WriteUInt16BigEndian(copy[2..], (ushort)(covered - HeaderLength + MessageIntegrityAttributeLength));
            Span<byte> mac = stackalloc byte[20];
            // RFC 8489 §14.5 fixes HMAC-SHA1 for MESSAGE-INTEGRITY.
            CryptographicOperations.HmacData(HashAlgorithmName.SHA1, key, copy, mac);
            return CryptographicOperations.FixedTimeEquals(mac, _buffer.Slice(_integrityOffset + 4, 20));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Checks FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message before the attribute, XOR 0x5354554e. The header
    /// length already counts FINGERPRINT because it is the last attribute. Allocates nothing.
    /// </summary>
    /// <returns>False when absent or wrong.</returns>
    public bool VerifyFingerprint()
    {
        if (_fingerprintOffset < 0)
        {
            return false;
        }

        uint expected = StunCrc32.Compute(_buffer[.._fingerprintOffset]) ^ FingerprintXor;
        return BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_fingerprintOffset + 4)..]) == expected;
    }
}
