using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Endpoint.Call;
using Parley.Endpoint.Rooms;
using Parley.Endpoint.Send;
using Parley.Endpoint.View;
using Parley.Hub;
using Parley.Hub.Configuration;
using Parley.Rtsp.Client;

namespace Parley.Cli;

/// <summary>
/// `parley call URL --name NAME --peer PEER`: send and view at once, through a hub, or directly with
/// `--listen ADDRESS:PORT` (an in-process hub with RTSP only, which the other side calls); with a room URL,
/// `parley call http://host:8080/r/ROOM --name NAME`, join a room (<see cref="RoomCallMode"/>).
/// </summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var url = new Argument<string?>("url") { Description = "The hub or the listening peer, rtsps://host:8322[/room] (encrypted) or rtsp://host:8554[/room], or a room, http://host:8080/r/ROOM; omit with --listen", Arity = ArgumentArity.ZeroOrOne };
        var listen = new Option<string?>("--listen") { Description = "Call with no hub: accept the peer on ADDRESS:PORT (RTSP; with --transport tcp a single TCP port, fit for ssh -L)" };
        var name = new Option<string>("--name") { Description = "This side's name (its path on the hub; in a room, the display name)", Required = true };
        var peer = new Option<string?>("--peer") { Description = "The other side's name; without it this side only sends" };
        var source = new Option<string>("--source") { Description = "What to send, as for 'parley send': test, v4l2:/dev/video0+alsa:default, file:PATH, ...", DefaultValueFactory = _ => "v4l2:/dev/video0+alsa:default" };
        var video = new Option<string>("--video") { Description = "jpeg, h264 or none", DefaultValueFactory = _ => "jpeg" };
        var audio = new Option<string>("--audio") { Description = "opus or none", DefaultValueFactory = _ => "opus" };
        var transport = new Option<string>("--transport", "-t") { Description = "udp, or tcp for firewalls and ssh tunnels", DefaultValueFactory = _ => "udp" };
        var size = new Option<string>("--size") { Description = "Video size WIDTHxHEIGHT", DefaultValueFactory = _ => "640x480" };
        var fps = new Option<int>("--fps") { Description = "Frames per second", DefaultValueFactory = _ => 30 };
        var quality = new Option<int>("--quality") { Description = "JPEG quality 1-100", DefaultValueFactory = _ => 80 };
        var output = new Option<string?>("--output", "-o") { Description = "Record what the peer sends to FILE (.mkv or .mp4); in a room, each participant to STEM-ID.EXT" };
        var duration = new Option<double?>("--duration", "-d") { Description = "End the call after SECONDS (default: until Ctrl-C)" };
        var videoOut = new Option<string?>("--video-out") { Description = "window, fb[:/dev/fbN] or null (default: window when DISPLAY is set, else null)" };
        var audioOut = new Option<string?>("--audio-out") { Description = "alsa[:DEVICE] or null (default: alsa when a sound card exists, else null)" };
        var stats = new Option<string?>("--stats") { Description = "Write both directions' statistics as JSON to FILE at exit" };
        var logLevel = new Option<string>("--log-level") { Description = "trace, debug, information, warning or error", DefaultValueFactory = _ => "information" };
        var acceptNew = HubTrustOption.Create();
        var token = TokenOption.Create();
        var rtspsPort = new Option<int?>("--rtsps-port") { Description = "With --listen: the RTSPS (encrypted) port peers reach, rtsps://THIS-HOST:PORT (default: the --listen port + 1; 0 picks a free one)" };
        var command = new Command("call", "Video call: send camera and microphone and show the peer, through a hub or directly (--listen), or join a room (http://host:8080/r/ROOM; lines typed on stdin are sent as chat).")
        {
            url, listen, name, peer, source, video, audio, transport, size, fps, quality, output, duration, videoOut, audioOut, stats, logLevel, acceptNew, rtspsPort, token,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            string? urlText = parse.GetValue(url);
            string? listenText = parse.GetValue(listen);
            Uri? hubUrl = null;
            IPEndPoint? listenOn = null;
            if ((urlText is null) == (listenText is null))
            {
                return await UsageAsync("give either a URL to call (rtsp://host:8554) or --listen ADDRESS:PORT, not both");
            }

            if (urlText is not null && (!Uri.TryCreate(urlText, UriKind.Absolute, out hubUrl) || hubUrl.Scheme is not ("rtsp" or "rtsps" or "http" or "https")))
            {
                return await UsageAsync($"expected an rtsp:// URL or a room, http://host:8080/r/ROOM, got '{urlText}'");
            }

            bool room = hubUrl?.Scheme is "http" or "https";
            if (room && !RoomControlClient.TryParseRoomUrl(hubUrl!, out _))
            {
                return await UsageAsync($"a room URL is http://host:8080/r/ROOM, got '{urlText}'");
            }

            if (room && parse.GetValue(peer) is not null)
            {
                return await UsageAsync("a room needs no --peer: everyone in it is shown");
            }

            if (listenText is not null && !IPEndPoint.TryParse(listenText, out listenOn))
            {
                return await UsageAsync($"--listen expects ADDRESS:PORT such as 0.0.0.0:8554, got '{listenText}'");
            }

            if (room ? parse.GetValue(name) is not { Length: >= 1 and <= 64 } || string.IsNullOrWhiteSpace(parse.GetValue(name))
                : !CallOptions.IsValidName(parse.GetValue(name)) || (parse.GetValue(peer) is { } p && (!CallOptions.IsValidName(p) || p == parse.GetValue(name))))
            {
                return await UsageAsync(room ? "--name is a display name of 1 to 64 characters" : "--name and --peer are two different names of letters, digits, '-', '_' or '.'");
            }

            if (!SourceSpecification.TryParse(parse.GetValue(source)!, out var specification, out string? sourceError))
            {
                return await UsageAsync(sourceError!);
            }

            var videoCodec = parse.GetValue(video) switch { "jpeg" => SendVideoCodec.Jpeg, "h264" => SendVideoCodec.H264, "none" => SendVideoCodec.None, _ => (SendVideoCodec?)null };
            var mode = parse.GetValue(transport) switch { "tcp" => RtspClientTransport.Tcp, "udp" => RtspClientTransport.Udp, _ => (RtspClientTransport?)null };
            if (videoCodec is null || mode is null || parse.GetValue(audio) is not ("opus" or "none") || parse.GetValue(fps) is < 1 or > 120 || parse.GetValue(quality) is < 1 or > 100)
            {
                return await UsageAsync("--video is jpeg, h264 or none, --audio opus or none, --transport udp or tcp, --fps 1-120, --quality 1-100");
            }

            if (!SendCommand.TryParseSize(parse.GetValue(size)!, out int width, out int height))
            {
                return await UsageAsync($"--size expects WIDTHxHEIGHT with even numbers, got '{parse.GetValue(size)}'");
            }

            if (parse.GetValue(duration) is <= 0)
            {
                return await UsageAsync("--duration is seconds above 0");
            }

            if (!ViewCommand.TryParseVideoOut(parse.GetValue(videoOut), out string? videoChain) || !ViewCommand.TryParseAudioOut(parse.GetValue(audioOut), out string? audioChain))
            {
                return await UsageAsync("--video-out is window, fb, fb:/dev/fbN or null; --audio-out alsa, alsa:DEVICE or null");
            }

            if (parse.GetValue(output) is { } recording && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(recording))))
            {
                return await UsageAsync($"--output {recording}: the folder does not exist");
            }

            using var loggerFactory = Logging.Create(parse.GetValue(logLevel)!);
            var logger = loggerFactory.CreateLogger("parley.call");
            if (room)
            {
                return await RoomCallMode.RunAsync(new RoomCallOptions
                {
                    RoomUrl = hubUrl!,
                    Name = parse.GetValue(name)!,
                    Source = specification!,
                    Video = videoCodec.Value,
                    Audio = parse.GetValue(audio) == "opus",
                    Transport = mode.Value,
                    VideoFormat = new VideoCaptureFormat(width, height, parse.GetValue(fps)),
                    JpegQuality = parse.GetValue(quality),
                    Duration = parse.GetValue(duration) is { } roomSeconds ? TimeSpan.FromSeconds(roomSeconds) : null,
                    OutputPath = parse.GetValue(output),
                    VideoOutput = videoChain,
                    AudioOutput = audioChain,
                    ChatInput = Console.In,
                    Logger = logger,
                    Trust = HubTrustOption.Trust(parse.GetValue(acceptNew)),
                    Token = TokenOption.Value(parse.GetValue(token)),
                }, parse.GetValue(stats), cancellationToken);
            }

            HubHost? hub = null;
            try
            {
                if (listenOn is not null)
                {
                    (hub, hubUrl) = await EmbeddedHub.StartAsync("parley call", listenOn, parse.GetValue(rtspsPort) ?? EmbeddedHub.DefaultTlsPort(listenOn), loggerFactory, cancellationToken);
                    if (hub is null)
                    {
                        return ExitCodes.Failure;
                    }

                    logger.LogInformation("listening on {Address}:{Port}; the peer runs: parley call rtsps://THIS-HOST:{TlsPort} --name {Peer} --peer {Name}{Tcp} (encrypted; certificate SHA-256 {Fingerprint})",
                        listenOn.Address, hub.Rtsp.Port, hub.Rtsp.TlsPort, parse.GetValue(peer) ?? "PEER", parse.GetValue(name), mode == RtspClientTransport.Tcp ? " --transport tcp" : "", Parley.Security.Pinning.KnownHubs.Fingerprint(hub.Certificate!));
                }

                var session = new CallSession(new CallOptions
                {
                    Hub = hubUrl!,
                    Name = parse.GetValue(name)!,
                    Peer = parse.GetValue(peer),
                    Source = specification!,
                    Video = videoCodec.Value,
                    Audio = parse.GetValue(audio) == "opus",
                    Transport = mode.Value,
                    VideoFormat = new VideoCaptureFormat(width, height, parse.GetValue(fps)),
                    JpegQuality = parse.GetValue(quality),
                    Duration = parse.GetValue(duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                    OutputPath = parse.GetValue(output),
                    VideoOutput = videoChain,
                    AudioOutput = audioChain,
                    Status = line => Console.Error.WriteLine(line),
                    Logger = logger,
                    Trust = HubTrustOption.Trust(parse.GetValue(acceptNew)),
                    Token = TokenOption.Value(parse.GetValue(token)),
                });
                if (session.PeerUrl is null)
                {
                    logger.LogInformation("no --peer: only sending to {Url}", session.SendUrl);
                }

                CallReport report;
                try
                {
                    report = await session.RunAsync(cancellationToken);
                }
                catch (Exception e) when (e is RtspClientException or ViewException or CodecException or FileNotFoundException)
                {
                    string hint = e is CodecException ? ". List cameras and microphones with 'parley devices', or choose another output with --video-out / --audio-out (null discards)" : "";
                    string message = e.Message.StartsWith("parley view: ", StringComparison.Ordinal) ? e.Message["parley view: ".Length..] : e.Message;
                    await Console.Error.WriteLineAsync($"parley call: {message}{hint}");
                    return ExitCodes.Failure;
                }

                PrintSummary(report);
                if (parse.GetValue(stats) is { } statsFile)
                {
                    await File.WriteAllTextAsync(statsFile, report.ToJson(), CancellationToken.None);
                }

                return ExitCodes.Ok;
            }
            finally
            {
                if (hub is not null)
                {
                    await hub.DisposeAsync();
                }
            }
        });
        return command;
    }

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync($"parley call: {message}. Run 'parley call --help' for usage.");
        return ExitCodes.Usage;
    }

    private static void PrintSummary(CallReport report)
    {
        if (report.Send is { } send)
        {
            double seconds = Math.Max(send.Duration.TotalSeconds, 1e-3);
            foreach (var stream in send.Streams)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"sent {stream.MediaType} {stream.Codec}: {stream.Frames} frames ({stream.Frames / seconds:F1}/s), {stream.Packets} packets, {stream.PayloadBytes * 8 / seconds / 1000:F0} kbit/s, {stream.PacketsDropped} dropped"));
            }
        }

        Console.WriteLine(report.View is { } view ? view.ToSummary().Replace("parley view:", $"from {report.Peer}:", StringComparison.Ordinal)
            : report.Peer is null ? "viewed nothing (no --peer)" : $"{report.Peer} did not join the call");
    }
}
