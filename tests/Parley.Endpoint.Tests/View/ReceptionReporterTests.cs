using Microsoft.Extensions.Time.Testing;
using Parley.Endpoint.View;
using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.Endpoint.Tests.View;

/// <summary>
/// Sender reports and the RTP clock mapping: a report that arrives before the first RTP packet (a hub hands a new
/// reader the publisher's last one at PLAY) is kept for that sender, and a new SSRC starts over.
/// </summary>
public sealed class ReceptionReporterTests
{
    private static readonly DateTime Wall = new(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_sender_report_before_the_first_rtp_packet_maps_that_senders_timestamps()
    {
        var reporter = new ReceptionReporter(90000, localSsrc: 1, new ViewClock(new FakeTimeProvider()));
        Assert.True(reporter.OnRtcp(SenderReport(ssrc: 42, rtpTimestamp: 900_000)));
        reporter.OnRtp(Rtp(ssrc: 42, timestamp: 990_000), arrivalTimestamp: 0);
        Assert.True(reporter.ClockMapping.TryGetWallClock(990_000, out var wall));
        Assert.Equal(Wall.AddSeconds(1), wall);
    }

    [Fact]
    public void Rtp_from_another_ssrc_than_the_early_report_starts_a_new_mapping()
    {
        var reporter = new ReceptionReporter(90000, localSsrc: 1, new ViewClock(new FakeTimeProvider()));
        Assert.True(reporter.OnRtcp(SenderReport(ssrc: 42, rtpTimestamp: 900_000)));
        reporter.OnRtp(Rtp(ssrc: 43, timestamp: 990_000), arrivalTimestamp: 0);
        Assert.False(reporter.ClockMapping.TryGetWallClock(990_000, out _));
        Assert.Equal(43u, reporter.RemoteSsrc);
    }

    private static byte[] SenderReport(uint ssrc, uint rtpTimestamp)
    {
        var buffer = new byte[64];
        int length = RtcpWriter.WriteSenderReport(buffer, ssrc, NtpTimestamp.FromDateTime(Wall), rtpTimestamp, 0, 0, []);
        return buffer[..length];
    }

    private static RtpPacketView Rtp(uint ssrc, uint timestamp)
    {
        var buffer = new byte[40];
        int length = RtpPacketWriter.Write(buffer, new RtpHeader { PayloadType = 96, SequenceNumber = 1, Timestamp = timestamp, Ssrc = ssrc }, [1, 2, 3]);
        Assert.True(RtpPacketView.TryParse(buffer.AsSpan(0, length), out var view));
        return view;
    }
}
