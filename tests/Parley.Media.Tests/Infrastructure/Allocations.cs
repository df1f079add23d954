namespace Parley.Media.Tests.Infrastructure;

public static class Allocations
{
    /// <summary>
    /// Bytes this thread allocates running <paramref name="action"/> once steady state is reached: the smallest
    /// count over several passes, so one-off runtime work (JIT tiering, OSR, first-call stubs) does not count.
    /// </summary>
    public static long SteadyState(Action action, int passes = 6)
    {
        long min = long.MaxValue;
        for (int i = 0; i < passes; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            min = Math.Min(min, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return min;
    }
}
