using System.Runtime.InteropServices;

namespace Parley.Codecs;

/// <summary>
/// CPU time consumed by the calling thread (POSIX <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): what a pipeline
/// stage on that thread really costs, unlike wall time, which also counts waiting and being preempted. Work a stage
/// hands to other threads (GStreamer's encoder and capture threads) is not included.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>The calling thread's CPU time so far (user + system); <see cref="TimeSpan.Zero"/> where the clock is unavailable.</summary>
    public static TimeSpan Now => clock_gettime(ClockThreadCpuTimeId, out var value) == 0
        ? TimeSpan.FromTicks((value.Seconds * TimeSpan.TicksPerSecond) + (value.Nanoseconds / 100))
        : TimeSpan.Zero;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int clock_gettime(int clockId, out TimeSpec value);
}
