namespace Parley.Rtp.Rtcp;

/// <summary>
/// Walks the RTCP packets of a compound packet (RFC 3550 §6.1) without copying. Never throws; stops and sets
/// <see cref="IsMalformed"/> when a header is not version 2 or a length field does not fit.
/// </summary>
public ref struct RtcpCompoundReader
{
    private ReadOnlySpan<byte> _remaining;

    /// <summary>Creates a reader over a whole compound packet (one UDP datagram or interleaved frame).</summary>
    public RtcpCompoundReader(ReadOnlySpan<byte> compound)
    {
        _remaining = compound;
        IsMalformed = false;
    }

    /// <summary>True when reading stopped at bytes that are not a valid RTCP packet header and length.</summary>
    public bool IsMalformed { get; private set; }

    /// <summary>The bytes not yet read.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _remaining;

    /// <summary>Reads the next packet.</summary>
    /// <returns>False at the end or on malformed input (then <see cref="IsMalformed"/> is true).</returns>
    public bool TryReadNext(out RtcpPacketView packet)
    {
        if (_remaining.IsEmpty)
        {
            packet = default;
            return false;
        }

        if (!RtcpPacketView.TryParse(_remaining, out packet))
        {
            IsMalformed = true;
            _remaining = default;
            return false;
        }

        _remaining = _remaining[packet.Length..];
        return true;
    }

    /// <summary>
    /// The RFC 3550 A.2 validity check of a compound packet: every packet is version 2, the first is an SR or RR
    /// without padding, only the last may be padded, and the length fields sum exactly to the buffer length.
    /// Reduced-size RTCP (RFC 5506, e.g. a lone PLI) fails it; see the overload.
    /// </summary>
    public static bool IsValidCompound(ReadOnlySpan<byte> compound) => IsValidCompound(compound, allowReducedSize: false);

    /// <summary>
    /// As <see cref="IsValidCompound(ReadOnlySpan{byte})"/>; when <paramref name="allowReducedSize"/> is true,
    /// the first packet may be of any type (RFC 5506 §3.1).
    /// </summary>
    public static bool IsValidCompound(ReadOnlySpan<byte> compound, bool allowReducedSize)
    {
        if (compound.IsEmpty)
        {
            return false;
        }

        var reader = new RtcpCompoundReader(compound);
        bool first = true;
        while (reader.TryReadNext(out var packet))
        {
            if (first && !allowReducedSize
                && (packet.HasPadding || packet.PacketType is not (RtcpPacketType.SenderReport or RtcpPacketType.ReceiverReport)))
            {
                return false;
            }

            if (packet.HasPadding && !reader.Remaining.IsEmpty)
            {
                return false;
            }

            first = false;
        }

        return !reader.IsMalformed;
    }
}
