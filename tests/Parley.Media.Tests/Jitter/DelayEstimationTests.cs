using Parley.Media.Jitter;

namespace Parley.Media.Tests.Jitter;

public class DelayEstimationTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Histogram_quantile_is_the_bucket_edge_covering_that_share_of_samples()
    {
        var histogram = new DelayHistogram(5 * Ms, 100, 0.999);
        Assert.Equal(TimeSpan.Zero, histogram.GetQuantile(0.97));
        for (int i = 0; i < 100; i++)
        {
            histogram.Add(i * Ms); // 0..99 ms, one each: 5 per bucket
        }

        Assert.Equal(50 * Ms, histogram.GetQuantile(0.5));
        Assert.Equal(100 * Ms, histogram.GetQuantile(0.97));
        Assert.Equal(5 * Ms, histogram.GetQuantile(0.05));
        histogram.Add(-3 * Ms);
        histogram.Add(TimeSpan.FromSeconds(5));
        Assert.Equal(500 * Ms, histogram.GetQuantile(1.0)); // the last bucket takes everything larger
    }

    [Fact]
    public void Histogram_forgets_old_samples_at_the_forget_factor()
    {
        var histogram = new DelayHistogram(10 * Ms, 50, 0.99);
        for (int i = 0; i < 1000; i++)
        {
            histogram.Add(200 * Ms);
        }

        Assert.Equal(210 * Ms, histogram.GetQuantile(0.97));

        // After n samples of 0 ms the old mass is 0.99^n: under 3 % once n >= 349.
        for (int i = 0; i < 348; i++)
        {
            histogram.Add(TimeSpan.Zero);
        }

        Assert.Equal(210 * Ms, histogram.GetQuantile(0.97));
        histogram.Add(TimeSpan.Zero);
        Assert.Equal(10 * Ms, histogram.GetQuantile(0.97));
    }

    [Fact]
    public void Relative_delay_is_measured_against_the_fastest_packet_of_the_window()
    {
        var estimator = new RelativeArrivalDelay(48000, TimeSpan.FromSeconds(2));
        long ts = 123456;

        // Constant transit of 50 ms: every packet is as fast as the fastest.
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(TimeSpan.Zero, estimator.Add(ts + (i * 960), ((i * 20) + 50) * Ms));
        }

        Assert.Equal(30 * Ms, estimator.Add(ts + (10 * 960), (200 + 80) * Ms));
        Assert.Equal(TimeSpan.Zero, estimator.Add(ts + (11 * 960), (220 + 50) * Ms));

        // The network gets 40 ms slower for good: relative delay 40 ms until the fast packets leave the window.
        Assert.Equal(40 * Ms, estimator.Add(ts + (12 * 960), (240 + 90) * Ms));
        TimeSpan last = TimeSpan.Zero;
        for (int i = 13; i < 13 + 150; i++)
        {
            last = estimator.Add(ts + (i * 960), ((i * 20) + 90) * Ms);
        }

        Assert.Equal(TimeSpan.Zero, last);
        Assert.Equal(estimator.MediaTime(ts + 960), 20 * Ms);
    }
}
