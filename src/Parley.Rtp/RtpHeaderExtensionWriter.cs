namespace Parley.Rtp;

/// <summary>One RFC 8285 header extension element to write: a local identifier and its data.</summary>
/// <param name="Id">The local identifier: 1-14 for the one-byte form, 1-255 for the two-byte form.</param>
/// <param name="Value">The data: 1-16 bytes for the one-byte form, 0-255 bytes for the two-byte form.</param>
public readonly record struct RtpHeaderExtensionElement(byte Id, ReadOnlyMemory<byte> Value);

/// <summary>
/// Writes RTP header extension bodies in the RFC 8285 one-byte (§4.2) and two-byte (§4.3) forms into a caller's
/// span. The result is the body only (what goes after the 4-byte profile/length header, see
/// <see cref="RtpHeader.ExtensionData"/>), zero-padded to a multiple of 4 bytes.
/// </summary>
/// <remarks>
/// Two ways to write: all at once from a list of <see cref="RtpHeaderExtensionElement"/>, or element by element
/// with <see cref="WriteOneByteElement"/> / <see cref="WriteTwoByteElement"/> and then <see cref="PadToWord"/>,
/// which needs no arrays and suits per-packet use. Writers throw <see cref="ArgumentException"/> on programmer
/// error (bad ID or length, destination too small).
/// </remarks>
public static class RtpHeaderExtensionWriter
{
    /// <summary>The "defined by profile" value of the one-byte form, 0xBEDE (RFC 8285 §4.2).</summary>
    public const ushort OneByteProfile = 0xBEDE;

    /// <summary>The "defined by profile" value of the two-byte form with app bits 0, 0x1000 (RFC 8285 §4.3).</summary>
    public const ushort TwoByteProfile = 0x1000;

    /// <summary>The body length in bytes (padded to 4) that <see cref="WriteOneByte"/> writes.</summary>
    public static int GetOneByteLength(ReadOnlySpan<RtpHeaderExtensionElement> elements)
    {
        int length = 0;
        foreach (var element in elements)
        {
            length += 1 + element.Value.Length;
        }

        return Align4(length);
    }

    /// <summary>The body length in bytes (padded to 4) that <see cref="WriteTwoByte"/> writes.</summary>
    public static int GetTwoByteLength(ReadOnlySpan<RtpHeaderExtensionElement> elements)
    {
        int length = 0;
        foreach (var element in elements)
        {
            length += 2 + element.Value.Length;
        }

        return Align4(length);
    }

    /// <summary>
    /// Writes <paramref name="elements"/> in the one-byte form (RFC 8285 §4.2) and pads with zeros to 4 bytes.
    /// Use with profile <see cref="OneByteProfile"/>.
    /// </summary>
    /// <returns>Bytes written, a multiple of 4.</returns>
    /// <exception cref="ArgumentException">An ID is outside 1-14, a value is not 1-16 bytes, or the destination
    /// is shorter than <see cref="GetOneByteLength"/>.</exception>
    public static int WriteOneByte(Span<byte> destination, ReadOnlySpan<RtpHeaderExtensionElement> elements)
    {
        int required = GetOneByteLength(elements);
        if (destination.Length < required)
        {
            throw new ArgumentException($"Destination is {destination.Length} bytes; the extension needs {required}.", nameof(destination));
        }

        int offset = 0;
        foreach (var element in elements)
        {
            offset += WriteOneByteElement(destination[offset..], element.Id, element.Value.Span);
        }

        return PadToWord(destination, offset);
    }

    /// <summary>
    /// Writes <paramref name="elements"/> in the two-byte form (RFC 8285 §4.3) and pads with zeros to 4 bytes.
    /// Use with profile <see cref="TwoByteProfile"/>.
    /// </summary>
    /// <returns>Bytes written, a multiple of 4.</returns>
    /// <exception cref="ArgumentException">An ID is 0, a value is longer than 255 bytes, or the destination is
    /// shorter than <see cref="GetTwoByteLength"/>.</exception>
    public static int WriteTwoByte(Span<byte> destination, ReadOnlySpan<RtpHeaderExtensionElement> elements)
    {
        int required = GetTwoByteLength(elements);
        if (destination.Length < required)
        {
            throw new ArgumentException($"Destination is {destination.Length} bytes; the extension needs {required}.", nameof(destination));
        }

        int offset = 0;
        foreach (var element in elements)
        {
            offset += WriteTwoByteElement(destination[offset..], element.Id, element.Value.Span);
        }

        return PadToWord(destination, offset);
    }

    /// <summary>Writes one one-byte-form element (RFC 8285 §4.2): a byte ID&lt;&lt;4 | (length-1), then the data.</summary>
    /// <returns>Bytes written: 1 + value length.</returns>
    /// <exception cref="ArgumentException">The ID is outside 1-14, the value is not 1-16 bytes, or the
    /// destination is too small.</exception>
    public static int WriteOneByteElement(Span<byte> destination, byte id, ReadOnlySpan<byte> value)
    {
        if (id is 0 or > 14)
        {
            throw new ArgumentException($"One-byte extension IDs are 1-14 (RFC 8285 §4.2); got {id}.", nameof(id));
        }

        if (value.Length is 0 or > 16)
        {
            throw new ArgumentException($"One-byte extension values are 1-16 bytes (RFC 8285 §4.2); got {value.Length}.", nameof(value));
        }

        if (destination.Length < 1 + value.Length)
        {
            throw new ArgumentException("Destination too small for the extension element.", nameof(destination));
        }

        destination[0] = (byte)((id << 4) | (value.Length - 1));
        value.CopyTo(destination[1..]);
        return 1 + value.Length;
    }

    /// <summary>Writes one two-byte-form element (RFC 8285 §4.3): ID byte, length byte, then the data.</summary>
    /// <returns>Bytes written: 2 + value length.</returns>
    /// <exception cref="ArgumentException">The ID is 0, the value is longer than 255 bytes, or the destination
    /// is too small.</exception>
    public static int WriteTwoByteElement(Span<byte> destination, byte id, ReadOnlySpan<byte> value)
    {
        if (id == 0)
        {
            throw new ArgumentException("Two-byte extension IDs are 1-255 (RFC 8285 §4.3); 0 is padding.", nameof(id));
        }

        if (value.Length > 255)
        {
            throw new ArgumentException($"Two-byte extension values are 0-255 bytes (RFC 8285 §4.3); got {value.Length}.", nameof(value));
        }

        if (destination.Length < 2 + value.Length)
        {
            throw new ArgumentException("Destination too small for the extension element.", nameof(destination));
        }

        destination[0] = id;
        destination[1] = (byte)value.Length;
        value.CopyTo(destination[2..]);
        return 2 + value.Length;
    }

    /// <summary>
    /// Zero-fills <paramref name="destination"/> from <paramref name="length"/> up to the next multiple of 4 and
    /// returns that padded length (RFC 8285 §4.1: padding bytes are 0).
    /// </summary>
    /// <exception cref="ArgumentException">The destination is shorter than the padded length.</exception>
    public static int PadToWord(Span<byte> destination, int length)
    {
        int padded = Align4(length);
        if (destination.Length < padded)
        {
            throw new ArgumentException("Destination too small for the extension padding.", nameof(destination));
        }

        destination[length..padded].Clear();
        return padded;
    }

    private static int Align4(int length) => (length + 3) & ~3;
}
