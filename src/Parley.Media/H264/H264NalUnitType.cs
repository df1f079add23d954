namespace Parley.Media.H264;

/// <summary>
/// The nal_unit_type field, the low 5 bits of the NAL unit header (ITU-T H.264 Table 7-1), with the types RFC 6184
/// §5.2 (Table 1) gives to its aggregation and fragmentation packets.
/// </summary>
/// <remarks>
/// <code>
///  +---------------+
///  |0|1|2|3|4|5|6|7|
///  +-+-+-+-+-+-+-+-+
///  |F|NRI|  Type   |     F: forbidden_zero_bit, NRI: nal_ref_idc (0-3), Type: this enum
///  +---------------+
/// </code>
/// </remarks>
public enum H264NalUnitType : byte
{
    /// <summary>Unspecified; never a valid RTP payload (RFC 6184 §5.2).</summary>
    Unspecified = 0,

    /// <summary>Coded slice of a non-IDR picture (P or B slices, or I slices that are not IDR).</summary>
    Slice = 1,

    /// <summary>Coded slice data partition A.</summary>
    DataPartitionA = 2,

    /// <summary>Coded slice data partition B.</summary>
    DataPartitionB = 3,

    /// <summary>Coded slice data partition C.</summary>
    DataPartitionC = 4,

    /// <summary>Coded slice of an IDR picture: decoding can start here (with the SPS and PPS).</summary>
    IdrSlice = 5,

    /// <summary>Supplemental enhancement information.</summary>
    Sei = 6,

    /// <summary>Sequence parameter set (§7.3.2.1.1).</summary>
    Sps = 7,

    /// <summary>Picture parameter set (§7.3.2.2).</summary>
    Pps = 8,

    /// <summary>Access unit delimiter.</summary>
    AccessUnitDelimiter = 9,

    /// <summary>End of sequence.</summary>
    EndOfSequence = 10,

    /// <summary>End of stream.</summary>
    EndOfStream = 11,

    /// <summary>Filler data.</summary>
    FillerData = 12,

    /// <summary>Single-time aggregation packet type A (RFC 6184 §5.7.1).</summary>
    StapA = 24,

    /// <summary>Single-time aggregation packet type B, interleaved mode only (RFC 6184 §5.7.1).</summary>
    StapB = 25,

    /// <summary>Multi-time aggregation packet with 16-bit timestamp offsets, interleaved mode only (RFC 6184 §5.7.2).</summary>
    Mtap16 = 26,

    /// <summary>Multi-time aggregation packet with 24-bit timestamp offsets, interleaved mode only (RFC 6184 §5.7.2).</summary>
    Mtap24 = 27,

    /// <summary>Fragmentation unit type A (RFC 6184 §5.8).</summary>
    FuA = 28,

    /// <summary>Fragmentation unit type B, interleaved mode only (RFC 6184 §5.8).</summary>
    FuB = 29,
}
