using System.Globalization;
using Parley.Hub.Paths;
using Parley.Hub.Streams;
using Parley.Media.H264;

namespace Parley.Hub.Web;

/// <summary>One track of a listed stream, as JSON.</summary>
/// <param name="Type">"video", "audio", as in SDP.</param>
/// <param name="Codec">Encoding name ("H264", "JPEG", "opus"), or null when unknown.</param>
/// <param name="ClockRate">RTP clock rate in Hz.</param>
/// <param name="Channels">Audio channels; 0 for video.</param>
public sealed record TrackSummary(string Type, string? Codec, int ClockRate, int Channels);

/// <summary>One live stream as <c>/api/streams</c> lists it.</summary>
/// <param name="Path">The path ("demo", "cam1").</param>
/// <param name="Publisher">Who publishes: protocol and address.</param>
/// <param name="Mode">How browsers play it: "jpeg", "mse", or "none".</param>
/// <param name="Codecs">Codecs of all tracks: "H264/90000, opus/48000/2".</param>
/// <param name="Tracks">The tracks in SDP order.</param>
/// <param name="Width">Video width in pixels; 0 when not known yet.</param>
/// <param name="Height">Video height in pixels; 0 when not known yet.</param>
/// <param name="FrameRate">Video frames per second, measured (or from SDP before a measurement); 0 when unknown.</param>
/// <param name="Bitrate">Received bit/s over all tracks (whole RTP packets), measured over the last second or more.</param>
/// <param name="Readers">Readers of the stream: RTSP clients, plus one for all browser viewers together.</param>
/// <param name="WebViewers">Browser viewers (WebSocket and MJPEG).</param>
public sealed record StreamSummary(string Path, string Publisher, string Mode, string Codecs, IReadOnlyList<TrackSummary> Tracks,
    int Width, int Height, double FrameRate, long Bitrate, int Readers, int WebViewers);

/// <summary>
/// Describes the live streams for the web UI and the API: codecs, resolution, frame rate, bitrate and readers.
/// Rates are measured between calls at least a second apart (the UI polls or listens to events).
/// </summary>
public sealed class StreamCatalog
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);
    private readonly PathManager _paths;
    private readonly WebSourceRegistry _sources;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<MediaStream, RateSample> _rates = [];

    /// <summary>Creates the catalog.</summary>
    public StreamCatalog(PathManager paths, WebSourceRegistry sources, TimeProvider time)
    {
        _paths = paths;
        _sources = sources;
        _time = time;
    }

    /// <summary>Every live stream, sorted by path.</summary>
    public async Task<IReadOnlyList<StreamSummary>> ListAsync()
    {
        var streams = await _paths.ListStreamsAsync();
        var result = new List<StreamSummary>(streams.Count);
        lock (_lock)
        {
            foreach (var gone in _rates.Keys.Except(streams).ToList())
            {
                _rates.Remove(gone);
            }

            foreach (var stream in streams.OrderBy(s => s.Path, StringComparer.Ordinal))
            {
                result.Add(Describe(stream));
            }
        }

        return result;
    }

    private StreamSummary Describe(MediaStream stream)
    {
        var playback = WebPlayback.For(stream, _sources.WebRtc);
        var source = _sources.Find(stream.Path) is { } s && ReferenceEquals(s.Stream, stream) ? s : null;
        var video = playback.VideoTrack >= 0 ? stream.Tracks[playback.VideoTrack] : stream.Tracks.FirstOrDefault(t => t.IsVideo);
        var (width, height) = source is not null && source.VideoWidth > 0
            ? (source.VideoWidth, source.VideoHeight)
            : video is null ? (0, 0) : SdpDimensions(video);

        long now = _time.GetTimestamp();
        long frames = video?.FramesReceived ?? 0;
        if (!_rates.TryGetValue(stream, out var sample))
        {
            sample = new RateSample(now, stream.BytesReceived, frames, 0, video is null ? 0 : WebPlayback.SdpFrameRate(video));
        }
        else if (_time.GetElapsedTime(sample.Timestamp, now) >= MinimumInterval)
        {
            double seconds = _time.GetElapsedTime(sample.Timestamp, now).TotalSeconds;
            sample = new RateSample(now, stream.BytesReceived, frames,
                (long)((stream.BytesReceived - sample.Bytes) * 8 / seconds),
                Math.Round((frames - sample.Frames) / seconds, 1));
        }

        _rates[stream] = sample;
        return new StreamSummary(
            stream.Path,
            stream.Publisher.Description,
            playback.Mode.ToString().ToLowerInvariant(),
            stream.CodecSummary,
            [.. stream.Tracks.Select(t => new TrackSummary(t.MediaType, t.EncodingName, t.ClockRate, t.IsVideo ? 0 : t.Channels))],
            width,
            height,
            sample.FrameRate,
            sample.Bitrate,
            stream.ReaderCount,
            source?.ViewerCount ?? 0);
    }

    // Before any frame is seen: a=x-dimensions (RFC 2435 senders such as our demo) or the SPS in sprop-parameter-sets.
    internal static (int Width, int Height) SdpDimensions(MediaTrack track)
    {
        if (track.Media.Attributes.Get("x-dimensions") is { } dimensions)
        {
            string[] parts = dimensions.Split(',');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int w)
                && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int h))
            {
                return (w, h);
            }
        }

        if (int.TryParse(track.Media.Formats.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int payloadType)
            && H264Parameters.TryParse(track.Media.GetFormatParameterMap(payloadType), out var parameters)
            && !parameters.Sps.IsEmpty && H264SequenceParameterSet.TryParse(parameters.Sps.Span, out var sps))
        {
            return (sps.Width, sps.Height);
        }

        return (0, 0);
    }

    private readonly record struct RateSample(long Timestamp, long Bytes, long Frames, long Bitrate, double FrameRate);
}
