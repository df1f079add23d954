using Parley.Rtp;

namespace Parley.Security.Tests.Srtp;

/// <summary>RTP packets for the SRTP tests, written by the project's own RtpPacketWriter.</summary>
internal static class TestPackets
{
    public static byte[] Rtp(ushort sequenceNumber, uint ssrc = 0x11223344, int payloadLength = 100, int csrcs = 0,
        int extensionWords = -1, byte padding = 0, int seed = 1)
    {
        var random = new Random(seed);
        byte[] payload = new byte[payloadLength];
        random.NextBytes(payload);
        byte[] extension = new byte[Math.Max(0, extensionWords) * 4];
        random.NextBytes(extension);
        var header = new RtpHeader
        {
            PayloadType = 111,
            SequenceNumber = sequenceNumber,
            Timestamp = (uint)sequenceNumber * 960,
            Ssrc = ssrc,
            Csrcs = Enumerable.Range(1, csrcs).Select(i => (uint)i * 0x01010101u).ToArray(),
            HasExtension = extensionWords >= 0,
            ExtensionProfile = 0xBEDE,
            ExtensionData = extension,
            PaddingLength = padding,
        };
        byte[] packet = new byte[RtpPacketWriter.GetPacketLength(header, payloadLength)];
        int length = RtpPacketWriter.Write(packet, header, payload);
        Assert.Equal(packet.Length, length);
        return packet;
    }

    /// <summary>A receiver report with one report block (RFC 3550 §6.4.2), 32 bytes.</summary>
    public static byte[] Rtcp(uint ssrc = 0x11223344)
    {
        byte[] packet = new byte[32];
        packet[0] = 0x81;
        packet[1] = 201;
        packet[3] = 7;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        for (int i = 8; i < packet.Length; i++)
        {
            packet[i] = (byte)i;
        }

        return packet;
    }

    /// <summary>Copies <paramref name="packet"/> into a buffer with <paramref name="room"/> spare bytes.</summary>
    public static byte[] WithRoom(byte[] packet, int room = 64)
    {
        byte[] buffer = new byte[packet.Length + room];
        packet.CopyTo(buffer, 0);
        return buffer;
    }
}
