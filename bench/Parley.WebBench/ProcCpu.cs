using System.Globalization;

namespace Parley.WebBench;

/// <summary>CPU time from /proc, in seconds of one core (utime + stime, fields 14 and 15 of /proc/PID/stat).</summary>
internal static class ProcCpu
{
    // USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)); .NET has no portable way to ask.
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of one process, or 0 when it is gone.</summary>
    public static double ProcessSeconds(int pid)
    {
        string[]? fields = StatFields(pid);
        return fields is null ? 0 : (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>utime + stime summed over every live descendant of <paramref name="root"/> whose name starts with <paramref name="namePrefix"/>.</summary>
    public static double DescendantSeconds(int root, string namePrefix)
    {
        var parents = new Dictionary<int, (int Parent, string Name, double Seconds)>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || StatFields(pid, out string name) is not { } fields)
            {
                continue;
            }

            double seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            parents[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), name, seconds);
        }

        double total = 0;
        foreach (var (pid, entry) in parents)
        {
            if (!entry.Name.StartsWith(namePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            for (int p = entry.Parent, hops = 0; p > 1 && hops < 64 && parents.TryGetValue(p, out var up); p = up.Parent, hops++)
            {
                if (p == root)
                {
                    total += entry.Seconds;
                    break;
                }
            }
        }

        return total;
    }

    /// <summary>Busy and total jiffies of the whole machine (first line of /proc/stat), for the load note.</summary>
    public static (double Busy, double Total) MachineSeconds()
    {
        string[] cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double total = 0, idle = 0;
        for (int i = 1; i < cpu.Length && i <= 8; i++)
        {
            double v = long.Parse(cpu[i], CultureInfo.InvariantCulture) / TicksPerSecond;
            total += v;
            if (i is 4 or 5)
            {
                idle += v; // idle, iowait
            }
        }

        return (total - idle, total);
    }

    private static string[]? StatFields(int pid) => StatFields(pid, out _);

    // Fields after the ")" that ends the command name; index 0 is field 3 (state), so utime (14) is index 11.
    private static string[]? StatFields(int pid, out string name)
    {
        name = "";
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        int open = text.IndexOf('(', StringComparison.Ordinal), close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        name = text[(open + 1)..close];
        return text[(close + 2)..].Split(' ');
    }
}
