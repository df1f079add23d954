namespace Parley.Endpoint.View;

/// <summary>
/// Keeps duration samples in milliseconds (capture-to-render latency, playout delay) for percentiles: the
/// first <see cref="Capacity"/> samples exactly, then every later one replaces a random kept one (reservoir
/// sampling), so a 3-hour run stays bounded and still unbiased. Not thread safe.
/// </summary>
public sealed class LatencySamples
{
    /// <summary>Samples kept at most: about 9 hours of 30 fps video.</summary>
    public const int Capacity = 1 << 20;

    private readonly List<double> _samples = [];
    private readonly Random _random = new(1);
    private double _sum;

    /// <summary>Samples added (also those not kept).</summary>
    public long Count { get; private set; }

    /// <summary>Mean of all samples added, in milliseconds; 0 before the first.</summary>
    public double Mean => Count == 0 ? 0 : _sum / Count;

    /// <summary>The latest sample, in milliseconds; 0 before the first.</summary>
    public double Last { get; private set; }

    /// <summary>Adds one sample.</summary>
    /// <param name="milliseconds">The duration in milliseconds.</param>
    public void Add(double milliseconds)
    {
        Count++;
        _sum += milliseconds;
        Last = milliseconds;
        if (_samples.Count < Capacity)
        {
            _samples.Add(milliseconds);
            return;
        }

        long slot = _random.NextInt64(Count);
        if (slot < Capacity)
        {
            _samples[(int)slot] = milliseconds;
        }
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of the kept samples by nearest rank; null without samples.</summary>
    public double? Percentile(double quantile)
    {
        if (_samples.Count == 0)
        {
            return null;
        }

        var sorted = _samples.ToArray();
        Array.Sort(sorted);
        int rank = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
