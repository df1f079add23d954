using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parley.Endpoint.View;

/// <summary>Why a view run ended.</summary>
public enum ViewEndReason
{
    /// <summary>--duration (or --max-duration) ran out.</summary>
    Duration,

    /// <summary>Cancelled (Ctrl-C).</summary>
    Interrupted,
}

/// <summary>One stream's figures at the end of a run.</summary>
/// <param name="Track">The track.</param>
/// <param name="Totals">Its counters, percentiles included.</param>
public sealed record ViewStreamReport(ViewTrack Track, TrackSnapshot Totals);

/// <summary>
/// What a `parley view` run received: per-stream totals and averages, as the --stats JSON file, the human summary
/// printed at exit, and the live status line.
/// </summary>
/// <param name="Url">The stream (without credentials).</param>
/// <param name="Transport">"udp" or "tcp".</param>
/// <param name="Played">Time from the first PLAY to the end.</param>
/// <param name="Reconnects">Reconnections after the connection was lost.</param>
/// <param name="EndReason">Why the run ended.</param>
/// <param name="AudioLag">The smoothed lip-sync audio lag (positive: audio later than video), null until measured.</param>
/// <param name="Streams">One report per stream played.</param>
public sealed record ViewReport(string Url, string Transport, TimeSpan Played, int Reconnects, ViewEndReason EndReason, TimeSpan? AudioLag, IReadOnlyList<ViewStreamReport> Streams)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The --stats file: JSON, per-stream totals and averages (bitrate in bit/s, times in ms).</summary>
    public string ToJson()
    {
        double seconds = Math.Max(Played.TotalSeconds, 1e-3);
        return JsonSerializer.Serialize(new
        {
            url = Url,
            transport = Transport,
            playedSeconds = Math.Round(Played.TotalSeconds, 3),
            reconnects = Reconnects,
            endReason = EndReason.ToString().ToLowerInvariant(),
            audioLagMs = AudioLag is { } lag ? Math.Round(lag.TotalMilliseconds, 1) : (double?)null,
            streams = Streams.Select(s => new
            {
                media = s.Track.MediaType,
                codec = s.Track.CodecName.ToUpperInvariant(),
                frames = s.Totals.Frames,
                framesPerSecond = Math.Round(s.Totals.Frames / seconds, 2),
                packets = s.Totals.Packets,
                bytes = s.Totals.Bytes,
                bitrate = Math.Round(s.Totals.Bytes * 8 / seconds),
                lost = s.Totals.Lost,
                lossFraction = Math.Round(s.Totals.LossFraction, 5),
                jitterMs = Math.Round(s.Totals.MeanJitterMs, 3),
                playoutDelayMs = Math.Round(s.Totals.MeanPlayoutDelayMs, 2),
                framesDropped = s.Totals.FramesDropped,
                framesConcealed = s.Totals.FramesConcealed,
                pictureLossIndications = s.Totals.PictureLossIndications,
                decodeErrors = s.Totals.DecodeErrors,
                latency = s.Totals.LatencyCount == 0 ? null : new
                {
                    count = s.Totals.LatencyCount,
                    meanMs = Round(s.Totals.MeanLatencyMs),
                    p50Ms = Round(s.Totals.LatencyP50Ms),
                    p95Ms = Round(s.Totals.LatencyP95Ms),
                    p99Ms = Round(s.Totals.LatencyP99Ms),
                },
            }),
        }, JsonOptions);
    }

    /// <summary>The summary printed at exit: one line per stream.</summary>
    public string ToSummary()
    {
        double seconds = Math.Max(Played.TotalSeconds, 1e-3);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"parley view: played {Played.TotalSeconds:F1} s over {Transport} ({EndReason.ToString().ToLowerInvariant()}), {Reconnects} reconnection(s)");
        if (AudioLag is { } lag)
        {
            text.Append(CultureInfo.InvariantCulture, $", audio lag {lag.TotalMilliseconds:F0} ms");
        }

        foreach (var s in Streams)
        {
            var t = s.Totals;
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture,
                $"  {s.Track.MediaType} {s.Track.CodecName}: {t.Frames} frames ({t.Frames / seconds:F1}/s), {t.Packets} packets, {t.Bytes * 8 / seconds / 1000:F0} kbit/s, lost {t.Lost} ({t.LossFraction * 100:F2}%), jitter {t.MeanJitterMs:F1} ms, playout delay {t.MeanPlayoutDelayMs:F1} ms");
            if (t.FramesDropped + t.FramesConcealed + t.PictureLossIndications + t.DecodeErrors > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", dropped {t.FramesDropped}, concealed {t.FramesConcealed}, PLI {t.PictureLossIndications}, decode errors {t.DecodeErrors}");
            }

            if (t.LatencyCount > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", latency p50 {t.LatencyP50Ms:F1} / p95 {t.LatencyP95Ms:F1} / p99 {t.LatencyP99Ms:F1} ms");
            }
        }

        return text.ToString();
    }

    /// <summary>The live status line from two snapshots a second apart.</summary>
    /// <param name="streams">Each stream's track, snapshot now and snapshot before.</param>
    /// <param name="interval">Time between the snapshots.</param>
    /// <param name="audioBuffer">The audio jitter buffer's playout delay, when there is audio.</param>
    public static string StatusLine(IEnumerable<(ViewTrack Track, TrackSnapshot Now, TrackSnapshot Before)> streams, TimeSpan interval, TimeSpan? audioBuffer)
    {
        ArgumentNullException.ThrowIfNull(streams);
        double seconds = Math.Max(interval.TotalSeconds, 1e-3);
        var parts = new List<string>();
        foreach (var (track, now, before) in streams)
        {
            string delay = track.MediaType == "audio" && audioBuffer is { } buffer
                ? string.Create(CultureInfo.InvariantCulture, $"buffer {buffer.TotalMilliseconds:F0} ms")
                : string.Create(CultureInfo.InvariantCulture, $"delay {now.PlayoutDelayMs:F0} ms");
            string latency = now.LatencyMs is { } ms ? string.Create(CultureInfo.InvariantCulture, $" latency {ms:F0} ms") : "";
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{track.MediaType} {(now.Frames - before.Frames) / seconds:F1} fps {(now.Bytes - before.Bytes) * 8 / seconds / 1000:F0} kbit/s loss {now.Lost} jitter {now.JitterMs:F1} ms {delay}{latency}"));
        }

        return parts.Count == 0 ? "waiting for media" : string.Join(" | ", parts);
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;
}
