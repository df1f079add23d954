namespace Parley.Rtp;

/// <summary>
/// The fields of an RTP header to write with <see cref="RtpPacketWriter"/> (RFC 3550 §5.1, §5.3.1). A mutable
/// value type: keep one per stream and change the sequence number and timestamp per packet.
/// </summary>
public struct RtpHeader
{
    /// <summary>The marker bit (RFC 3550 §5.1 "M"); for video, set on the last packet of a frame.</summary>
    public bool Marker { get; set; }

    /// <summary>The payload type, 0-127 (RFC 3550 §5.1 "PT"); larger values make the writer throw.</summary>
    public byte PayloadType { get; set; }

    /// <summary>The 16-bit sequence number (RFC 3550 §5.1).</summary>
    public ushort SequenceNumber { get; set; }

    /// <summary>The timestamp in RTP clock units (RFC 3550 §5.1).</summary>
    public uint Timestamp { get; set; }

    /// <summary>The synchronization source identifier (RFC 3550 §5.1).</summary>
    public uint Ssrc { get; set; }

    /// <summary>Contributing sources, at most 15 (RFC 3550 §5.1 "CC", "CSRC list"); empty by default.</summary>
    public ReadOnlyMemory<uint> Csrcs { get; set; }

    /// <summary>True to write the X bit and a header extension (RFC 3550 §5.3.1).</summary>
    public bool HasExtension { get; set; }

    /// <summary>
    /// The "defined by profile" field of the header extension; <see cref="RtpHeaderExtensionWriter.OneByteProfile"/>
    /// or <see cref="RtpHeaderExtensionWriter.TwoByteProfile"/> for RFC 8285 elements.
    /// </summary>
    public ushort ExtensionProfile { get; set; }

    /// <summary>
    /// The extension body without the 4-byte header, e.g. from <see cref="RtpHeaderExtensionWriter"/>. The
    /// writer zero-pads it to a multiple of 4 bytes; at most 65535 words.
    /// </summary>
    public ReadOnlyMemory<byte> ExtensionData { get; set; }

    /// <summary>
    /// Padding bytes to append after the payload, including the count byte (RFC 3550 §5.1 "P"); 0 for none.
    /// </summary>
    public byte PaddingLength { get; set; }
}
