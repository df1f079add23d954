namespace Parley.Media.Jitter;

/// <summary>
/// A histogram of packet delays with exponential forgetting, from which a quantile is read: the delay that the
/// given share of packets stays under. The model is WebRTC NetEq's delay histogram: each new sample multiplies
/// every bucket by the forget factor and adds the remainder to its own bucket, so the buckets always sum to 1 and
/// old network behaviour fades with a time constant of about 1 / (1 - forgetFactor) samples.
/// </summary>
/// <remarks>
/// Until 1 / (1 - forgetFactor) samples have been seen, the factor is n / (n + 1) instead, which makes the
/// histogram the plain average of the samples so far: the first packets count fully rather than being drowned by
/// an arbitrary initial shape. Allocates only in the constructor. Not thread safe.
/// </remarks>
public sealed class DelayHistogram
{
    private readonly double[] _buckets;
    private readonly long _bucketTicks;
    private readonly double _forgetFactor;
    private long _samples;

    /// <summary>Creates an empty histogram.</summary>
    /// <param name="bucketWidth">The delay each bucket covers, e.g. 5 ms; positive.</param>
    /// <param name="bucketCount">Buckets; the last one also takes every larger delay. At least 2.</param>
    /// <param name="forgetFactor">Weight kept by the past at each sample, in (0, 1), e.g. 0.998.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public DelayHistogram(TimeSpan bucketWidth, int bucketCount, double forgetFactor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucketWidth, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketCount, 2);
        if (!(forgetFactor > 0 && forgetFactor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(forgetFactor), forgetFactor, "The forget factor must be between 0 and 1, exclusive.");
        }

        _buckets = new double[bucketCount];
        _bucketTicks = bucketWidth.Ticks;
        _forgetFactor = forgetFactor;
    }

    /// <summary>Samples added since creation or <see cref="Reset"/>.</summary>
    public long Count => _samples;

    /// <summary>Adds one delay; negative delays count as zero, delays past the last bucket fall into it.</summary>
    public void Add(TimeSpan delay)
    {
        int index = (int)Math.Clamp(delay.Ticks / _bucketTicks, 0, _buckets.Length - 1);
        double keep = Math.Min(_forgetFactor, (double)_samples / (_samples + 1));
        for (int i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] *= keep;
        }

        _buckets[index] += 1 - keep;
        _samples++;
    }

    /// <summary>
    /// The smallest bucket upper edge under which at least <paramref name="quantile"/> of the (weighted) samples
    /// lie, e.g. 0.97 for the 97th percentile; zero while empty. Rounds up to a bucket edge, so it errs long.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The quantile is not in (0, 1].</exception>
    public TimeSpan GetQuantile(double quantile)
    {
        if (!(quantile > 0 && quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The quantile must be in (0, 1].");
        }

        if (_samples == 0)
        {
            return TimeSpan.Zero;
        }

        // A small tolerance, so rounding in the forgetting does not push a quantile that is exactly met a bucket up.
        double sum = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            sum += _buckets[i];
            if (sum >= quantile - 1e-9)
            {
                return TimeSpan.FromTicks((i + 1) * _bucketTicks);
            }
        }

        return TimeSpan.FromTicks(_buckets.Length * _bucketTicks);
    }

    /// <summary>Forgets every sample.</summary>
    public void Reset()
    {
        Array.Clear(_buckets);
        _samples = 0;
    }
}
