using System.Buffers.Binary;
using Parley.Rtp;
using Parley.WebRtc.Sdp;

namespace Parley.WebRtc.Rtp;

/// <summary>
/// Rewrites a relayed RTP packet for one WebRTC peer: its payload type, sequence number and SSRC become the ones
/// negotiated with that peer, and its header extensions are replaced by this side's own (RFC 8285 one-byte form):
/// the transport-wide sequence number, the section's MID and abs-send-time, each when negotiated. The source's
/// extensions are dropped because their ids belong to the source's negotiation, not the peer's (a forwarded MID
/// would route the packet to the wrong section). Allocates nothing.
/// </summary>
public static class WebRtcRtpRewriter
{
    private const int MaxMidLength = 16;

    /// <summary>The most bytes <see cref="Rewrite"/> adds to a packet without extensions: 4 + 3 + 17 + 4, rounded to 28.</summary>
    public const int MaxExtensionLength = 28;

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> with the peer's header fields and extensions.</summary>
    /// <param name="source">A valid RTP packet (as <see cref="RtpPacketView.TryParse"/> accepts); padding and CSRCs are kept.</param>
    /// <param name="destination">Receives the packet; needs the source's length plus <see cref="MaxExtensionLength"/>.</param>
    /// <param name="payloadType">The negotiated payload type (0-127).</param>
    /// <param name="sequenceNumber">The sequence number in the peer's stream.</param>
    /// <param name="ssrc">The SSRC announced to the peer.</param>
    /// <param name="ids">The negotiated extension ids; 0 leaves an extension out.</param>
    /// <param name="mid">The section's a=mid as ASCII (1-16 bytes; longer or empty leaves the MID out).</param>
    /// <param name="transportSequenceNumber">This packet's transport-wide sequence number.</param>
    /// <param name="sendTimeMicroseconds">The send time on this side's clock, for abs-send-time.</param>
    /// <returns>The rewritten length, or 0 when the source is not RTP or the destination is too small.</returns>
    public static int Rewrite(ReadOnlySpan<byte> source, Span<byte> destination, byte payloadType, ushort sequenceNumber, uint ssrc,
        WebRtcHeaderExtensionIds ids, ReadOnlySpan<byte> mid, ushort transportSequenceNumber, long sendTimeMicroseconds)
    {
        if (!RtpPacketView.TryParse(source, out var rtp))
        {
            return 0;
        }

        int fixedLength = RtpPacketView.FixedHeaderLength + (4 * rtp.CsrcCount);
        int afterHeader = source.Length - rtp.HeaderLength;
        bool writeMid = ids.Mid != 0 && mid.Length is > 0 and <= MaxMidLength;
        int elements = (ids.TransportSequenceNumber != 0 ? 3 : 0) + (writeMid ? 1 + mid.Length : 0) + (ids.AbsoluteSendTime != 0 ? 4 : 0);
        int extension = elements == 0 ? 0 : 4 + ((elements + 3) & ~3);
        if (destination.Length < fixedLength + extension + afterHeader)
        {
            return 0;
        }

        source[..fixedLength].CopyTo(destination);
        destination[0] = (byte)((destination[0] & ~0x10) | (extension > 0 ? 0x10 : 0));
        destination[1] = (byte)((destination[1] & 0x80) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        int offset = fixedLength;
        if (extension > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], RtpHeaderExtensionWriter.OneByteProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)((extension - 4) / 4));
            int element = offset + 4;
            // The transport-wide sequence number goes first, at a fixed place, so a retransmission can restamp it.
            if (ids.TransportSequenceNumber != 0)
            {
                destination[element] = (byte)((ids.TransportSequenceNumber << 4) | 1);
                BinaryPrimitives.WriteUInt16BigEndian(destination[(element + 1)..], transportSequenceNumber);
                element += 3;
            }

            if (writeMid)
            {
                destination[element] = (byte)((ids.Mid << 4) | (mid.Length - 1));
                mid.CopyTo(destination[(element + 1)..]);
                element += 1 + mid.Length;
            }

            if (ids.AbsoluteSendTime != 0)
            {
                destination[element] = (byte)((ids.AbsoluteSendTime << 4) | 2);
                uint sendTime = (uint)(((sendTimeMicroseconds << 18) / 1_000_000) & 0xFFFFFF);
                destination[element + 1] = (byte)(sendTime >> 16);
                BinaryPrimitives.WriteUInt16BigEndian(destination[(element + 2)..], (ushort)sendTime);
                element += 4;
            }

            // RFC 8285 §4.2: padding bytes (0) between or after elements are skipped by readers.
            destination[element..(offset + extension)].Clear();
            offset += extension;
        }

        source[rtp.HeaderLength..].CopyTo(destination[offset..]);
        return offset + afterHeader;
    }

    /// <summary>
    /// Overwrites the transport-wide sequence number that <see cref="Rewrite"/> put first in the extension block,
    /// for a retransmission (each packet on the wire gets its own number, draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).
    /// </summary>
    /// <returns>False when the packet has no one-byte extension block starting with element <paramref name="id"/>.</returns>
    public static bool TrySetTransportSequenceNumber(Span<byte> packet, byte id, ushort transportSequenceNumber)
    {
        if (id == 0 || packet.Length < RtpPacketView.FixedHeaderLength || (packet[0] & 0x10) == 0)
        {
            return false;
        }

        int offset = RtpPacketView.FixedHeaderLength + (4 * (packet[0] & 0x0F));
        if (packet.Length < offset + 7 || BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]) != RtpHeaderExtensionWriter.OneByteProfile
            || packet[offset + 4] != ((id << 4) | 1))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet[(offset + 5)..], transportSequenceNumber);
        return true;
    }
}
