using System.Globalization;
using Parley.Codecs;
using Parley.Endpoint.Rooms;
using Parley.Rtsp.Client;

namespace Parley.Cli;

/// <summary>`parley call http://host:8080/r/ROOM --name NAME`: runs a <see cref="RoomCall"/>, prints its summary and writes --stats.</summary>
internal static class RoomCallMode
{
    public static async Task<int> RunAsync(RoomCallOptions options, string? statsFile, CancellationToken cancellationToken)
    {
        RoomCallReport report;
        try
        {
            report = await new RoomCall(options).RunAsync(cancellationToken);
        }
        catch (Exception e) when (e is RoomException or RtspClientException or CodecException or FileNotFoundException)
        {
            string hint = e is CodecException ? ". List cameras and microphones with 'parley devices', or choose another output with --video-out / --audio-out (null discards)" : "";
            await Console.Error.WriteLineAsync($"parley call: {e.Message.TrimEnd('.')}{hint}.");
            return ExitCodes.Failure;
        }

        PrintSummary(report);
        if (statsFile is not null)
        {
            await File.WriteAllTextAsync(statsFile, report.ToJson(), CancellationToken.None);
        }

        return ExitCodes.Ok;
    }

    private static void PrintSummary(RoomCallReport report)
    {
        Console.WriteLine($"room {report.Room} as {report.Id ?? "(not joined)"}: {report.Participants.Count} stream(s) played, {report.ChatSent} chat line(s) sent, {report.ChatReceived} received");
        if (report.Send is { } send)
        {
            double seconds = Math.Max(send.Duration.TotalSeconds, 1e-3);
            foreach (var stream in send.Streams)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"sent {stream.MediaType} {stream.Codec}: {stream.Frames} frames ({stream.Frames / seconds:F1}/s), {stream.Packets} packets, {stream.PayloadBytes * 8 / seconds / 1000:F0} kbit/s, {stream.PacketsDropped} dropped"));
            }
        }

        foreach (var p in report.Participants)
        {
            Console.WriteLine(p.View is { } view ? view.ToSummary().Replace("parley view:", $"from {p.Name}:", StringComparison.Ordinal) : $"from {p.Name}: nothing played");
        }
    }
}
