using Parley.Rtp;
using Parley.WebRtc.Rtp;
using Parley.WebRtc.Sdp;

namespace Parley.WebRtc.Tests.Rtcp;

/// <summary>Relayed packets get the peer's header fields and this side's own extensions (RFC 8285).</summary>
public class WebRtcRtpRewriterTests
{
    [Fact]
    public void The_publishers_extensions_are_replaced_by_the_peers_and_csrcs_payload_and_padding_are_kept()
    {
        // The publisher's packet: its own MID "0" as id 4 and transport-wide number as id 3, one CSRC, 4 bytes of padding.
        byte[] publisherExtensions = [0x40, 0x30, 0x31, 0x00, 0x12, 0x34, 0x00, 0x00];
        var header = new RtpHeader
        {
            Marker = true, PayloadType = 102, SequenceNumber = 500, Timestamp = 90000, Ssrc = 0x01020304, Csrcs = new uint[] { 77 },
            HasExtension = true, ExtensionProfile = 0xBEDE, ExtensionData = publisherExtensions, PaddingLength = 4,
        };
        byte[] source = new byte[RtpPacketWriter.GetPacketLength(header, 5)];
        RtpPacketWriter.Write(source, header, [1, 2, 3, 4, 5]);

        byte[] destination = new byte[source.Length + WebRtcRtpRewriter.MaxExtensionLength];
        var ids = new WebRtcHeaderExtensionIds(Mid: 9, AbsoluteSendTime: 2, TransportSequenceNumber: 4);
        int length = WebRtcRtpRewriter.Rewrite(source, destination, 108, 7, 0xCAFE, ids, "1"u8, 0xABCD, 1_500_000);
        Assert.True(RtpPacketView.TryParse(destination.AsSpan(0, length), out var rtp));
        Assert.Equal((true, (byte)108, (ushort)7, 90000u, 0xCAFEu, 77u), (rtp.Marker, rtp.PayloadType, rtp.SequenceNumber, rtp.Timestamp, rtp.Ssrc, rtp.GetCsrc(0)));
        Assert.Equal([1, 2, 3, 4, 5], rtp.Payload.ToArray());
        Assert.Equal(4, rtp.PaddingLength);

        var elements = new List<string>();
        var reader = new RtpHeaderExtensionReader(rtp.ExtensionProfile, rtp.ExtensionData);
        while (reader.TryReadNext(out byte id, out var value))
        {
            elements.Add($"{id}:{Convert.ToHexString(value)}");
        }

        // 1.5 s in 6.18 fixed point is 1.5 * 2^18 = 0x060000.
        Assert.Equal(["4:ABCD", "9:31", "2:060000"], elements);

        Assert.True(WebRtcRtpRewriter.TrySetTransportSequenceNumber(destination.AsSpan(0, length), 4, 0x0102));
        Assert.True(RtpPacketView.TryParse(destination.AsSpan(0, length), out rtp));
        reader = new RtpHeaderExtensionReader(rtp.ExtensionProfile, rtp.ExtensionData);
        Assert.True(reader.TryReadNext(out byte first, out var restamped));
        Assert.Equal("4:0102", $"{first}:{Convert.ToHexString(restamped)}");
        Assert.False(WebRtcRtpRewriter.TrySetTransportSequenceNumber(destination.AsSpan(0, length), 5, 1));
    }

    [Fact]
    public void Without_negotiated_extensions_the_packet_has_none()
    {
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = 1, Ssrc = 5, HasExtension = true, ExtensionProfile = 0xBEDE, ExtensionData = new byte[] { 0x10, 0x30, 0, 0 } };
        byte[] source = new byte[RtpPacketWriter.GetPacketLength(header, 3)];
        RtpPacketWriter.Write(source, header, [9, 9, 9]);
        byte[] destination = new byte[64];
        int length = WebRtcRtpRewriter.Rewrite(source, destination, 96, 2, 6, default, "0"u8, 0, 0);
        Assert.Equal(15, length);
        Assert.True(RtpPacketView.TryParse(destination.AsSpan(0, length), out var rtp));
        Assert.False(rtp.HasExtension);
        Assert.Equal([9, 9, 9], rtp.Payload.ToArray());
        Assert.Equal(0, WebRtcRtpRewriter.Rewrite(source, new byte[10], 96, 2, 6, default, "0"u8, 0, 0));
        Assert.Equal(0, WebRtcRtpRewriter.Rewrite([1, 2, 3], destination, 96, 2, 6, default, "0"u8, 0, 0));
    }
}
