using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Endpoint.Send;
using Parley.Rtsp.Client;
using Parley.Security.Pinning;

namespace Parley.Cli;

/// <summary>`parley send SOURCE URL`: capture, encode and publish to a hub path.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "test, file:PATH, v4l2:/dev/videoN, alsa:DEVICE, libcamera, gst:PIPELINE, or video+audio such as v4l2:/dev/video0+alsa:default" };
        var url = new Argument<string?>("url") { Description = "Hub path to publish to, rtsps://host:8322/path (encrypted, certificate pinned on first use) or rtsp://host:8554/path; omit with --listen", Arity = ArgumentArity.ZeroOrOne };
        var listen = new Option<string?>("--listen") { Description = "No hub: serve the stream from this process on ADDRESS:PORT, for peers to PLAY rtsp://THIS-HOST:PORT/PATH" };
        var path = new Option<string>("--path") { Description = "With --listen: the path peers play", DefaultValueFactory = _ => "live" };
        var video = new Option<string>("--video") { Description = "jpeg, h264 or none", DefaultValueFactory = _ => "jpeg" };
        var audio = new Option<string>("--audio") { Description = "opus or none", DefaultValueFactory = _ => "opus" };
        var transport = new Option<string>("--transport", "-t") { Description = "udp, or tcp for firewalls and ssh tunnels", DefaultValueFactory = _ => "udp" };
        var size = new Option<string>("--size") { Description = "Video size WIDTHxHEIGHT", DefaultValueFactory = _ => "640x480" };
        var fps = new Option<int>("--fps") { Description = "Frames per second", DefaultValueFactory = _ => 30 };
        var rotate = new Option<int>("--rotate") { Description = "0, 90, 180 or 270 degrees clockwise", DefaultValueFactory = _ => 0 };
        var mirror = new Option<bool>("--mirror") { Description = "Mirror the picture left to right" };
        var quality = new Option<int>("--quality") { Description = "JPEG quality 1-100", DefaultValueFactory = _ => 80 };
        var bitrate = new Option<int>("--bitrate") { Description = "H.264 bitrate in kbit/s", DefaultValueFactory = _ => 2000 };
        var keyInt = new Option<int>("--key-int") { Description = "H.264 key-frame interval in frames", DefaultValueFactory = _ => 60 };
        var audioBitrate = new Option<int>("--audio-bitrate") { Description = "Opus bitrate in bit/s", DefaultValueFactory = _ => 48000 };
        var dtx = new Option<bool>("--dtx") { Description = "Opus discontinuous transmission: send (almost) nothing during silence" };
        var channels = new Option<int>("--channels") { Description = "Audio channels, 1 or 2", DefaultValueFactory = _ => 1 };
        var loop = new Option<bool>("--loop") { Description = "Loop a file source" };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds" };
        var stats = new Option<FileInfo?>("--stats") { Description = "Write per-stream totals as JSON to this file at exit" };
        var logLevel = new Option<string>("--log-level") { Description = "trace, debug, information, warning or error", DefaultValueFactory = _ => "information" };
        var acceptNew = HubTrustOption.Create();
        var token = TokenOption.Create();
        var rtspsPort = new Option<int?>("--rtsps-port") { Description = "With --listen: the RTSPS (encrypted) port peers reach, rtsps://THIS-HOST:PORT (default: the --listen port + 1; 0 picks a free one)" };
        var command = new Command("send", "Capture (camera, microphone, file, test pattern), encode and publish to a hub path.")
        {
            source, url, listen, path, video, audio, transport, size, fps, rotate, mirror, quality, bitrate, keyInt, audioBitrate, dtx, channels, loop, duration, stats, logLevel, acceptNew, rtspsPort, token,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!SourceSpecification.TryParse(parse.GetValue(source)!, out var specification, out string? sourceError))
            {
                return await UsageAsync(sourceError!);
            }

            string? listenText = parse.GetValue(listen);
            System.Net.IPEndPoint? listenOn = null;
            Uri? target = null;
            if ((parse.GetValue(url) is null) == (listenText is null))
            {
                return await UsageAsync("give either the hub path to publish to (rtsp://host:8554/path) or --listen ADDRESS:PORT, not both");
            }

            if (listenText is not null)
            {
                if (!System.Net.IPEndPoint.TryParse(listenText, out listenOn) || !System.Text.RegularExpressions.Regex.IsMatch(parse.GetValue(path)!, "^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$"))
                {
                    return await UsageAsync($"--listen expects ADDRESS:PORT such as 0.0.0.0:8554 and --path a path such as cam, got '{listenText}' and '{parse.GetValue(path)}'");
                }
            }
            else if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out target) || target.Scheme is not ("rtsp" or "rtsps"))
            {
                return await UsageAsync($"expected an rtsp:// URL, got '{parse.GetValue(url)}'");
            }

            SendVideoCodec videoCodec;
            switch (parse.GetValue(video))
            {
                case "jpeg": videoCodec = SendVideoCodec.Jpeg; break;
                case "h264": videoCodec = SendVideoCodec.H264; break;
                case "none": videoCodec = SendVideoCodec.None; break;
                default: return await UsageAsync("--video is jpeg, h264 or none");
            }

            if (parse.GetValue(audio) is not ("opus" or "none"))
            {
                return await UsageAsync("--audio is opus or none");
            }

            if (!TryParseSize(parse.GetValue(size)!, out int width, out int height))
            {
                return await UsageAsync($"--size expects WIDTHxHEIGHT with even numbers, got '{parse.GetValue(size)}'");
            }

            VideoRotation rotation;
            switch (parse.GetValue(rotate))
            {
                case 0: rotation = VideoRotation.None; break;
                case 90: rotation = VideoRotation.Clockwise90; break;
                case 180: rotation = VideoRotation.Rotate180; break;
                case 270: rotation = VideoRotation.Clockwise270; break;
                default: return await UsageAsync("--rotate is 0, 90, 180 or 270");
            }

            var mode = parse.GetValue(transport) switch { "tcp" => RtspClientTransport.Tcp, "udp" => RtspClientTransport.Udp, _ => (RtspClientTransport?)null };
            if (mode is null || parse.GetValue(channels) is not (1 or 2) || parse.GetValue(fps) is < 1 or > 120 || parse.GetValue(quality) is < 1 or > 100)
            {
                return await UsageAsync("--transport is udp or tcp, --channels 1 or 2, --fps 1-120, --quality 1-100");
            }

            using var loggerFactory = Logging.Create(parse.GetValue(logLevel)!);
            Parley.Hub.HubHost? hub = null;
            if (listenOn is not null)
            {
                (hub, var local) = await EmbeddedHub.StartAsync("parley send", listenOn, parse.GetValue(rtspsPort) ?? EmbeddedHub.DefaultTlsPort(listenOn), loggerFactory, cancellationToken);
                if (hub is null)
                {
                    return ExitCodes.Failure;
                }

                target = new Uri(local!, parse.GetValue(path));
                loggerFactory.CreateLogger("parley.send").LogInformation("serving on {Address}:{Port}: peers play rtsps://THIS-HOST:{TlsPort}/{Path} (encrypted; certificate SHA-256 {Fingerprint}) or rtsp://THIS-HOST:{Port}/{Path}",
                    listenOn.Address, hub.Rtsp.Port, hub.Rtsp.TlsPort, parse.GetValue(path), KnownHubs.Fingerprint(hub.Certificate!), hub.Rtsp.Port, parse.GetValue(path));
            }

            await using var hubLifetime = hub;
            var session = new SendSession(new SendOptions
            {
                Url = target!,
                Source = specification!,
                Video = videoCodec,
                Audio = parse.GetValue(audio) == "opus",
                Transport = mode.Value,
                VideoFormat = new VideoCaptureFormat(width, height, parse.GetValue(fps), rotation, parse.GetValue(mirror)),
                AudioChannels = parse.GetValue(channels),
                JpegQuality = parse.GetValue(quality),
                VideoBitrateKbps = parse.GetValue(bitrate),
                KeyFrameInterval = parse.GetValue(keyInt),
                AudioBitrate = parse.GetValue(audioBitrate),
                AudioDtx = parse.GetValue(dtx),
                Loop = parse.GetValue(loop),
                Duration = parse.GetValue(duration) is { } limit ? TimeSpan.FromSeconds(limit) : null,
                Logger = loggerFactory.CreateLogger("parley.send"),
                Trust = HubTrustOption.Trust(parse.GetValue(acceptNew)),
                Token = TokenOption.Value(parse.GetValue(token)),
            });
            session.Status += line => Console.Error.WriteLine($"send: {line}");
            SendReport report;
            try
            {
                report = await session.RunAsync(cancellationToken);
            }
            catch (CodecException ex)
            {
                await Console.Error.WriteLineAsync($"parley send: {ex.Message}. List cameras and microphones with 'parley devices'.");
                return ExitCodes.Failure;
            }
            catch (RtspClientException ex)
            {
                await Console.Error.WriteLineAsync($"parley send: {ex.Message}");
                return ExitCodes.Failure;
            }
            catch (FileNotFoundException ex)
            {
                await Console.Error.WriteLineAsync($"parley send: {ex.Message}");
                return ExitCodes.Failure;
            }

            foreach (var stream in report.Streams)
            {
                double seconds = Math.Max(report.Duration.TotalSeconds, 1e-3);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{stream.MediaType} {stream.Codec}: {stream.Frames} frames ({stream.Frames / seconds:F1}/s), {stream.Packets} packets, {stream.PayloadBytes * 8 / seconds / 1000:F0} kbit/s, {stream.PacketsDropped} dropped, per frame: capture {stream.CaptureMillisecondsPerFrame:F2} ms CPU, encode {stream.EncodeMillisecondsPerFrame:F2} ms, packetize {stream.PacketizeMillisecondsPerFrame:F3} ms CPU, send {stream.SendMillisecondsPerFrame:F3} ms CPU; {stream.KeyFrameRequests} key-frame requests{(stream.DtxFrames > 0 ? $", {stream.DtxFrames} DTX frames not sent" : "")}"));
            }

            if (parse.GetValue(stats) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(report, JsonOptions), CancellationToken.None);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync($"parley send: {message}. Run 'parley send --help' for usage.");
        return ExitCodes.Usage;
    }

    /// <summary>WIDTHxHEIGHT, even, 16x16 to 7680x4320.</summary>
    internal static bool TryParseSize(string text, out int width, out int height)
    {
        width = height = 0;
        var parts = text.Split('x');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out height)
            && width is >= 16 and <= 7680 && height is >= 16 and <= 4320 && width % 2 == 0 && height % 2 == 0;
    }
}
