using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Rtp.Stun;

/// <summary>
/// Writes one STUN message into a caller's buffer (RFC 8489 §5, §14), keeping the header's length field current
/// after every attribute so MESSAGE-INTEGRITY and FINGERPRINT can be appended last and computed in place.
/// Allocates nothing.
/// </summary>
/// <remarks>
/// The buffer is sized by the caller (a Binding response with XOR-MAPPED-ADDRESS for IPv6, MESSAGE-INTEGRITY and
/// FINGERPRINT is 20 + 24 + 24 + 8 = 76 bytes); running out of room is a programming error and throws.
/// </remarks>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>Starts a message: writes the header with length 0.</summary>
    /// <param name="buffer">Where the message is written; at least 20 bytes.</param>
    /// <param name="type">Method and class.</param>
    /// <param name="transactionId">12 bytes: random for a request, copied from the request for a response.</param>
    /// <exception cref="ArgumentException">The buffer is shorter than the header, or the transaction ID is not 12 bytes.</exception>
    public StunMessageWriter(Span<byte> buffer, StunMessageType type, ReadOnlySpan<byte> transactionId)
    {
        if (buffer.Length < StunMessageView.HeaderLength)
        {
            throw new ArgumentException("A STUN message needs at least 20 bytes.", nameof(buffer));
        }

        if (transactionId.Length != StunMessageView.TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction ID is 12 bytes.", nameof(transactionId));
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, type.ToWire());
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunMessageView.MagicCookie);
        transactionId.CopyTo(buffer[8..]);
        _length = StunMessageView.HeaderLength;
    }

    /// <summary>The bytes written so far.</summary>
    public readonly int Length => _length;

    /// <summary>The message written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>
    /// Appends an attribute and pads it to a multiple of 4 bytes (RFC 8489 §14).
    /// </summary>
    /// <param name="type">The attribute type.</param>
    /// <param name="value">The value, at most 65535 bytes.</param>
    /// <param name="padding">
    /// The padding byte. Receivers ignore padding (RFC 8489 §14); RFC 5769's vectors pad with spaces, 0x20.
    /// </param>
    /// <exception cref="ArgumentException">The value is too long or the buffer has no room.</exception>
    public void AddAttribute(ushort type, scoped ReadOnlySpan<byte> value, byte padding = 0)
    {
        Span<byte> target = Reserve(type, value.Length);
        value.CopyTo(target);
        target[value.Length..].Fill(padding);
    }

    /// <summary>USERNAME (RFC 8489 §14.3), UTF-8 encoded; for an ICE check "receiver-ufrag:sender-ufrag".</summary>
    public void AddUsername(scoped ReadOnlySpan<char> username)
    {
        int byteCount = Encoding.UTF8.GetByteCount(username);
        Span<byte> target = Reserve(StunAttributeType.Username, byteCount);
        Encoding.UTF8.GetBytes(username, target);
        target[byteCount..].Clear();
    }

    /// <summary>PRIORITY (RFC 8445 §7.1.1).</summary>
    public void AddPriority(uint priority) =>
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(StunAttributeType.Priority, 4), priority);

    /// <summary>USE-CANDIDATE (RFC 8445 §7.1.2), an empty flag.</summary>
    public void AddUseCandidate() => Reserve(StunAttributeType.UseCandidate, 0);

    /// <summary>ICE-CONTROLLING (RFC 8445 §7.1.3) with its 64-bit tie-breaker.</summary>
    public void AddIceControlling(ulong tieBreaker) =>
        BinaryPrimitives.WriteUInt64BigEndian(Reserve(StunAttributeType.IceControlling, 8), tieBreaker);

    /// <summary>ICE-CONTROLLED (RFC 8445 §7.1.3) with its 64-bit tie-breaker.</summary>
    public void AddIceControlled(ulong tieBreaker) =>
        BinaryPrimitives.WriteUInt64BigEndian(Reserve(StunAttributeType.IceControlled, 8), tieBreaker);

    /// <summary>ERROR-CODE (RFC 8489 §14.8).</summary>
    /// <param name="code">300 to 699, e.g. 400 Bad Request, 401 Unauthorized, 487 Role Conflict.</param>
    /// <param name="reason">A short ASCII reason phrase.</param>
    /// <exception cref="ArgumentOutOfRangeException">The code is outside 300-699.</exception>
    public void AddErrorCode(int code, scoped ReadOnlySpan<char> reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 699);
        int reasonBytes = Encoding.UTF8.GetByteCount(reason);
        Span<byte> target = Reserve(StunAttributeType.ErrorCode, 4 + reasonBytes);
        target[..2].Clear();
        target[2] = (byte)(code / 100);
        target[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, target[4..]);
        target[(4 + reasonBytes)..].Clear();
    }

    /// <summary>
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the transport address the request came from, XORed with the magic
    /// cookie (and, for IPv6, the transaction ID already in the header).
    /// </summary>
    /// <param name="address">An IPv4 or IPv6 address (an IPv4-mapped IPv6 address is written as IPv4).</param>
    /// <param name="port">The port, 0-65535.</param>
    public void AddXorMappedAddress(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        int addressLength = address.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
        Span<byte> target = Reserve(StunAttributeType.XorMappedAddress, 4 + addressLength);
        target[0] = 0;
        target[1] = addressLength == 4 ? (byte)0x01 : (byte)0x02;
        BinaryPrimitives.WriteUInt16BigEndian(target[2..], (ushort)(port ^ (int)(StunMessageView.MagicCookie >> 16)));
        if (!address.TryWriteBytes(target[4..], out _))
        {
            throw new ArgumentException("The address could not be written.", nameof(address));
        }

        // The mask is the header's bytes 4..20: cookie then transaction ID.
        ReadOnlySpan<byte> mask = _buffer.Slice(4, 16);
        for (int i = 0; i < addressLength; i++)
        {
            target[4 + i] ^= mask[i];
        }
    }

    /// <summary>
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 over the message so far, with the length field already
    /// counting this attribute. Add only FINGERPRINT after it.
    /// </summary>
    /// <param name="key">For short-term credentials the password's UTF-8 bytes (RFC 8489 §9.1.1).</param>
    public void AddMessageIntegrity(scoped ReadOnlySpan<byte> key)
    {
        int start = _length;
        Span<byte> target = Reserve(StunAttributeType.MessageIntegrity, 20);
        CryptographicOperations.HmacData(HashAlgorithmName.SHA1, key, _buffer[..start], target);
    }

    /// <summary>FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message so far XOR 0x5354554e. Must be last.</summary>
    public void AddFingerprint()
    {
        int start = _length;
        Span<byte> target = Reserve(StunAttributeType.Fingerprint, 4);
        BinaryPrimitives.WriteUInt32BigEndian(target, StunCrc32.Compute(_buffer[..start]) ^ StunMessageView.FingerprintXor);
    }

    /// <summary>Writes the attribute header, updates the message length, returns the padded value area.</summary>
    private Span<byte> Reserve(ushort type, int valueLength)
    {
        int padded = (valueLength + 3) & ~3;
        if (valueLength > ushort.MaxValue || _buffer.Length - _length < 4 + padded
            || _length - StunMessageView.HeaderLength + 4 + padded > ushort.MaxValue)
        {
            throw new ArgumentException($"No room for a {valueLength}-byte STUN attribute 0x{type:X4}.");
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_length..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_length + 2)..], (ushort)valueLength);
        Span<byte> value = _buffer.Slice(_length + 4, padded);
        _length += 4 + padded;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunMessageView.HeaderLength));
        return value;
    }
}
