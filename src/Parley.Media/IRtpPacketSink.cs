namespace Parley.Media;

/// <summary>
/// Where a packetizer writes whole RTP packets, one at a time, straight into buffers the caller owns (for
/// example pooled, ref-counted send buffers), so packetizing allocates nothing and copies each byte once.
/// </summary>
/// <remarks>
/// Call order per packet: <see cref="GetPacketBuffer"/>, then exactly one <see cref="Commit"/>. The packetizer
/// never holds a buffer across packets.
/// </remarks>
public interface IRtpPacketSink
{
    /// <summary>Returns a buffer of at least <paramref name="minimumLength"/> bytes for the next packet.</summary>
    /// <param name="minimumLength">The largest the next packet can be: RTP header plus MaxPayloadSize, in bytes.</param>
    Span<byte> GetPacketBuffer(int minimumLength);

    /// <summary>The packet occupies the first <paramref name="length"/> bytes of the buffer last returned.</summary>
    /// <param name="length">Packet length in bytes, RTP header included.</param>
    /// <param name="marker">The RTP marker bit of the packet (last packet of a video frame).</param>
    void Commit(int length, bool marker);
}
