using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>
/// Writes RTCP packets into a caller's span (RFC 3550 §6, RFC 4585 §6). Each method writes one packet,
/// 32-bit aligned, with the length field set to its size in words minus one, and returns the bytes written;
/// concatenate results for a compound packet (RFC 3550 §6.1). Allocates nothing.
/// </summary>
/// <remarks>Every method throws <see cref="ArgumentException"/> when the destination is too small or a count
/// does not fit its field (a programmer error).</remarks>
public static class RtcpWriter
{
    /// <summary>The most report blocks, sources or chunks a 5-bit count field holds.</summary>
    public const int MaxCount = 31;

    /// <summary>The size in bytes of a sender report with <paramref name="blockCount"/> report blocks.</summary>
    public static int GetSenderReportLength(int blockCount) => 28 + (blockCount * RtcpReportBlock.Size);

    /// <summary>The size in bytes of a receiver report with <paramref name="blockCount"/> report blocks.</summary>
    public static int GetReceiverReportLength(int blockCount) => 8 + (blockCount * RtcpReportBlock.Size);

    /// <summary>The size in bytes of an SDES packet with one chunk holding one CNAME of <paramref name="cnameLength"/> bytes.</summary>
    public static int GetSourceDescriptionCnameLength(int cnameLength) => 8 + Align4(2 + cnameLength + 1);

    /// <summary>The size in bytes of a BYE for <paramref name="ssrcCount"/> sources and a reason of <paramref name="reasonLength"/> bytes (0 for none).</summary>
    public static int GetByeLength(int ssrcCount, int reasonLength) =>
        4 + (4 * ssrcCount) + (reasonLength > 0 ? Align4(1 + reasonLength) : 0);

    /// <summary>The size in bytes of a PLI (RFC 4585 §6.3.1): 12.</summary>
    public const int PictureLossIndicationLength = 12;

    /// <summary>The size in bytes of a generic NACK for <paramref name="lostSequenceNumbers"/>.</summary>
    public static int GetGenericNackLength(ReadOnlySpan<ushort> lostSequenceNumbers) =>
        12 + (RtcpGenericNack.GetEntryCount(lostSequenceNumbers) * RtcpGenericNack.EntrySize);

    /// <summary>Writes a sender report, PT 200 (RFC 3550 §6.4.1).</summary>
    /// <param name="destination">Receives <see cref="GetSenderReportLength"/> bytes.</param>
    /// <param name="ssrc">The sender's SSRC.</param>
    /// <param name="ntp">Wall clock at the instant <paramref name="rtpTimestamp"/> describes.</param>
    /// <param name="rtpTimestamp">The same instant in RTP clock units.</param>
    /// <param name="packetCount">RTP packets sent so far.</param>
    /// <param name="octetCount">RTP payload octets sent so far.</param>
    /// <param name="blocks">0-31 reception report blocks.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">More than 31 blocks, or the destination is too small.</exception>
    public static int WriteSenderReport(
        Span<byte> destination,
        uint ssrc,
        NtpTimestamp ntp,
        uint rtpTimestamp,
        uint packetCount,
        uint octetCount,
        ReadOnlySpan<RtcpReportBlock> blocks)
    {
        CheckCount(blocks.Length, nameof(blocks));
        int length = GetSenderReportLength(blocks.Length);
        CheckDestination(destination, length);
        WriteHeader(destination, blocks.Length, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ntp.Value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octetCount);
        WriteBlocks(destination[28..], blocks);
        return length;
    }

    /// <summary>Writes a receiver report, PT 201 (RFC 3550 §6.4.2).</summary>
    /// <param name="destination">Receives <see cref="GetReceiverReportLength"/> bytes.</param>
    /// <param name="ssrc">The SSRC of the reporting receiver.</param>
    /// <param name="blocks">0-31 reception report blocks (an empty RR is the usual opener of a compound packet).</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">More than 31 blocks, or the destination is too small.</exception>
    public static int WriteReceiverReport(Span<byte> destination, uint ssrc, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        CheckCount(blocks.Length, nameof(blocks));
        int length = GetReceiverReportLength(blocks.Length);
        CheckDestination(destination, length);
        WriteHeader(destination, blocks.Length, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        WriteBlocks(destination[8..], blocks);
        return length;
    }

    /// <summary>
    /// Writes an SDES packet, PT 202, with one chunk holding one CNAME item (RFC 3550 §6.5.1), terminated by
    /// null octets up to the next 32-bit boundary.
    /// </summary>
    /// <param name="destination">Receives <see cref="GetSourceDescriptionCnameLength"/> bytes.</param>
    /// <param name="ssrc">The SSRC the CNAME belongs to.</param>
    /// <param name="cnameUtf8">The CNAME, UTF-8, 1-255 bytes.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">The CNAME is empty or longer than 255 bytes, or the destination is too small.</exception>
    public static int WriteSourceDescriptionCname(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cnameUtf8)
    {
        if (cnameUtf8.Length is 0 or > 255)
        {
            throw new ArgumentException($"A CNAME is 1-255 bytes (RFC 3550 §6.5); got {cnameUtf8.Length}.", nameof(cnameUtf8));
        }

        int length = GetSourceDescriptionCnameLength(cnameUtf8.Length);
        CheckDestination(destination, length);
        WriteHeader(destination, 1, RtcpPacketType.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = RtcpSdesItemType.Cname;
        destination[9] = (byte)cnameUtf8.Length;
        cnameUtf8.CopyTo(destination[10..]);
        destination[(10 + cnameUtf8.Length)..length].Clear();
        return length;
    }

    /// <summary>Writes a BYE, PT 203 (RFC 3550 §6.6), with an optional reason padded with zeros to 32 bits.</summary>
    /// <param name="destination">Receives <see cref="GetByeLength"/> bytes.</param>
    /// <param name="ssrcs">0-31 SSRC/CSRC identifiers that leave.</param>
    /// <param name="reasonUtf8">Reason for leaving, UTF-8, 0-255 bytes; empty for none.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">More than 31 sources, a reason over 255 bytes, or the destination is too small.</exception>
    public static int WriteBye(Span<byte> destination, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<byte> reasonUtf8)
    {
        CheckCount(ssrcs.Length, nameof(ssrcs));
        if (reasonUtf8.Length > 255)
        {
            throw new ArgumentException($"A BYE reason is at most 255 bytes (RFC 3550 §6.6); got {reasonUtf8.Length}.", nameof(reasonUtf8));
        }

        int length = GetByeLength(ssrcs.Length, reasonUtf8.Length);
        CheckDestination(destination, length);
        WriteHeader(destination, ssrcs.Length, RtcpPacketType.Goodbye, length);
        int offset = 4;
        foreach (uint ssrc in ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], ssrc);
            offset += 4;
        }

        if (!reasonUtf8.IsEmpty)
        {
            destination[offset] = (byte)reasonUtf8.Length;
            reasonUtf8.CopyTo(destination[(offset + 1)..]);
            destination[(offset + 1 + reasonUtf8.Length)..length].Clear();
        }

        return length;
    }

    /// <summary>Writes a picture loss indication: PSFB (PT 206) with FMT 1 and no FCI (RFC 4585 §6.3.1).</summary>
    /// <param name="destination">Receives 12 bytes.</param>
    /// <param name="senderSsrc">The SSRC of the requester.</param>
    /// <param name="mediaSsrc">The SSRC of the video source that should send a key frame.</param>
    /// <returns>Bytes written, 12.</returns>
    /// <exception cref="ArgumentException">The destination is shorter than 12 bytes.</exception>
    public static int WritePictureLossIndication(Span<byte> destination, uint senderSsrc, uint mediaSsrc)
    {
        CheckDestination(destination, PictureLossIndicationLength);
        WriteHeader(destination, RtcpFeedbackFormat.PictureLossIndication, RtcpPacketType.PayloadFeedback, PictureLossIndicationLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        return PictureLossIndicationLength;
    }

    /// <summary>
    /// Writes a generic NACK: RTPFB (PT 205) with FMT 1, the lost sequence numbers packed into PID/BLP pairs
    /// (RFC 4585 §6.2.1, see <see cref="RtcpGenericNack.WriteFci"/>).
    /// </summary>
    /// <param name="destination">Receives <see cref="GetGenericNackLength"/> bytes.</param>
    /// <param name="senderSsrc">The SSRC of the requester.</param>
    /// <param name="mediaSsrc">The SSRC of the source whose packets are missing.</param>
    /// <param name="lostSequenceNumbers">At least one sequence number, ideally ascending.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">The list is empty, or the destination is too small.</exception>
    public static int WriteGenericNack(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lostSequenceNumbers)
    {
        if (lostSequenceNumbers.IsEmpty)
        {
            throw new ArgumentException("A generic NACK names at least one lost packet (RFC 4585 §6.2.1).", nameof(lostSequenceNumbers));
        }

        int length = GetGenericNackLength(lostSequenceNumbers);
        CheckDestination(destination, length);
        WriteHeader(destination, RtcpFeedbackFormat.GenericNack, RtcpPacketType.TransportFeedback, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        RtcpGenericNack.WriteFci(destination[12..], lostSequenceNumbers);
        return length;
    }

    /// <summary>
    /// Writes a full intra request: PSFB (PT 206) with FMT 4 and one FCI entry (RFC 5104 §4.3.1).
    /// </summary>
    /// <param name="destination">Receives 20 bytes.</param>
    /// <param name="senderSsrc">The SSRC of the requester.</param>
    /// <param name="mediaSsrc">The SSRC of the video source (also the FCI's SSRC; the header's media SSRC is 0).</param>
    /// <param name="sequenceNumber">The FIR command sequence number, incremented per new request.</param>
    /// <returns>Bytes written, 20.</returns>
    /// <exception cref="ArgumentException">The destination is shorter than 20 bytes.</exception>
    public static int WriteFullIntraRequest(Span<byte> destination, uint senderSsrc, uint mediaSsrc, byte sequenceNumber)
    {
        const int length = 20;
        CheckDestination(destination, length);
        WriteHeader(destination, RtcpFeedbackFormat.FullIntraRequest, RtcpPacketType.PayloadFeedback, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], mediaSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], (uint)sequenceNumber << 24);
        return length;
    }

    /// <summary>Writes an APP packet, PT 204 (RFC 3550 §6.7).</summary>
    /// <param name="destination">Receives 12 + data length bytes.</param>
    /// <param name="subtype">The 5-bit subtype, 0-31.</param>
    /// <param name="ssrc">The originator's SSRC.</param>
    /// <param name="name">Exactly 4 ASCII bytes.</param>
    /// <param name="data">Application data, a multiple of 4 bytes.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException">Subtype over 31, a name not 4 bytes, data not a multiple of 4, or the
    /// destination is too small.</exception>
    public static int WriteApp(Span<byte> destination, int subtype, uint ssrc, ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        if (subtype is < 0 or > MaxCount)
        {
            throw new ArgumentException($"The APP subtype is 5 bits (0-31); got {subtype}.", nameof(subtype));
        }

        if (name.Length != 4)
        {
            throw new ArgumentException($"The APP name is 4 ASCII bytes; got {name.Length}.", nameof(name));
        }

        if (data.Length % 4 != 0)
        {
            throw new ArgumentException($"APP data must be a multiple of 4 bytes; got {data.Length}.", nameof(data));
        }

        int length = 12 + data.Length;
        CheckDestination(destination, length);
        WriteHeader(destination, subtype, RtcpPacketType.ApplicationDefined, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        name.CopyTo(destination[8..]);
        data.CopyTo(destination[12..]);
        return length;
    }

    private static void WriteHeader(Span<byte> destination, int count, byte packetType, int length)
    {
        destination[0] = (byte)(0x80 | count);
        destination[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((length / 4) - 1));
    }

    private static void WriteBlocks(Span<byte> destination, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].Write(destination[(i * RtcpReportBlock.Size)..]);
        }
    }

    private static void CheckCount(int count, string parameterName)
    {
        if (count > MaxCount)
        {
            throw new ArgumentException($"A 5-bit count holds at most {MaxCount} entries; got {count}.", parameterName);
        }
    }

    private static void CheckDestination(Span<byte> destination, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination is {destination.Length} bytes; the RTCP packet needs {length}.", nameof(destination));
        }
    }

    private static int Align4(int length) => (length + 3) & ~3;
}
