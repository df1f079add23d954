using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Endpoint.Bench;
using Parley.Rtsp.Client;

namespace Parley.Cli;

/// <summary>`parley bench readers`: a light RTSP load generator that counts what each reader receives.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var url = new Argument<string[]>("url") { Description = "Streams to read, rtsp://host:8554/path; several for a room", Arity = ArgumentArity.OneOrMore };
        var count = new Option<int>("--count", "-n") { Description = "Number of concurrent readers of each stream", DefaultValueFactory = _ => 1 };
        var transport = new Option<string>("--transport", "-t") { Description = "tcp or udp", DefaultValueFactory = _ => "tcp" };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds to measure once every reader plays", DefaultValueFactory = _ => 30 };
        var json = new Option<FileInfo?>("--json") { Description = "Write every reader's totals to this JSON file" };
        var insecure = new Option<bool>("--insecure") { Description = "rtsps:// only: accept any server certificate (a hub with a self-signed one)" };
        var logLevel = new Option<string>("--log-level") { Description = "trace, debug, information, warning or error", DefaultValueFactory = _ => "information" };
        var readers = new Command("readers", "Start N RTSP readers of each stream and report what each received (packets, frames, loss).")
        {
            url, count, transport, duration, json, insecure, logLevel,
        };

        readers.SetAction(async (parse, cancellationToken) =>
        {
            var targets = new List<Uri>();
            foreach (string text in parse.GetValue(url)!)
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out var target) || target.Scheme is not ("rtsp" or "rtsps"))
                {
                    await Console.Error.WriteLineAsync($"parley bench readers: expected an rtsp:// or rtsps:// URL, got '{text}'.");
                    return ExitCodes.Usage;
                }

                targets.Add(target);
            }

            if (!TryParseTransport(parse.GetValue(transport), out var mode) || parse.GetValue(count) < 1 || parse.GetValue(duration) <= 0)
            {
                await Console.Error.WriteLineAsync("parley bench readers: --transport is tcp or udp, --count at least 1, --duration above 0.");
                return ExitCodes.Usage;
            }

            using var loggerFactory = Logging.Create(parse.GetValue(logLevel)!);
            var report = await ReaderLoad.RunAsync(new ReaderLoadOptions
            {
                Urls = targets,
                Count = parse.GetValue(count),
                Transport = mode,
                AcceptAnyCertificate = parse.GetValue(insecure),
                Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
                Logger = loggerFactory.CreateLogger("parley.bench"),
            }, cancellationToken);

            PrintSummary(report);
            if (parse.GetValue(json) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, ToJson(report), CancellationToken.None);
            }

            return report.Failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });

        return new Command("bench", "Load generators for measuring a hub.") { readers };
    }

    private static bool TryParseTransport(string? value, out RtspClientTransport transport)
    {
        transport = RtspClientTransport.Tcp;
        switch (value?.ToUpperInvariant())
        {
            case "TCP":
                return true;
            case "UDP":
                transport = RtspClientTransport.Udp;
                return true;
            default:
                return false;
        }
    }

    private static void PrintSummary(ReaderLoadReport report)
    {
        var seconds = Math.Max(report.Measured.TotalSeconds, 1e-3);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"readers: {report.Readers.Count}, failed: {report.Failed}, measured: {seconds:F1} s, lost packets (all readers): {report.TotalLost}"));
        var byMedia = report.Readers.Where(r => r.Error is null).SelectMany(r => r.Media.Select((m, i) => (i, m.MediaType, m.Totals))).GroupBy(x => (x.i, x.MediaType));
        foreach (var group in byMedia)
        {
            var frames = group.Select(g => g.Totals.Frames).ToArray();
            var packets = group.Select(g => g.Totals.Packets).ToArray();
            var bitrate = group.Average(g => g.Totals.PayloadBytes * 8 / seconds / 1000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"media {group.Key.i} ({group.Key.MediaType}): packets/reader min {packets.Min()} max {packets.Max()}, marked frames/reader min {frames.Min()} max {frames.Max()}, {bitrate:F0} kbit/s per reader, lost {group.Sum(g => Math.Max(0, g.Totals.Lost))}"));
        }

        foreach (var failed in report.Readers.Where(r => r.Error is not null).Take(10))
        {
            Console.WriteLine($"reader {failed.Index}: {failed.Error}");
        }
    }

    private static string ToJson(ReaderLoadReport report) => JsonSerializer.Serialize(new
    {
        measuredSeconds = report.Measured.TotalSeconds,
        failed = report.Failed,
        lost = report.TotalLost,
        readers = report.Readers.Select(r => new
        {
            index = r.Index,
            url = r.Url.ToString(),
            error = r.Error,
            media = r.Media.Select(m => new { type = m.MediaType, m.Totals.Packets, m.Totals.PayloadBytes, m.Totals.Lost, m.Totals.Frames, m.Totals.RtcpPackets }),
        }),
    }, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
