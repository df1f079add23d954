using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Parley.Media.Tests.Infrastructure;

/// <summary>Real media from /work/shared/media, converted with ffmpeg at test time, and external process helpers.</summary>
public static class TestMedia
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new();

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared media folder: ../shared/media relative to the repository root.</summary>
    public static string MediaDirectory => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "media"));

    public static string MediaFile(string name)
    {
        string path = Path.Combine(MediaDirectory, name);
        Assert.True(File.Exists(path), $"Test media {path} is missing.");
        return path;
    }

    /// <summary>One frame of a real recording as packed I420, decoded and scaled by ffmpeg (cached per process).</summary>
    public static byte[] RealFrameI420(int width, int height, int frameIndex = 20, string media = "talking-head.avi") =>
        Cache.GetOrAdd($"{media}:{width}x{height}:{frameIndex}", _ =>
        {
            using var dir = new TempDirectory();
            string output = dir.File("frame.yuv");
            RunChecked("ffmpeg", ["-v", "error", "-i", MediaFile(media), "-vf", $"select=eq(n\\,{frameIndex}),scale={width}:{height}", "-frames:v", "1", "-pix_fmt", "yuv420p", "-f", "rawvideo", "-y", output]);
            byte[] data = File.ReadAllBytes(output);
            Assert.Equal(width * height * 3 / 2, data.Length);
            return data;
        });

    /// <summary>speech-16k.wav resampled to 48 kHz mono s16 by ffmpeg.</summary>
    public static short[] Speech48k()
    {
        byte[] raw = Cache.GetOrAdd("speech48k", _ =>
        {
            using var dir = new TempDirectory();
            string output = dir.File("speech.raw");
            RunChecked("ffmpeg", ["-v", "error", "-i", MediaFile("speech-16k.wav"), "-ar", "48000", "-ac", "1", "-f", "s16le", "-y", output]);
            return File.ReadAllBytes(output);
        });
        return MemoryMarshal.Cast<byte, short>(raw).ToArray();
    }

    public static (int ExitCode, string StdOut, string StdErr) Run(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish: {stderr.Result}");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string RunChecked(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var (code, stdout, stderr) = Run(fileName, arguments, timeout);
        Assert.True(code == 0, $"{fileName} exited with {code}: {stderr}");
        return stdout;
    }

    /// <summary>Starts a long-running external process; the caller kills it (by this handle) when done.</summary>
    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        return new ExternalProcess(Process.Start(psi)!);
    }

    /// <summary>A UDP port that was free a moment ago (for tools that cannot report the port they bound).</summary>
    public static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = a[i] - b[i];
            sum += d * d;
        }

        double mse = sum / a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Parley.slnx not found above " + AppContext.BaseDirectory);
    }
}

public sealed class ExternalProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Task<string> _stdout;

    public ExternalProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Kills the process (this one, by its handle) and returns what it wrote to stderr.</summary>
    public string StopAndGetStdErr()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
        return _stderr.Result + _stdout.Result;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}

public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("parley-media-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Collects packets into fresh arrays (test code only; the library never allocates per packet).</summary>
public sealed class ListPacketSink : IRtpPacketSink
{
    private byte[] _buffer = [];

    public List<byte[]> Packets { get; } = [];

    public List<bool> Markers { get; } = [];

    public Span<byte> GetPacketBuffer(int minimumLength)
    {
        _buffer = new byte[minimumLength];
        return _buffer;
    }

    public void Commit(int length, bool marker)
    {
        Packets.Add(_buffer[..length]);
        Markers.Add(marker);
    }
}
