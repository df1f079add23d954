using FsCheck;
using FsCheck.Fluent;
using Parley.Rtp.Rtcp;

namespace Parley.Rtp.Tests;

public class NtpTimestampTests
{
    [Fact]
    public void Unix_epoch_is_2208988800_ntp_seconds()
    {
        var ntp = NtpTimestamp.FromDateTime(new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(2_208_988_800u, ntp.Seconds);
        Assert.Equal(0u, ntp.Fraction);
        Assert.Equal(new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc), ntp.ToDateTime());
        Assert.Equal(DateTimeKind.Utc, ntp.ToDateTime().Kind);
    }

    [Fact]
    public void Half_a_second_is_fraction_0x80000000()
    {
        var ntp = NtpTimestamp.FromDateTime(new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(500));
        Assert.Equal(0x8000_0000u, ntp.Fraction);
        Assert.Equal(((ulong)2_208_988_800u << 32) | 0x8000_0000u, ntp.Value);
    }

    [Fact]
    public void Middle32_is_the_lsr_field_of_rfc_3550()
    {
        var ntp = new NtpTimestamp(0x0123_4567_89AB_CDEFUL);
        Assert.Equal(0x4567_89ABu, ntp.Middle32);
        Assert.Equal(0x0123_4567u, ntp.Seconds);
        Assert.Equal(0x89AB_CDEFu, ntp.Fraction);
        Assert.Equal(ntp, new NtpTimestamp(0x0123_4567u, 0x89AB_CDEFu));
    }

    [Fact]
    public void Times_after_february_2036_wrap_into_era_1_and_convert_back()
    {
        Assert.Equal(new DateTime(2036, 2, 7, 6, 28, 16, DateTimeKind.Utc), NtpTimestamp.Era1);
        Assert.Equal(0UL, NtpTimestamp.FromDateTime(NtpTimestamp.Era1).Value);
        var later = new DateTime(2040, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        var ntp = NtpTimestamp.FromDateTime(later);
        Assert.True(ntp.Seconds < 0x8000_0000u);
        Assert.Equal(later, ntp.ToDateTime());
    }

    [Fact]
    public void Ffmpeg_sender_report_carries_the_capture_day()
    {
        byte[] sr = TestData.HexLines("ffmpeg-h264.rtcp.hex")[0];
        var reader = new RtcpCompoundReader(sr);
        Assert.True(reader.TryReadNext(out var packet));
        Assert.True(RtcpSenderReportView.TryParse(packet, out var report));
        Assert.Equal(new DateTime(2026, 11, 22), report.NtpTimestamp.ToDateTime().Date);
    }

    [Fact]
    public void Date_time_round_trips_to_the_100_ns_tick_across_both_eras()
    {
        long min = new DateTime(1968, 1, 21, 0, 0, 0, DateTimeKind.Utc).Ticks;
        long max = new DateTime(2104, 2, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        Prop.ForAll(
            Arb.From(Gen.Choose(0, int.MaxValue).Two().Select(t => min + (long)(((ulong)t.Item1 << 31 | (uint)t.Item2) % (ulong)(max - min)))),
            ticks =>
            {
                var time = new DateTime(ticks, DateTimeKind.Utc);
                var back = NtpTimestamp.FromDateTime(time).ToDateTime();
                Assert.InRange(Math.Abs((back - time).Ticks), 0, 1);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Short_format_is_units_of_1_65536_second()
    {
        Assert.Equal(65536u, NtpTimestamp.TimeSpanToShortFormat(TimeSpan.FromSeconds(1)));
        Assert.Equal(32768u, NtpTimestamp.TimeSpanToShortFormat(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(0u, NtpTimestamp.TimeSpanToShortFormat(TimeSpan.FromSeconds(-1)));
        Assert.Equal(uint.MaxValue, NtpTimestamp.TimeSpanToShortFormat(TimeSpan.FromDays(2)));
        Assert.Equal(TimeSpan.FromMilliseconds(250), NtpTimestamp.ShortFormatToTimeSpan(16384));
    }

    [Fact]
    public void Times_before_1900_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NtpTimestamp.FromDateTime(new DateTime(1899, 12, 31, 0, 0, 0, DateTimeKind.Utc)));
    }
}
