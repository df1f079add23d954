using System.Buffers.Binary;

namespace Parley.Security.Mikey;

/// <summary>
/// Serializes a <see cref="MikeyMessage"/> (RFC 3830 §6): common header with the SRTP-ID map, then T, RAND, the SP
/// payloads and a KEMAC with NULL encryption and NULL MAC, in that order (the I_MESSAGE layout of §3.1 without
/// IDs). The layouts are drawn above <see cref="MikeyReader"/>'s readers.
/// </summary>
public static class MikeyWriter
{
    /// <summary>Returns the message's bytes.</summary>
    /// <exception cref="ArgumentException">A field does not fit its wire width (over 255 crypto sessions, a
    /// parameter, RAND or payload too long).</exception>
    public static byte[] Write(MikeyMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.CryptoSessions.Count > 255 || message.Rand.Length > 255)
        {
            throw new ArgumentException("MIKEY allows at most 255 crypto sessions and 255 RAND bytes.", nameof(message));
        }

        var payloads = new List<(byte Type, byte[] Body)>();
        if (message.Timestamp is { } timestamp)
        {
            payloads.Add((MikeyPayloadType.Timestamp, Timestamp(message.TimestampType, timestamp)));
        }

        if (message.Rand.Length > 0)
        {
            payloads.Add((MikeyPayloadType.Rand, [(byte)message.Rand.Length, .. message.Rand]));
        }

        foreach (var policy in message.Policies)
        {
            payloads.Add((MikeyPayloadType.SecurityPolicy, Policy(policy)));
        }

        if (message.Keys.Count > 0)
        {
            payloads.Add((MikeyPayloadType.Kemac, Kemac(message.Keys)));
        }

        using var output = new MemoryStream();
        Span<byte> header = stackalloc byte[10];
        header[0] = message.Version;
        header[1] = (byte)message.DataType;
        header[2] = payloads.Count > 0 ? payloads[0].Type : MikeyPayloadType.Last;
        header[3] = (byte)((message.VerificationRequested ? 0x80 : 0) | (message.PrfFunction & 0x7F));
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], message.CsbId);
        header[8] = (byte)message.CryptoSessions.Count;
        header[9] = 0; // SRTP-ID map
        output.Write(header);
        Span<byte> entry = stackalloc byte[9];
        foreach (var session in message.CryptoSessions)
        {
            entry[0] = session.PolicyNumber;
            BinaryPrimitives.WriteUInt32BigEndian(entry[1..], session.Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(entry[5..], session.RolloverCounter);
            output.Write(entry);
        }

        for (int i = 0; i < payloads.Count; i++)
        {
            output.WriteByte(i + 1 < payloads.Count ? payloads[i + 1].Type : MikeyPayloadType.Last);
            output.Write(payloads[i].Body);
        }

        return output.ToArray();
    }

    private static byte[] Timestamp(byte type, ulong value)
    {
        if (type == 2)
        {
            var counter = new byte[5];
            counter[0] = type;
            BinaryPrimitives.WriteUInt32BigEndian(counter.AsSpan(1), (uint)value);
            return counter;
        }

        var ntp = new byte[9];
        ntp[0] = type;
        BinaryPrimitives.WriteUInt64BigEndian(ntp.AsSpan(1), value);
        return ntp;
    }

    private static byte[] Policy(MikeySecurityPolicy policy)
    {
        var parameters = new List<byte>();
        foreach (var parameter in policy.Parameters)
        {
            if (parameter.Value.Length > 255)
            {
                throw new ArgumentException($"SP parameter {parameter.Type} is longer than 255 bytes.", nameof(policy));
            }

            parameters.Add(parameter.Type);
            parameters.Add((byte)parameter.Value.Length);
            parameters.AddRange(parameter.Value);
        }

        if (parameters.Count > ushort.MaxValue)
        {
            throw new ArgumentException("SP parameters exceed 65535 bytes.", nameof(policy));
        }

        var body = new byte[4 + parameters.Count];
        body[0] = policy.PolicyNumber;
        body[1] = policy.ProtocolType;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), (ushort)parameters.Count);
        parameters.CopyTo(body, 4);
        return body;
    }

    private static byte[] Kemac(IReadOnlyList<MikeyKeyData> keys)
    {
        using var sub = new MemoryStream();
        for (int i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            bool hasSalt = key.Type is MikeyKeyType.TgkWithSalt or MikeyKeyType.TekWithSalt;
            if (key.Key.Length > ushort.MaxValue || (hasSalt && (key.Salt?.Length ?? 0) > ushort.MaxValue))
            {
                throw new ArgumentException("A MIKEY key or salt exceeds 65535 bytes.", nameof(keys));
            }

            sub.WriteByte(i + 1 < keys.Count ? MikeyPayloadType.KeyData : MikeyPayloadType.Last);
            sub.WriteByte((byte)((byte)key.Type << 4)); // KV NULL: the key is valid for the whole session.
            WriteUInt16(sub, key.Key.Length);
            sub.Write(key.Key);
            if (hasSalt)
            {
                byte[] salt = key.Salt ?? [];
                WriteUInt16(sub, salt.Length);
                sub.Write(salt);
            }
        }

        if (sub.Length > ushort.MaxValue)
        {
            throw new ArgumentException("KEMAC key data exceeds 65535 bytes.", nameof(keys));
        }

        var body = new byte[3 + sub.Length + 1];
        body[0] = 0; // Encr alg NULL: the channel (TLS) protects the key.
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(1), (ushort)sub.Length);
        sub.ToArray().CopyTo(body, 3);
        body[^1] = 0; // MAC alg NULL
        return body;
    }

    private static void WriteUInt16(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        stream.Write(bytes);
    }
}
