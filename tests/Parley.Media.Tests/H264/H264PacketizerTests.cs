using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Media.Tests.H264;

public class H264PacketizerTests
{
    private static readonly byte[] Sps = [0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0xA0, 0x47, 0xFE, 0xC8];
    private static readonly byte[] Pps = [0x68, 0xCE, 0x3C, 0x80];
    private static readonly byte[] Sei = [0x06, 0x05, 0x01, 0xAA, 0x80];

    private static byte[] Nal(byte header, int length)
    {
        byte[] nal = new byte[length];
        nal[0] = header;
        for (int i = 1; i < length; i++)
        {
            nal[i] = (byte)(i * 7);
        }

        return nal;
    }

    private static ListPacketSink Run(H264Packetizer packetizer, uint timestamp, params byte[][] nalUnits)
    {
        var sink = new ListPacketSink();
        packetizer.Packetize(nalUnits.Select(n => (ReadOnlyMemory<byte>)n).ToArray(), timestamp, sink);
        return sink;
    }

    [Fact]
    public void A_nal_unit_that_fits_is_sent_as_a_single_nal_unit_packet_with_the_marker()
    {
        // RFC 6184 §5.6: the payload is the NAL unit itself, header byte first.
        byte[] slice = Nal(0x41, 500);
        var packetizer = new H264Packetizer(0x11223344, 97, 65535);
        ListPacketSink sink = Run(packetizer, 123456, slice);

        byte[] packet = Assert.Single(sink.Packets);
        Assert.Equal([0x80, 0x80 | 97, 0xFF, 0xFF, 0x00, 0x01, 0xE2, 0x40, 0x11, 0x22, 0x33, 0x44], packet[..12]);
        Assert.Equal(slice, packet[12..]);
        Assert.True(Assert.Single(sink.Markers));
        Assert.Equal(0, packetizer.SequenceNumber);
        Assert.Equal(1, packetizer.FramesPacketized);
        Assert.Equal(1, packetizer.PacketsWritten);
    }

    [Fact]
    public void Small_nal_units_are_aggregated_into_one_stap_a()
    {
        // RFC 6184 §5.7.1 Figure 7: STAP-A header, then [16-bit size][NAL unit] for each; NRI is the maximum (3 here).
        var packetizer = new H264Packetizer(1);
        ListPacketSink sink = Run(packetizer, 0, Sps, Pps, Sei);

        byte[] payload = H264TestStreams.Payload(Assert.Single(sink.Packets));
        byte[] expected = [
            0x78,
            0x00, 0x0A, .. Sps,
            0x00, 0x04, .. Pps,
            0x00, 0x05, .. Sei,
        ];
        Assert.Equal(expected, payload);
        Assert.True(sink.Markers[0]);
    }

    [Fact]
    public void Aggregation_stops_at_a_unit_that_does_not_fit_and_the_marker_goes_on_the_last_packet()
    {
        var packetizer = new H264Packetizer(1) { MaxPayloadSize = 100 };
        byte[] idr = Nal(0x65, 90);
        ListPacketSink sink = Run(packetizer, 0, Sps, Pps, idr);

        Assert.Equal(2, sink.Packets.Count);
        byte[] stap = H264TestStreams.Payload(sink.Packets[0]);
        Assert.Equal([0x78, 0x00, 0x0A, .. Sps, 0x00, 0x04, .. Pps], stap);
        Assert.Equal(idr, H264TestStreams.Payload(sink.Packets[1]));
        Assert.Equal([false, true], sink.Markers);
    }

    [Fact]
    public void A_nal_unit_larger_than_the_budget_is_cut_into_fu_a_fragments()
    {
        // RFC 6184 §5.8 Figures 14-15: FU indicator (F|NRI|28), FU header (S|E|R|type); the NAL header is not sent.
        var packetizer = new H264Packetizer(1) { MaxPayloadSize = 100 };
        byte[] idr = Nal(0x65, 1 + 98 + 98 + 50);
        ListPacketSink sink = Run(packetizer, 0, idr);

        Assert.Equal(3, sink.Packets.Count);
        byte[][] payloads = sink.Packets.Select(H264TestStreams.Payload).ToArray();
        Assert.Equal([0x7C, 0x85], payloads[0][..2]);
        Assert.Equal([0x7C, 0x05], payloads[1][..2]);
        Assert.Equal([0x7C, 0x45], payloads[2][..2]);
        Assert.Equal(idr[1..], payloads.SelectMany(p => p[2..]).ToArray());
        Assert.All(sink.Packets, p => Assert.True(p.Length <= 12 + 100));
        Assert.Equal([false, false, true], sink.Markers);
    }

    [Fact]
    public void Access_unit_delimiters_are_dropped_by_default_and_kept_on_request()
    {
        byte[] aud = [0x09, 0xF0];
        byte[] slice = Nal(0x41, 2000);
        var packetizer = new H264Packetizer(1);
        ListPacketSink dropped = Run(packetizer, 0, aud, slice);
        Assert.Equal([0x5C, 0x81], H264TestStreams.Payload(dropped.Packets[0])[..2]); // straight into FU-A of the slice

        packetizer.DropAccessUnitDelimiters = false;
        ListPacketSink kept = Run(packetizer, 0, aud, slice);
        Assert.Equal(aud, H264TestStreams.Payload(kept.Packets[0]));
    }

    [Fact]
    public void Remembered_sps_and_pps_are_inserted_before_an_idr_that_lacks_them()
    {
        var packetizer = new H264Packetizer(1);
        byte[] idr = Nal(0x65, 300);
        Run(packetizer, 0, Sps, Pps, idr);
        Run(packetizer, 3000, Nal(0x41, 200));
        ListPacketSink sink = Run(packetizer, 6000, Sei, idr);

        Assert.Equal(1, packetizer.ParameterSetsInserted);
        byte[] payload = H264TestStreams.Payload(Assert.Single(sink.Packets));
        Assert.Equal([0x78, 0x00, 0x05, .. Sei, 0x00, 0x0A, .. Sps, 0x00, 0x04, .. Pps, 0x01, 0x2C, .. idr], payload);

        packetizer.InsertParameterSets = false;
        sink = Run(packetizer, 9000, idr);
        Assert.Equal(idr, H264TestStreams.Payload(Assert.Single(sink.Packets)));
    }

    [Fact]
    public void Parameter_sets_given_out_of_band_are_inserted_too()
    {
        var packetizer = new H264Packetizer(1);
        packetizer.SetParameterSets(Sps, Pps);
        byte[] idr = Nal(0x65, 3000);
        ListPacketSink sink = Run(packetizer, 0, idr);

        Assert.Equal([0x78, 0x00, 0x0A, .. Sps, 0x00, 0x04, .. Pps], H264TestStreams.Payload(sink.Packets[0]));
        Assert.Equal(0x85, H264TestStreams.Payload(sink.Packets[1])[1]);
        Assert.Throws<ArgumentException>(() => packetizer.SetParameterSets(Pps, Sps));
    }

    [Fact]
    public void Units_rtp_cannot_carry_are_skipped_and_an_empty_access_unit_writes_nothing()
    {
        var packetizer = new H264Packetizer(1);
        ListPacketSink sink = Run(packetizer, 0, [0x18, 1, 2], [0x1C, 1], [0x80 | 0x41, 1], [], [0x00, 5]);
        Assert.Empty(sink.Packets);
        Assert.Equal(4, packetizer.NalUnitsSkipped);
        Assert.Equal(0, packetizer.FramesPacketized);
    }

    [Fact]
    public void Annex_b_input_gives_the_same_packets_as_nal_units()
    {
        byte[] idr = Nal(0x65, 4000);
        byte[] annexB = [0, 0, 0, 1, .. Sps, 0, 0, 1, .. Pps, 0, 0, 0, 1, .. idr];
        var a = new ListPacketSink();
        new H264Packetizer(5).PacketizeAnnexB(annexB, 90, a);
        ListPacketSink b = Run(new H264Packetizer(5), 90, Sps, Pps, idr);
        Assert.Equal(b.Packets, a.Packets);
        Assert.Equal(b.Markers, a.Markers);
    }

    [Fact]
    public void A_sink_that_returns_a_short_buffer_is_a_programming_error()
    {
        var packetizer = new H264Packetizer(1);
        Assert.Throws<InvalidOperationException>(() => packetizer.Packetize([Nal(0x41, 10)], 0, new ShortSink()));
        Assert.Throws<ArgumentOutOfRangeException>(() => packetizer.MaxPayloadSize = H264Packetizer.MinMaxPayloadSize - 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new H264Packetizer(1, 128));
    }

    [Fact]
    public void Packetizing_a_real_access_unit_allocates_nothing()
    {
        List<List<byte[]>> aus = H264TestStreams.AccessUnits(H264TestStreams.Presenter720p(10));
        byte[] keyFrame = H264TestStreams.ToAnnexB(aus[0]);
        var packetizer = new H264Packetizer(1);
        var sink = new ReusedSink();
        long bytes = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                packetizer.PacketizeAnnexB(keyFrame, (uint)(i * 3000), sink);
            }
        });
        Assert.Equal(0, bytes);
        Assert.True(sink.Count > 20, $"{sink.Count} packets");
    }

    private sealed class ShortSink : IRtpPacketSink
    {
        private readonly byte[] _buffer = new byte[100];

        public Span<byte> GetPacketBuffer(int minimumLength) => _buffer;

        public void Commit(int length, bool marker)
        {
        }
    }

    private sealed class ReusedSink : IRtpPacketSink
    {
        private readonly byte[] _buffer = new byte[RtpPacketView.FixedHeaderLength + 65000];

        public long Count { get; private set; }

        public Span<byte> GetPacketBuffer(int minimumLength) => _buffer;

        public void Commit(int length, bool marker) => Count++;
    }
}
