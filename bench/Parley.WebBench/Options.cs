using System.Globalization;

namespace Parley.WebBench;

/// <summary>Command-line options of the web benchmark.</summary>
internal sealed record Options
{
    public string? Parley { get; init; }

    public int Samples { get; init; } = 450;

    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(3);

    public int[] Counts { get; init; } = [0, 1, 5, 10, 20];

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(4);

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(12);

    public string[] Paths { get; init; } = ["jpeg", "h264"];

    public string Audio { get; init; } = "opus";

    /// <summary>player: the real player page per viewer; sockets: a bare WebSocket per page (see ViewerCpuRun).</summary>
    public string Viewer { get; init; } = "player";

    /// <summary>Codecs of the browser-to-browser WebRTC run (vp8, h264); empty for none.</summary>
    public string[] WebRtc { get; init; } = [];

    /// <summary>How long each WebRTC run collects stamps after its warm-up.</summary>
    public TimeSpan WebRtcDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>RTCRtpReceiver.playoutDelayHint for the WHEP page in seconds; null for Chromium's default.</summary>
    public double? PlayoutDelayHint { get; init; }

    public bool SkipLatency { get; init; }

    public bool SkipCpu { get; init; }

    public string Out { get; init; } = Path.Combine(RepositoryRoot, "bench", "results");

    public string CommandLine { get; init; } = "";

    /// <summary>The repository root: the first parent of the working directory holding Parley.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static Options Parse(string[] args)
    {
        var options = new Options { CommandLine = string.Join(' ', args) };
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--parley" => options with { Parley = Next() },
                "--samples" => options with { Samples = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup" => options with { WarmUp = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--counts" => options with { Counts = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] },
                "--settle" => options with { Settle = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--window" => options with { Window = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--paths" => options with { Paths = Next() is var paths && paths == "none" ? [] : paths.Split(',') },
                "--webrtc" => options with { WebRtc = Next().Split(',') },
                "--webrtc-seconds" => options with { WebRtcDuration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--playout-delay-hint" => options with { PlayoutDelayHint = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--audio" => options with { Audio = Next() },
                "--viewer" => options with { Viewer = Next() },
                "--skip-latency" => options with { SkipLatency = true },
                "--skip-cpu" => options with { SkipCpu = true },
                "--out" => options with { Out = Path.GetFullPath(Next()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
            {
                return dir.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
