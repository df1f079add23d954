namespace Parley.Media.Jitter;

/// <summary>
/// One RTP packet released in sequence order by <see cref="RtpReorderBuffer"/>. A view over the buffer's pooled
/// copy: valid until the next call to <see cref="RtpReorderBuffer.Push"/>, <see cref="RtpReorderBuffer.TryRead"/>
/// or <see cref="RtpReorderBuffer.Dispose"/>.
/// </summary>
public readonly ref struct ReorderedRtpPacket
{
    /// <summary>Creates a released packet.</summary>
    public ReorderedRtpPacket(ReadOnlySpan<byte> packet, long extendedSequenceNumber, int lostBefore, long arrivalTimestamp)
    {
        Packet = packet;
        ExtendedSequenceNumber = extendedSequenceNumber;
        LostBefore = lostBefore;
        ArrivalTimestamp = arrivalTimestamp;
    }

    /// <summary>The whole RTP packet (header and payload) exactly as it was pushed.</summary>
    public ReadOnlySpan<byte> Packet { get; }

    /// <summary>The 64-bit extended sequence number (cycles * 65536 + sequence number, RFC 3550 A.1).</summary>
    public long ExtendedSequenceNumber { get; }

    /// <summary>
    /// Sequence numbers given up as lost right before this packet (0 when it follows the previous release). A
    /// depacketizer sees the gap in the sequence numbers as well; this count saves it the arithmetic.
    /// </summary>
    public int LostBefore { get; }

    /// <summary>When the packet was pushed, in <see cref="TimeProvider.GetTimestamp"/> units of the buffer's clock.</summary>
    public long ArrivalTimestamp { get; }
}
