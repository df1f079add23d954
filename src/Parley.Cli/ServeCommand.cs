using System.Collections;
using System.CommandLine;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Hub;
using Parley.Hub.Configuration;

namespace Parley.Cli;

/// <summary>`parley serve`: runs the hub with embedded defaults, a YAML file, PARLEY_* variables and flags.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "YAML config file (default: parley.yml in the working directory, if present)" };
        var address = new Option<string?>("--address") { Description = "Listen address (default 0.0.0.0; :: for IPv6 too)" };
        var rtspPort = new Option<int?>("--rtsp-port") { Description = "RTSP TCP port (default 8554; 0 picks a free one)" };
        var rtspsPort = new Option<int?>("--rtsps-port") { Description = "RTSPS (RTSP over TLS) TCP port (default 8322; 0 picks a free one)" };
        var rtpPort = new Option<int?>("--rtp-port") { Description = "RTP UDP port (default 8000; 0 picks a free pair)" };
        var rtcpPort = new Option<int?>("--rtcp-port") { Description = "RTCP UDP port (default 8001)" };
        var httpPort = new Option<int?>("--http-port") { Description = "HTTP port of the web UI, players and API (default 8080; 0 picks a free one)" };
        var httpsPort = new Option<int?>("--https-port") { Description = "HTTPS port of the web UI, players and API (default 8443; 0 picks a free one)" };
        var webrtcPort = new Option<int?>("--webrtc-port") { Description = "WebRTC (WHEP) media UDP port shared by every peer (default 8189; 0 picks a free one)" };
        var takeover = new Option<bool?>("--allow-takeover") { Description = "Let a new publisher replace the current one on a path" };
        var noDemo = new Option<bool>("--no-demo") { Description = "Do not serve the built-in demo stream" };
        var logLevel = new Option<string?>("--log-level") { Description = "trace, debug, information, warning or error" };
        var set = new Option<string[]>("--set") { Description = "Any setting as key=value, for example --set paths.readerQueuePackets=4096", AllowMultipleArgumentsPerToken = false };

        var command = new Command("serve", "Run the hub: web UI on https://<host>:8443 (and http://localhost:8080 for this machine), RTSPS on 8322 (plain RTSP 8554 for this machine; RTP 8000/UDP, RTCP 8001/UDP), with a live 'demo' stream.")
        {
            config, address, rtspPort, rtspsPort, rtpPort, rtcpPort, httpPort, httpsPort, webrtcPort, takeover, noDemo, logLevel, set,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new List<KeyValuePair<string, string>>();
            void Add<T>(string key, T? value)
            {
                if (value is not null)
                {
                    overrides.Add(new(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!));
                }
            }

            Add("rtsp.address", parse.GetValue(address));
            Add("http.address", parse.GetValue(address));
            Add("http.port", parse.GetValue(httpPort));
            Add("http.tlsPort", parse.GetValue(httpsPort));
            Add("webrtc.address", parse.GetValue(address));
            Add("webrtc.udpPort", parse.GetValue(webrtcPort));
            Add("rtsp.port", parse.GetValue(rtspPort));
            Add("rtsp.tlsPort", parse.GetValue(rtspsPort));
            Add("rtsp.rtpPort", parse.GetValue(rtpPort));
            Add("rtsp.rtcpPort", parse.GetValue(rtcpPort));
            Add("paths.allowTakeover", parse.GetValue(takeover));
            Add("logLevel", parse.GetValue(logLevel));
            if (parse.GetValue(noDemo))
            {
                Add("demo.enabled", "false");
            }

            foreach (string pair in parse.GetValue(set) ?? [])
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    await Console.Error.WriteLineAsync($"parley serve: --set expects key=value, got '{pair}'.");
                    return ExitCodes.Usage;
                }

                overrides.Add(new(pair[..eq], pair[(eq + 1)..]));
            }

            HubOptions options;
            try
            {
                var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
                options = HubConfigurationLoader.Load(parse.GetValue(config), environment, overrides);
            }
            catch (HubConfigurationException ex)
            {
                await Console.Error.WriteLineAsync($"parley serve: {ex.Message}");
                return ExitCodes.Usage;
            }

            using var loggerFactory = Logging.Create(options.LogLevel);
            var logger = loggerFactory.CreateLogger("parley");
            HubHost hub;
            try
            {
                hub = new HubHost(options, loggerFactory);
            }
            catch (InvalidOperationException ex)
            {
                // The TLS certificate could not be loaded or generated; the message names the file and the fix.
                await Console.Error.WriteLineAsync($"parley serve: {ex.Message}");
                return ExitCodes.Failure;
            }

            try
            {
                await hub.StartAsync(cancellationToken);
            }
            catch (SocketException ex)
            {
                await hub.DisposeAsync();
                await Console.Error.WriteLineAsync(
                    $"parley serve: cannot listen ({ex.Message}). Another program may hold RTSP port {options.Rtsp.Port}, RTSPS port {options.Rtsp.TlsPort}, HTTP port {options.Http.Port}, HTTPS port {options.Http.TlsPort}, UDP {options.Rtsp.RtpPort}/{options.Rtsp.RtcpPort} or WebRTC UDP {options.WebRtc.UdpPort}; choose others with --rtsp-port, --rtsps-port, --http-port, --https-port, --rtp-port, --rtcp-port and --webrtc-port.");
                return ExitCodes.Failure;
            }

            logger.LogInformation("hub running; Ctrl-C stops it");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            logger.LogInformation("stopping");
            await hub.DisposeAsync();
            logger.LogInformation("stopped");
            return ExitCodes.Ok;
        });
        return command;
    }
}
