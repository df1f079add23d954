using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Media.Tests.H264;

public class H264DepacketizerTests
{
    private static readonly byte[] Sps = [0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0xA0, 0x47, 0xFE, 0xC8];
    private static readonly byte[] Pps = [0x68, 0xCE, 0x3C, 0x80];
    private static readonly byte[] StartCode = [0, 0, 0, 1];

    internal static byte[] Rtp(ushort sequenceNumber, uint timestamp, bool marker, params byte[] payload)
    {
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = sequenceNumber, Timestamp = timestamp, Ssrc = 7, Marker = marker };
        byte[] packet = new byte[RtpPacketWriter.GetPacketLength(header, payload.Length)];
        RtpPacketWriter.Write(packet, header, payload);
        return packet;
    }

    [Fact]
    public void Single_nal_unit_packet_becomes_an_annex_b_access_unit()
    {
        var d = new H264Depacketizer();
        Assert.True(d.NeedsKeyFrame);
        Assert.True(d.Push(Rtp(1, 9000, true, 0x65, 0x88, 0x84)));
        Assert.Equal([0, 0, 0, 1, 0x65, 0x88, 0x84], d.AccessUnit.ToArray());
        Assert.Equal(9000u, d.Timestamp);
        Assert.True(d.IsKeyFrame);
        Assert.False(d.NeedsKeyFrame);
        Assert.True(d.Sps.IsEmpty);
        Assert.Equal(1, d.AccessUnitsCompleted);
    }

    [Fact]
    public void Stap_a_is_split_into_its_nal_units_and_exposes_sps_and_pps()
    {
        var d = new H264Depacketizer();
        byte[] idr = [0x65, 1, 2, 3];
        Assert.True(d.Push(Rtp(1, 0, true, [0x78, 0x00, 0x0A, .. Sps, 0x00, 0x04, .. Pps, 0x00, 0x04, .. idr])));
        Assert.Equal([.. StartCode, .. Sps, .. StartCode, .. Pps, .. StartCode, .. idr], d.AccessUnit.ToArray());
        Assert.Equal(Sps, d.Sps.ToArray());
        Assert.Equal(Pps, d.Pps.ToArray());
        Assert.True(d.IsKeyFrame);
    }

    [Fact]
    public void Fu_a_fragments_are_joined_and_the_nal_header_rebuilt()
    {
        var d = new H264Depacketizer();
        Assert.False(d.Push(Rtp(10, 0, false, 0x5C, 0x81, 1, 2)));
        Assert.False(d.Push(Rtp(11, 0, false, 0x5C, 0x01, 3, 4)));
        Assert.True(d.Push(Rtp(12, 0, true, 0x5C, 0x41, 5)));
        Assert.Equal([0, 0, 0, 1, 0x41, 1, 2, 3, 4, 5], d.AccessUnit.ToArray());
        Assert.False(d.IsKeyFrame);
        Assert.True(d.NeedsKeyFrame);
    }

    [Fact]
    public void A_timestamp_change_ends_an_access_unit_whose_marker_the_sender_left_out()
    {
        var d = new H264Depacketizer();
        Assert.False(d.Push(Rtp(1, 0, false, 0x65, 1)));
        Assert.False(d.Push(Rtp(2, 0, false, 0x65, 2)));
        Assert.True(d.Push(Rtp(3, 3000, false, 0x41, 3)));
        Assert.Equal([0, 0, 0, 1, 0x65, 1, 0, 0, 0, 1, 0x65, 2], d.AccessUnit.ToArray());
        Assert.Equal(0u, d.Timestamp);

        // This packet ends two access units: the one without marker now, its own at the next call.
        Assert.True(d.Push(Rtp(4, 6000, true, 0x41, 4)));
        Assert.Equal(3000u, d.Timestamp);
        Assert.Equal([0, 0, 0, 1, 0x41, 3], d.AccessUnit.ToArray());
        Assert.True(d.Push(Rtp(5, 9000, false, 0x41, 5)));
        Assert.Equal(6000u, d.Timestamp);
        Assert.Equal([0, 0, 0, 1, 0x41, 4], d.AccessUnit.ToArray());
        Assert.Equal(3, d.AccessUnitsCompleted);
    }

    [Fact]
    public void A_sequence_gap_drops_the_access_unit_and_asks_for_a_key_frame_until_an_idr()
    {
        var d = new H264Depacketizer();
        Assert.True(d.Push(Rtp(1, 0, true, 0x65, 1)));
        Assert.False(d.NeedsKeyFrame);
        Assert.False(d.Push(Rtp(2, 3000, false, 0x5C, 0x81, 1)));
        // packet 3 (the middle fragment) is lost
        Assert.False(d.Push(Rtp(4, 3000, true, 0x5C, 0x41, 3)));
        Assert.Equal(1, d.PacketsLost);
        Assert.Equal(1, d.AccessUnitsDropped);
        Assert.True(d.NeedsKeyFrame);

        Assert.True(d.Push(Rtp(5, 6000, true, 0x41, 5)));
        Assert.True(d.NeedsKeyFrame);
        Assert.True(d.Push(Rtp(6, 9000, true, 0x65, 6)));
        Assert.False(d.NeedsKeyFrame);
        Assert.Equal(0, d.PacketsMalformed);
    }

    [Fact]
    public void Late_and_duplicate_packets_are_dropped_and_counted()
    {
        var d = new H264Depacketizer();
        Assert.False(d.Push(Rtp(100, 0, false, 0x65, 1)));
        Assert.False(d.Push(Rtp(100, 0, false, 0x65, 1)));
        Assert.False(d.Push(Rtp(99, 0, false, 0x65, 1)));
        Assert.True(d.Push(Rtp(101, 0, true, 0x65, 2)));
        Assert.Equal(2, d.PacketsLate);
        Assert.Equal([0, 0, 0, 1, 0x65, 1, 0, 0, 0, 1, 0x65, 2], d.AccessUnit.ToArray());
    }

    public static TheoryData<string, byte[]> MalformedPayloads => new()
    {
        { "empty payload", [] },
        { "F bit set", [0xE5, 1, 2] },
        { "FU-A without start", [0x7C, 0x05, 1, 2] },
        { "FU-A end without start", [0x7C, 0x45, 1] },
        { "FU-A start and end together", [0x7C, 0xC5, 1] },
        { "FU-A of type 0", [0x7C, 0x80, 1] },
        { "FU-A carrying an FU-A", [0x7C, 0x9C, 1] },
        { "FU-A without FU header", [0x7C] },
        { "STAP-A without units", [0x78] },
        { "STAP-A size past the end", [0x78, 0x00, 0x05, 0x67, 1] },
        { "STAP-A zero size", [0x78, 0x00, 0x00, 0x00, 0x01, 0x67] },
        { "STAP-A one trailing byte", [0x78, 0x00, 0x01, 0x09, 0x00] },
        { "STAP-A nested STAP-A", [0x78, 0x00, 0x02, 0x78, 0x00] },
        { "STAP-A unit with F bit", [0x78, 0x00, 0x02, 0xE5, 0x00] },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void Malformed_payloads_are_counted_and_drop_their_access_unit(string what, byte[] payload)
    {
        var d = new H264Depacketizer();
        Assert.True(d.Push(Rtp(1, 0, true, 0x65, 9)));
        Assert.False(d.Push(Rtp(2, 3000, false, 0x41, 1)));
        Assert.False(d.Push(Rtp(3, 3000, false, payload)));
        Assert.Equal(1, d.PacketsMalformed);
        Assert.True(d.NeedsKeyFrame, what);
        Assert.Equal(1, d.AccessUnitsDropped);
        Assert.False(d.Push(Rtp(4, 3000, true, 0x41, 2)));
        Assert.Equal(1, d.PacketsDiscarded);

        Assert.True(d.Push(Rtp(5, 6000, true, 0x41, 3)));
        Assert.Equal([0, 0, 0, 1, 0x41, 3], d.AccessUnit.ToArray());
    }

    [Fact]
    public void A_datagram_that_is_not_rtp_is_counted_and_leaves_the_access_unit_alone()
    {
        var d = new H264Depacketizer();
        Assert.False(d.Push(Rtp(1, 0, false, 0x65, 1)));
        Assert.False(d.Push([0x40, 0, 0, 3]));
        Assert.False(d.Push(new byte[5]));
        Assert.Equal(2, d.PacketsMalformed);
        Assert.True(d.Push(Rtp(2, 0, true, 0x65, 2)));
        Assert.Equal([0, 0, 0, 1, 0x65, 1, 0, 0, 0, 1, 0x65, 2], d.AccessUnit.ToArray());
        Assert.Equal(0, d.AccessUnitsDropped);
    }

    [Theory]
    [InlineData(25)] // STAP-B
    [InlineData(26)] // MTAP16
    [InlineData(27)] // MTAP24
    [InlineData(29)] // FU-B
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(0)]
    public void Interleaved_mode_and_undefined_packet_types_are_unsupported(int type)
    {
        var d = new H264Depacketizer();
        Assert.False(d.Push(Rtp(1, 0, true, (byte)(0x60 | type), 0, 0, 0, 0, 0)));
        Assert.Equal(1, d.PacketsUnsupported);
        Assert.Equal(1, d.AccessUnitsDropped);
        Assert.Equal(0, d.PacketsMalformed);
    }

    [Fact]
    public void A_fragmented_nal_unit_interrupted_by_another_packet_is_malformed()
    {
        var d = new H264Depacketizer();
        Assert.False(d.Push(Rtp(1, 0, false, 0x7C, 0x85, 1)));
        Assert.False(d.Push(Rtp(2, 0, true, 0x41, 2)));
        Assert.Equal(1, d.PacketsMalformed);

        Assert.False(d.Push(Rtp(3, 3000, false, 0x7C, 0x85, 1)));
        Assert.False(d.Push(Rtp(4, 3000, true, 0x7C, 0x05, 2))); // marker without the E bit
        Assert.Equal(2, d.PacketsMalformed);

        Assert.False(d.Push(Rtp(5, 6000, false, 0x7C, 0x85, 1)));
        Assert.True(d.Push(Rtp(6, 9000, true, 0x41, 2))); // timestamp moved on mid-fragment: that unit is lost
        Assert.Equal([0, 0, 0, 1, 0x41, 2], d.AccessUnit.ToArray());
        Assert.Equal(3, d.PacketsMalformed);
        Assert.Equal(3, d.AccessUnitsDropped);
    }

    [Fact]
    public void An_access_unit_over_the_size_limit_is_dropped_and_counted()
    {
        var d = new H264Depacketizer(maxAccessUnitSize: 2000);
        byte[] chunk = new byte[900];
        Assert.False(d.Push(Rtp(1, 0, false, [0x7C, 0x85, .. chunk])));
        Assert.False(d.Push(Rtp(2, 0, false, [0x7C, 0x05, .. chunk])));
        Assert.False(d.Push(Rtp(3, 0, false, [0x7C, 0x05, .. chunk])));
        Assert.False(d.Push(Rtp(4, 0, true, [0x7C, 0x45, .. chunk])));
        Assert.Equal(1, d.AccessUnitsTooLarge);
        Assert.Equal(1, d.AccessUnitsDropped);
        Assert.Equal(1, d.PacketsDiscarded);
        Assert.False(d.Push(Rtp(5, 3000, false, [0x7C, 0x85, .. chunk[..100]])));
        Assert.True(d.Push(Rtp(6, 3000, true, [0x7C, 0x45, .. chunk[..100]])));
        Assert.Equal(4 + 1 + 200, d.AccessUnit.Length);
    }

    [Fact]
    public void Reset_forgets_the_partial_access_unit_and_the_sequence()
    {
        var d = new H264Depacketizer();
        Assert.True(d.Push(Rtp(1, 0, true, 0x65, 1)));
        Assert.False(d.Push(Rtp(2, 3000, false, 0x7C, 0x81, 1)));
        d.Reset();
        Assert.True(d.NeedsKeyFrame);
        Assert.True(d.Push(Rtp(500, 6000, true, 0x41, 7)));
        Assert.Equal([0, 0, 0, 1, 0x41, 7], d.AccessUnit.ToArray());
        Assert.Equal(0, d.PacketsLost);
    }

    [Fact]
    public void Depacketizing_allocates_nothing_in_steady_state()
    {
        List<List<byte[]>> aus = H264TestStreams.AccessUnits(H264TestStreams.Presenter720p(10));
        List<byte[]> packets = H264TestStreams.Packetize(new H264Packetizer(1), aus);
        var d = new H264Depacketizer();
        int completed = 0;
        long bytes = Allocations.SteadyState(() =>
        {
            d.Reset();
            foreach (byte[] packet in packets)
            {
                completed += d.Push(packet) ? 1 : 0;
            }
        });
        Assert.Equal(0, bytes);
        Assert.Equal(aus.Count * 6, completed);
    }
}
