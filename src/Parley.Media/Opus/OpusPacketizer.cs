using Parley.Rtp;

namespace Parley.Media.Opus;

/// <summary>
/// Puts Opus packets into RTP (RFC 7587): exactly one Opus packet per RTP packet, the payload unchanged, a 48 kHz
/// timestamp that advances by each packet's duration in samples at 48 kHz whatever the coded bandwidth, and the
/// marker bit on the first packet after a DTX gap (§4.1). Allocates nothing. One instance per stream; not thread-safe.
/// </summary>
public sealed class OpusPacketizer
{
    /// <summary>The RTP clock rate of Opus, always 48000 Hz (RFC 7587 §4.1).</summary>
    public const int ClockRate = OpusPacketInfo.ClockRate;

    /// <summary>The dynamic payload type commonly used for Opus (browsers offer 111); any 96-127 works with SDP.</summary>
    public const byte DefaultPayloadType = 111;

    private RtpHeader _header;
    private bool _afterGap;

    /// <summary>Creates a packetizer for one RTP stream.</summary>
    /// <param name="ssrc">The stream's SSRC.</param>
    /// <param name="payloadType">The dynamic payload type from the SDP, 0-127.</param>
    /// <param name="initialSequenceNumber">The first sequence number (RFC 3550 suggests a random one).</param>
    /// <param name="initialTimestamp">The first timestamp, 48 kHz units (RFC 3550 suggests a random one).</param>
    /// <exception cref="ArgumentOutOfRangeException">payloadType above 127.</exception>
    public OpusPacketizer(uint ssrc, byte payloadType = DefaultPayloadType, ushort initialSequenceNumber = 0, uint initialTimestamp = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        _header = new RtpHeader { Ssrc = ssrc, PayloadType = payloadType, SequenceNumber = initialSequenceNumber, Timestamp = initialTimestamp };
    }

    /// <summary>The SSRC written into every packet.</summary>
    public uint Ssrc => _header.Ssrc;

    /// <summary>The payload type written into every packet.</summary>
    public byte PayloadType => _header.PayloadType;

    /// <summary>The sequence number of the next packet.</summary>
    public ushort SequenceNumber => _header.SequenceNumber;

    /// <summary>The RTP timestamp (48 kHz units) of the next packet.</summary>
    public uint Timestamp => _header.Timestamp;

    /// <summary>The RTP header length this packetizer writes, in bytes (12).</summary>
    public int HeaderLength => RtpPacketWriter.GetHeaderLength(_header);

    /// <summary>
    /// Writes one RTP packet carrying <paramref name="opusPacket"/> and advances the timestamp by the packet's
    /// duration read from its TOC (RFC 6716 §3.1).
    /// </summary>
    /// <param name="opusPacket">One Opus packet as <c>opus_encode</c> produced it.</param>
    /// <param name="destination">At least <see cref="HeaderLength"/> + opusPacket.Length bytes.</param>
    /// <returns>The RTP packet length in bytes.</returns>
    /// <exception cref="ArgumentException">The packet is empty or its TOC is invalid, or destination is too small.</exception>
    public int Packetize(ReadOnlySpan<byte> opusPacket, Span<byte> destination)
    {
        if (!OpusPacketInfo.TryGetSampleCount(opusPacket, out int samples))
        {
            throw new ArgumentException("Not a valid Opus packet (RFC 6716 §3.1 TOC).", nameof(opusPacket));
        }

        return Packetize(opusPacket, samples, destination);
    }

    /// <summary>
    /// Writes one RTP packet carrying <paramref name="opusPacket"/> and advances the timestamp by
    /// <paramref name="samples"/> (samples per channel at 48 kHz: 960 for 20 ms).
    /// </summary>
    /// <returns>The RTP packet length in bytes.</returns>
    /// <exception cref="ArgumentException">The packet is empty, samples is not positive, or destination is too small.</exception>
    public int Packetize(ReadOnlySpan<byte> opusPacket, int samples, Span<byte> destination)
    {
        if (opusPacket.IsEmpty)
        {
            throw new ArgumentException("An Opus packet has at least its TOC byte.", nameof(opusPacket));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(samples, 0);
        _header.Marker = _afterGap;
        int n = RtpPacketWriter.Write(destination, _header, opusPacket);
        _afterGap = false;
        _header.SequenceNumber = unchecked((ushort)(_header.SequenceNumber + 1));
        _header.Timestamp = unchecked(_header.Timestamp + (uint)samples);
        return n;
    }

    /// <summary>
    /// Advances the timestamp over audio that is not sent (a DTX packet of 1-2 bytes, RFC 7587 §3.1.3), without
    /// using a sequence number; the next packet starts a talkspurt and carries the marker bit (§4.1).
    /// </summary>
    /// <param name="samples">Samples per channel at 48 kHz skipped.</param>
    /// <exception cref="ArgumentOutOfRangeException">samples is negative.</exception>
    public void Skip(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        _header.Timestamp = unchecked(_header.Timestamp + (uint)samples);
        _afterGap = true;
    }
}
