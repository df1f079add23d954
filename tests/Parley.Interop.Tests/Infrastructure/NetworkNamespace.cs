using System.Diagnostics;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>
/// A Linux network namespace of its own (ip netns, needs root) whose only interface is its loopback, carrying
/// 127.0.0.1 and one extra address, <see cref="LanAddress"/>. A client connecting to that address is, to the hub
/// inside, a client on another machine (not 127.0.0.0/8), yet no packet leaves the namespace: the tests stay off
/// every real network and can use the hub's fixed default ports without meeting anyone else's.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string name) => Name = name;

    /// <summary>The namespace's name (parley-test-...).</summary>
    public string Name { get; }

    /// <summary>The non-loopback address clients use to look remote: 10.253.0.1.</summary>
    public string LanAddress => "10.253.0.1";

    /// <summary>Creates the namespace with its loopback up and <see cref="LanAddress"/> on it.</summary>
    public static NetworkNamespace Create()
    {
        var ns = new NetworkNamespace($"parley-test-{Guid.NewGuid():N}"[..24]);
        Run("ip", "netns", "add", ns.Name);
        try
        {
            Run("ip", "-n", ns.Name, "link", "set", "lo", "up");
            Run("ip", "-n", ns.Name, "addr", "add", $"{ns.LanAddress}/32", "dev", "lo");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>Starts <paramref name="fileName"/> inside the namespace, in <paramref name="directory"/>.</summary>
    public ExternalProcess Start(string directory, string fileName, params string[] arguments) =>
        ExternalProcess.Start("ip", ["netns", "exec", Name, "/usr/bin/env", "-C", directory, fileName, .. arguments]);

    /// <summary>Runs a short command inside the namespace and returns its standard output and error.</summary>
    public async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        await using var process = ExternalProcess.Start("ip", ["netns", "exec", Name, fileName, .. arguments]);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (process.StandardOutput + process.StandardError).TrimEnd();
    }

    private static void Run(string fileName, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }

    /// <summary>Deletes the namespace (its processes must have been stopped first).</summary>
    public void Dispose() => Run("ip", "netns", "delete", Name);
}
