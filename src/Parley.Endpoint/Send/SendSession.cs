using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Rtp.Sdp;

namespace Parley.Endpoint.Send;

/// <summary>Per-stream totals of a send session.</summary>
/// <param name="MediaType">"video" or "audio".</param>
/// <param name="Codec">Encoding name as in the SDP.</param>
/// <param name="Frames">Frames (video) or 20 ms packets (audio) encoded and sent (DTX silence not included).</param>
/// <param name="Packets">RTP packets sent.</param>
/// <param name="PayloadBytes">RTP payload bytes sent.</param>
/// <param name="PacketsDropped">Packets not sent while the hub was unreachable.</param>
/// <param name="KeyFrameRequests">PLI/FIR received.</param>
/// <param name="EncodeMillisecondsPerFrame">Average encode time per frame, in ms (wall time; H.264 encodes on GStreamer's threads).</param>
/// <param name="CaptureMillisecondsPerFrame">Sender-thread CPU per frame reading the source, in ms (see <see cref="SenderTrack.CaptureTime"/>).</param>
/// <param name="PacketizeMillisecondsPerFrame">Sender-thread CPU per frame packetizing, in ms.</param>
/// <param name="SendMillisecondsPerFrame">Sender-thread CPU per frame sending, in ms.</param>
/// <param name="DtxFrames">Opus DTX frames not sent (audio with DTX on).</param>
public sealed record SendStreamTotals(
    string MediaType,
    string Codec,
    long Frames,
    long Packets,
    long PayloadBytes,
    long PacketsDropped,
    long KeyFrameRequests,
    double EncodeMillisecondsPerFrame,
    double CaptureMillisecondsPerFrame,
    double PacketizeMillisecondsPerFrame,
    double SendMillisecondsPerFrame,
    long DtxFrames);

/// <summary>What a finished send session did.</summary>
/// <param name="Duration">Time from the first RECORD to the end.</param>
/// <param name="Streams">Per stream totals.</param>
/// <param name="Reconnects">How many times the connection was re-established.</param>
public sealed record SendReport(TimeSpan Duration, IReadOnlyList<SendStreamTotals> Streams, int Reconnects);

/// <summary>
/// `parley send`: captures from a source, encodes, packetizes and publishes to a hub path over RTSP, sending RTCP
/// sender reports each second that tie every stream's RTP clock to the capture wall clock (RFC 3550 §6.4.1), so
/// receivers can line audio up with video and measure latency.
/// </summary>
public sealed class SendSession
{
    private static readonly byte[] Cname = System.Text.Encoding.ASCII.GetBytes($"parley@{Environment.MachineName}");

    private readonly SendOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a session; nothing is opened until <see cref="RunAsync"/>.</summary>
    public SendSession(SendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
    }

    /// <summary>Raised about once a second with a one-line status (frame rate, bitrate, connection).</summary>
    public event Action<string>? Status;

    /// <summary>Runs until <paramref name="cancellationToken"/> fires, the duration ends or a file source ends.</summary>
    /// <exception cref="CodecException">The source or an encoder cannot start (no such device, device busy, missing element).</exception>
    /// <exception cref="Parley.Rtsp.Client.RtspClientException">The first connection failed: hub unreachable, path taken, credentials refused.</exception>
    public async Task<SendReport> RunAsync(CancellationToken cancellationToken)
    {
        bool wantsVideo = _options.Video != SendVideoCodec.None && _options.Source.Parts[0].GivesVideo;
        bool wantsAudio = _options.Audio && _options.Source.Parts[^1].GivesAudio;
        if (!wantsVideo && !wantsAudio)
        {
            throw new ArgumentException("nothing to send: the source gives no video with --video none and no audio with --audio none");
        }

        using var source = MediaSourceFactory.Create(_options.Source, wantsVideo ? _options.VideoFormat : null, wantsAudio ? new AudioCaptureFormat(_options.AudioChannels) : null, _options.Loop);
        using var video = wantsVideo ? new VideoTrackSender(_options, 0) : null;
        using var audio = wantsAudio ? new AudioTrackSender(_options, wantsVideo ? 1 : 0) : null;
        await using var publication = new RtspPublication(_options.Url, _options.Transport, _options.Trust ?? Trust.HubTrust.Default, _logger, _ => video?.RequestKeyFrame(), _options.Token);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var startUtc = DateTime.UtcNow;
        source.Start();
        var threads = new List<Task>();
        if (video is not null)
        {
            threads.Add(Task.Factory.StartNew(() => video.Run(source, startUtc, publication, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        if (audio is not null)
        {
            threads.Add(Task.Factory.StartNew(() => audio.Run(source, startUtc, publication, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        var tracks = new List<SenderTrack>();
        string videoCodec = _options.Video == SendVideoCodec.H264 ? "H264" : "JPEG";
        try
        {
            var sdp = await BuildDescriptionAsync(video, audio, threads, stop.Token).ConfigureAwait(false);
            await publication.StartAsync(sdp, stop.Token).ConfigureAwait(false);
            video?.RequestKeyFrame(); // what was encoded before RECORD is gone; readers need a fresh key frame
            _logger.LogInformation("publishing {Source} to {Url} over {Transport}: {Tracks}", _options.Source.Parts.Count == 1 ? _options.Source.Parts[0].Kind : "camera+microphone", _options.Url, _options.Transport, string.Join(", ", sdp.Media.SelectMany(m => m.RtpMaps).Select(r => $"{r.EncodingName}/{r.ClockRate}")));
            if (video is not null)
            {
                tracks.Add(video.Track);
            }

            if (audio is not null)
            {
                tracks.Add(audio.Track);
            }

            tracks.ForEach(t => t.ResetCounters());
            var recordStart = DateTime.UtcNow;
            var supervisor = publication.SuperviseAsync(stop.Token);
            await ReportLoopAsync(tracks, publication, threads, stop.Token).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await supervisor.ConfigureAwait(false);
            await Task.WhenAll(threads).ConfigureAwait(false);
            return new SendReport(DateTime.UtcNow - recordStart, tracks.Select(t => Totals(t, t.MediaType == "video" ? videoCodec : "opus")).ToList(), publication.Reconnects);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(threads).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task<SdpSession> BuildDescriptionAsync(VideoTrackSender? video, AudioTrackSender? audio, List<Task> threads, CancellationToken cancellationToken)
    {
        var lines = new List<string> { "v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=parley send", "t=0 0" };
        if (video is not null)
        {
            if (_options.Video == SendVideoCodec.H264)
            {
                // sprop-parameter-sets come from the encoder's first key frame (RFC 6184 §8.1).
                var first = await Task.WhenAny(video.Parameters, Task.WhenAll(threads), Task.Delay(TimeSpan.FromSeconds(15), cancellationToken)).ConfigureAwait(false);
                if (first != video.Parameters)
                {
                    await Task.WhenAll(threads).WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false); // surfaces a capture error
                    throw new CodecException("the H.264 encoder gave no key frame with SPS and PPS within 15 s");
                }

                var parameters = await video.Parameters.ConfigureAwait(false);
                lines.Add($"m=video 0 RTP/AVP 96");
                lines.Add("a=rtpmap:96 H264/90000");
                lines.Add("a=fmtp:96 " + parameters.ToFormatParameters());
            }
            else
            {
                lines.Add("m=video 0 RTP/AVP 26");
                lines.Add("a=rtpmap:26 JPEG/90000");
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture, $"a=framerate:{_options.VideoFormat.FramesPerSecond}"));
        }

        if (audio is not null)
        {
            lines.Add($"m=audio 0 RTP/AVP {AudioTrackSender.PayloadType}");
            lines.Add($"a=rtpmap:{AudioTrackSender.PayloadType} opus/48000/2"); // always /2 (RFC 7587 §7)
            lines.Add($"a=fmtp:{AudioTrackSender.PayloadType} useinbandfec=1;sprop-stereo={(_options.AudioChannels == 2 ? 1 : 0)}");
        }

        lines.Add(string.Empty);
        return SdpSession.TryParse(string.Join("\r\n", lines), out var sdp, out string? error) && sdp is not null
            ? sdp
            : throw new InvalidOperationException($"our own SDP does not parse: {error}");
    }

    private async Task ReportLoopAsync(List<SenderTrack> tracks, RtspPublication publication, List<Task> threads, CancellationToken cancellationToken)
    {
        var rtcp = new byte[256];
        var deadline = _options.Duration is { } duration ? DateTime.UtcNow + duration : DateTime.MaxValue;
        var previous = tracks.Select(t => (t.Frames, t.PayloadBytes)).ToArray();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var capture = Task.WhenAll(threads);
        while (DateTime.UtcNow < deadline)
        {
            var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
            try
            {
                if (await Task.WhenAny(tick, capture).ConfigureAwait(false) == capture)
                {
                    await capture.ConfigureAwait(false); // rethrows a capture failure; returns at a file's end
                    return;
                }

                await tick.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = DateTime.UtcNow;
            var parts = new List<string>();
            for (int i = 0; i < tracks.Count; i++)
            {
                var track = tracks[i];
                int length = track.WriteSenderReport(rtcp, now, Cname);
                if (length > 0)
                {
                    publication.TrySendRtcp(track.MediaIndex, rtcp.AsMemory(0, length)); // sent before it returns: the buffer is reused safely
                }

                long frames = track.Frames, bytes = track.PayloadBytes;
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{track.MediaType} {frames - previous[i].Frames} {(track.MediaType == "video" ? "fps" : "pkt/s")} {(bytes - previous[i].PayloadBytes) * 8 / 1000.0:F0} kbit/s"));
                previous[i] = (frames, bytes);
            }

            Status?.Invoke($"{string.Join(" | ", parts)} | {(publication.IsConnected ? "connected" : "reconnecting")}");
        }
    }

    private static SendStreamTotals Totals(SenderTrack track, string codec)
    {
        double PerFrame(TimeSpan time) => track.Frames == 0 ? 0 : time.TotalMilliseconds / track.Frames;
        return new(track.MediaType, codec, track.Frames, track.Packets, track.PayloadBytes, track.PacketsDropped, track.KeyFrameRequests,
            PerFrame(track.EncodeTime), PerFrame(track.CaptureTime), PerFrame(track.PacketizeTime), PerFrame(track.SendTime), track.DtxFrames);
    }
}
