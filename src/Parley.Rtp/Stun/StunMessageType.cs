namespace Parley.Rtp.Stun;

/// <summary>The class of a STUN message (RFC 8489 §5: the C1 and C0 bits of the message type).</summary>
public enum StunClass
{
    /// <summary>A request (0b00): expects a success or error response.</summary>
    Request = 0,

    /// <summary>An indication (0b01): no response.</summary>
    Indication = 1,

    /// <summary>A success response (0b10).</summary>
    SuccessResponse = 2,

    /// <summary>An error response (0b11), carrying ERROR-CODE.</summary>
    ErrorResponse = 3,
}

/// <summary>
/// A STUN message type: a 12-bit method interleaved with the 2-bit class (RFC 8489 §5). Only Binding (0x001) is
/// used by ICE (RFC 8445 §7).
/// </summary>
/// <param name="Method">The 12-bit method, e.g. <see cref="StunMessageType.BindingMethod"/>.</param>
/// <param name="Class">The message class.</param>
public readonly record struct StunMessageType(ushort Method, StunClass Class)
{
    /// <summary>The Binding method (RFC 8489 §18.2).</summary>
    public const ushort BindingMethod = 0x001;

    /// <summary>Binding request, wire value 0x0001.</summary>
    public static StunMessageType BindingRequest => new(BindingMethod, StunClass.Request);

    /// <summary>Binding success response, wire value 0x0101.</summary>
    public static StunMessageType BindingSuccess => new(BindingMethod, StunClass.SuccessResponse);

    /// <summary>Binding error response, wire value 0x0111.</summary>
    public static StunMessageType BindingError => new(BindingMethod, StunClass.ErrorResponse);

    /// <summary>Binding indication, wire value 0x0011 (keepalives, RFC 8445 §11).</summary>
    public static StunMessageType BindingIndication => new(BindingMethod, StunClass.Indication);

    //   0                 1
    //   2  3  4 5 6 7 8 9 0 1 2 3 4 5
    //  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
    //  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
    //  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>The 14-bit wire value (the two most significant bits of the first header word are zero).</summary>
    public ushort ToWire()
    {
        int m = Method & 0x0FFF;
        int c = (int)Class & 0x3;
        return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
    }

    /// <summary>Splits a wire value into method and class; the two top bits are ignored.</summary>
    public static StunMessageType FromWire(ushort value)
    {
        int method = (value & 0x000F) | ((value & 0x00E0) >> 1) | ((value & 0x3E00) >> 2);
        int cls = ((value >> 4) & 1) | ((value >> 7) & 2);
        return new StunMessageType((ushort)method, (StunClass)cls);
    }
}
