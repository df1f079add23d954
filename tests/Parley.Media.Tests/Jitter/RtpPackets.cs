using System.Buffers.Binary;
using Parley.Rtp;

namespace Parley.Media.Tests.Jitter;

/// <summary>Builds small RTP packets whose 4-byte payload repeats the true (unwrapped) packet index.</summary>
public static class RtpPackets
{
    public static byte[] Make(long index, ushort firstSequenceNumber = 0, uint ssrc = 0x1234)
    {
        var header = new RtpHeader
        {
            PayloadType = 96,
            SequenceNumber = unchecked((ushort)(firstSequenceNumber + index)),
            Timestamp = unchecked((uint)(index * 3000)),
            Ssrc = ssrc,
        };
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, (int)index);
        byte[] packet = new byte[RtpPacketWriter.GetPacketLength(header, payload.Length)];
        RtpPacketWriter.Write(packet, header, payload);
        return packet;
    }

    public static int IndexOf(ReadOnlySpan<byte> packet)
    {
        Assert.True(RtpPacketView.TryParse(packet, out var view));
        return BinaryPrimitives.ReadInt32BigEndian(view.Payload);
    }
}
