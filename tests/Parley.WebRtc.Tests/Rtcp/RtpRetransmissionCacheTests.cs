using Parley.Rtp;
using Parley.WebRtc.Rtcp;

namespace Parley.WebRtc.Tests.Rtcp;

/// <summary>The packet cache a NACK is answered from (RFC 4585 §6.2.1).</summary>
public class RtpRetransmissionCacheTests
{
    [Fact]
    public void The_last_capacity_packets_are_found_by_sequence_number_across_the_wrap_and_older_ones_miss()
    {
        using var cache = new RtpRetransmissionCache(512, 1500);
        for (int i = 0; i < 600; i++)
        {
            Assert.True(cache.Store(Packet((ushort)(65300 + i), (byte)i)));
        }

        // The last stored is 65300 + 599 = 363 after the wrap; the oldest still kept is 363 - 511.
        ushort newest = unchecked((ushort)(65300 + 599));
        Assert.True(cache.TryGet(newest, out var packet));
        Assert.Equal(Packet(newest, unchecked((byte)599)), packet.ToArray());
        Assert.True(cache.TryGet(unchecked((ushort)(newest - 511)), out packet));
        Assert.Equal(unchecked((ushort)(newest - 511)), new RtpPacketViewReader(packet).Sequence);
        Assert.False(cache.TryGet(unchecked((ushort)(newest - 512)), out _));
        Assert.False(cache.TryGet(unchecked((ushort)(newest + 1)), out _));
    }

    [Fact]
    public void Non_rtp_and_oversized_packets_are_not_kept_and_a_disposed_cache_finds_nothing()
    {
        var cache = new RtpRetransmissionCache(16, 100);
        Assert.False(cache.Store(new byte[5]));
        Assert.False(cache.Store(new byte[200]));
        Assert.True(cache.Store(Packet(7, 1)));
        cache.Dispose();
        Assert.False(cache.TryGet(7, out _));
        Assert.False(cache.Store(Packet(8, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpRetransmissionCache(100));
    }

    [Fact]
    public void Storing_allocates_nothing_once_the_ring_is_full()
    {
        using var cache = new RtpRetransmissionCache(512, 1500);
        byte[] packet = Packet(0, 0, 1100);
        for (int i = 0; i < 512; i++)
        {
            packet[3] = (byte)i;
            packet[2] = (byte)(i >> 8);
            cache.Store(packet);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            packet[3] = (byte)i;
            packet[2] = (byte)(i >> 8);
            cache.Store(packet);
            cache.TryGet((ushort)(i - 3), out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static byte[] Packet(ushort sequence, byte fill, int payload = 20)
    {
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = sequence, Ssrc = 42 };
        byte[] bytes = new byte[RtpPacketWriter.GetPacketLength(header, payload)];
        RtpPacketWriter.Write(bytes, header, Enumerable.Repeat(fill, payload).ToArray());
        return bytes;
    }

    private readonly ref struct RtpPacketViewReader(ReadOnlySpan<byte> packet)
    {
        public ushort Sequence { get; } = RtpPacketView.TryParse(packet, out var view) ? view.SequenceNumber : (ushort)0;
    }
}
