using System.CommandLine;
using Microsoft.Extensions.Logging;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Endpoint.View;
using Parley.Rtsp.Client;

namespace Parley.Cli;

/// <summary>`parley view URL`: receive, jitter buffer, lip sync, decode and render (window, framebuffer, ALSA, file, null).</summary>
internal static class ViewCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "Stream to play, rtsps://host:8322/path (encrypted, certificate pinned on first use) or rtsp://host:8554/path" };
        var output = new Option<string?>("--output", "-o") { Description = "Record the received media, no re-encoding, to FILE (.mkv or .mp4; VP8 and G.711 need .mkv)" };
        var duration = new Option<double?>("--duration", "-d") { Description = "Stop after SECONDS (default: until Ctrl-C)" };
        var maxDuration = new Option<double>("--max-duration") { Description = "Safety stop in seconds", DefaultValueFactory = _ => ViewOptions.DefaultMaxDuration.TotalSeconds };
        var transport = new Option<string>("--transport", "-t") { Description = "udp or tcp (tcp passes firewalls and ssh tunnels)", DefaultValueFactory = _ => "udp" };
        var videoOut = new Option<string?>("--video-out") { Description = "window, fb[:/dev/fbN] or null (default: window when DISPLAY is set, else null)" };
        var audioOut = new Option<string?>("--audio-out") { Description = "alsa[:DEVICE] or null (default: alsa when a sound card exists, else null)" };
        var stats = new Option<string?>("--stats") { Description = "Write per-stream statistics as JSON to FILE at exit" };
        var debug = new Option<int>("--debug") { Description = "1: debug log, 2: trace log", DefaultValueFactory = _ => 0 };
        var acceptNew = HubTrustOption.Create();
        var token = TokenOption.Create();
        var command = new Command("view", "Play a stream: RTSP over UDP or TCP, jitter buffer, lip sync, decode, render or record.")
        {
            url, output, duration, maxDuration, transport, videoOut, audioOut, stats, debug, acceptNew, token,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            string text = parse.GetValue(url)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var target) || target.Scheme is not ("rtsp" or "rtsps"))
            {
                return await Usage($"expected an rtsp:// URL, got '{text}'.");
            }

            RtspClientTransport mode;
            switch (parse.GetValue(transport)?.ToUpperInvariant())
            {
                case "UDP":
                    mode = RtspClientTransport.Udp;
                    break;
                case "TCP":
                    mode = RtspClientTransport.Tcp;
                    break;
                default:
                    return await Usage($"--transport is udp or tcp, got '{parse.GetValue(transport)}'.");
            }

            double? seconds = parse.GetValue(duration);
            double maxSeconds = parse.GetValue(maxDuration);
            if (seconds is <= 0 || maxSeconds <= 0)
            {
                return await Usage("--duration and --max-duration are seconds above 0.");
            }

            if (!TryParseVideoOut(parse.GetValue(videoOut), out string? videoChain))
            {
                return await Usage($"--video-out is window, fb, fb:/dev/fbN or null, got '{parse.GetValue(videoOut)}'.");
            }

            if (!TryParseAudioOut(parse.GetValue(audioOut), out string? audioChain))
            {
                return await Usage($"--audio-out is alsa, alsa:DEVICE or null, got '{parse.GetValue(audioOut)}'.");
            }

            string? recording = parse.GetValue(output);
            if (recording is not null && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(recording))))
            {
                return await Usage($"--output {recording}: the folder does not exist.");
            }

            int debugLevel = parse.GetValue(debug);
            using var loggerFactory = Logging.Create(debugLevel switch { >= 2 => "trace", 1 => "debug", _ => "information" });
            var logger = loggerFactory.CreateLogger("parley.view");
            var session = new ViewSession(new ViewOptions
            {
                Url = target,
                Transport = mode,
                Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                MaxDuration = TimeSpan.FromSeconds(maxSeconds),
                OutputPath = recording,
                VideoOutput = videoChain,
                AudioOutput = audioChain,
                Status = line => Console.Error.WriteLine(line),
                Logger = logger,
                Trust = HubTrustOption.Trust(parse.GetValue(acceptNew)),
                Token = TokenOption.Value(parse.GetValue(token)),
            });

            ViewReport report;
            try
            {
                report = await session.RunAsync(cancellationToken);
            }
            catch (ViewException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return ExitCodes.Failure;
            }
            catch (CodecException e)
            {
                await Console.Error.WriteLineAsync($"parley view: {e.Message}. Choose another output with --video-out / --audio-out (null discards).");
                return ExitCodes.Failure;
            }

            Console.WriteLine(report.ToSummary());
            if (parse.GetValue(stats) is { } statsFile)
            {
                await File.WriteAllTextAsync(statsFile, report.ToJson(), CancellationToken.None);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>window, fb, fb:/dev/fbN, null; no value picks window when a display is there.</summary>
    internal static bool TryParseVideoOut(string? value, out string? chain)
    {
        value ??= string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")) ? "null" : "window";
        chain = null;
        if (value == "null")
        {
            return true;
        }

        if (value == "window")
        {
            chain = GstRenderSink.WindowOutput;
            return true;
        }

        if (value == "fb" || value.StartsWith("fb:/", StringComparison.Ordinal))
        {
            chain = GstRenderSink.Framebuffer(value.Length > 3 ? value[3..] : "/dev/fb0");
            return true;
        }

        return false;
    }

    /// <summary>alsa, alsa:DEVICE, null; no value picks alsa when a sound card is there.</summary>
    internal static bool TryParseAudioOut(string? value, out string? chain)
    {
        value ??= HasSoundCard() ? "alsa" : "null";
        chain = null;
        if (value == "null")
        {
            return true;
        }

        if (value == "alsa" || (value.StartsWith("alsa:", StringComparison.Ordinal) && value.Length > 5))
        {
            chain = GstRenderSink.Alsa(value.Length > 5 ? value[5..] : "default");
            return true;
        }

        return false;
    }

    private static bool HasSoundCard()
    {
        try
        {
            return File.Exists("/proc/asound/cards") && !File.ReadAllText("/proc/asound/cards").Contains("no soundcards", StringComparison.Ordinal)
                && File.ReadAllText("/proc/asound/cards").Trim().Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<int> Usage(string message)
    {
        await Console.Error.WriteLineAsync($"parley view: {message}");
        return ExitCodes.Usage;
    }
}
