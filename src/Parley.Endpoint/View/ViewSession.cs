using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Media.Sync;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.View;

/// <summary>
/// `parley view`: plays one RTSP stream (RFC 2326 DESCRIBE, SETUP, PLAY over UDP or TCP). The first H.264/JPEG
/// video and Opus or G.711 audio tracks go through <see cref="VideoTrackReceiver"/> / <see cref="AudioTrackReceiver"/>
/// to a <see cref="VideoRenderer"/> and an <see cref="AudioPlayer"/>, optionally to a <see cref="ViewRecorder"/>;
/// receiver reports and PLIs go back to the sender; lip sync from sender reports holds video back for the audio.
/// When the connection is lost it reconnects with back-off (1 s, 2 s, 4 s ... at most 10 s) until the run ends.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "One run per session: RunAsync creates the pipeline pieces and disposes them in its finally block.")]
public sealed class ViewSession
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);

    private readonly ViewOptions _options;
    private readonly ILogger _logger;
    private readonly ViewClock _clock;
    private readonly Dispatcher _dispatcher = new();
    private RtspClient? _client;
    private VideoTrackReceiver? _video;
    private AudioTrackReceiver? _audio;
    private VideoRenderer? _renderer;
    private AudioPlayer? _player;
    private LipSync? _lipSync;
    private (RtpClockMapping? Audio, RtpClockMapping? Video) _lipSyncMappings;

    /// <summary>Creates a session; <see cref="RunAsync"/> plays it.</summary>
    public ViewSession(ViewOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = options.Logger ?? NullLogger.Instance;
        _clock = new ViewClock(options.TimeProvider);
    }

    /// <summary>
    /// Connects, plays until the duration runs out or <paramref name="cancellationToken"/> is cancelled, and
    /// finishes the recording. Statistics are returned on every normal end, including cancellation.
    /// </summary>
    /// <exception cref="ViewException">The first connection failed (unreachable, 404, 401, ...), nothing is playable, or the recording cannot be made.</exception>
    /// <exception cref="CodecException">An output or decoder could not be opened.</exception>
    public async Task<ViewReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var limit = _options.Duration is { } d && d < _options.MaxDuration ? d : _options.MaxDuration;
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        run.CancelAfter(limit);
        string url = new UriBuilder(_options.Url) { UserName = "", Password = "" }.Uri.ToString();
        string transport = _options.Transport == RtspClientTransport.Udp ? "udp" : "tcp";

        var (client, selection) = await ConnectAsync(run.Token).ConfigureAwait(false)
            ?? throw new ViewException($"parley view: stopped before {url} answered.");
        _client = client;
        foreach (string skipped in selection.Skipped)
        {
            _logger.LogInformation("view: not playing {Media}: parley view plays H.264, VP8 or JPEG video and Opus or G.711 (PCMU/PCMA) audio", skipped);
        }

        GstRenderSink? output = null;
        ViewRecorder? recorder = null;
        var streams = new List<TrackStatistics>();
        var workers = new List<Task>();
        using var stopWorkers = new CancellationTokenSource();
        TimeSpan playStarted = TimeSpan.Zero;
        int reconnects = 0;
        try
        {
            output = OpenOutput(selection);
            if (_options.OutputPath is { } path)
            {
                recorder = OpenRecorder(path, selection);
            }

            uint ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            bool reorder = _options.Transport == RtspClientTransport.Udp;
            if (selection.Video is { } videoTrack)
            {
                var statistics = new TrackStatistics(videoTrack);
                streams.Add(statistics);
                _renderer = new VideoRenderer(videoTrack.Codec, _options.VideoSink ?? (string.IsNullOrWhiteSpace(_options.VideoOutput) ? null : output), statistics, _clock, () => _video?.RequestKeyFrame(), _logger);
                IVideoFrameSink sink = recorder is null ? _renderer : new VideoFanOut(recorder, _renderer);
                _video = new VideoTrackReceiver(videoTrack, reorder, sink, statistics, _clock, ssrc);
                _dispatcher.Set(videoTrack.MediaIndex, _video);
            }

            if (selection.Audio is { } audioTrack)
            {
                var statistics = new TrackStatistics(audioTrack);
                streams.Add(statistics);
                _player = new AudioPlayer(_options.AudioSink ?? (string.IsNullOrWhiteSpace(_options.AudioOutput) ? null : output), statistics, _clock, _options.JitterBuffer, _logger);
                _audio = new AudioTrackReceiver(audioTrack, reorder, _player, recorder, statistics, _clock, ssrc + 1);
                _dispatcher.Set(audioTrack.MediaIndex, _audio);
                workers.Add(_player.RunAsync(stopWorkers.Token));
            }

            await PlayAsync(client, selection, run.Token).ConfigureAwait(false);
            playStarted = _clock.Now;
            _logger.LogInformation("view: playing {Url} over {Transport}", url, transport);
            workers.Add(Task.Run(() => TimerLoopAsync(stopWorkers.Token), CancellationToken.None));

            while (!run.IsCancellationRequested)
            {
                await Task.WhenAny(_client!.Completion, Task.Delay(Timeout.Infinite, run.Token)).ConfigureAwait(false);
                if (run.IsCancellationRequested)
                {
                    break;
                }

                string why = _client.Completion.Exception?.InnerException?.Message ?? "the connection closed";
                _logger.LogWarning("view: lost {Url} ({Reason}); reconnecting", url, why);
                await _client.DisposeAsync().ConfigureAwait(false);
                if (!await ReconnectAsync(selection, run.Token).ConfigureAwait(false))
                {
                    break;
                }

                reconnects++;
            }
        }
        finally
        {
            await stopWorkers.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
            if (_renderer is not null)
            {
                await _renderer.DisposeAsync().ConfigureAwait(false);
            }

            _video?.Dispose();
            _audio?.Dispose();
            if (recorder is not null)
            {
                if (!recorder.Complete(TimeSpan.FromSeconds(1)))
                {
                    _logger.LogWarning("view: the recording {Path} did not finish cleanly", recorder.Options.Path);
                }

                recorder.Dispose();
            }

            _player?.Dispose();
            output?.Dispose();
            if (_client is not null)
            {
                await _client.DisposeAsync().ConfigureAwait(false);
            }
        }

        var reason = cancellationToken.IsCancellationRequested ? ViewEndReason.Interrupted : ViewEndReason.Duration;
        var played = playStarted == TimeSpan.Zero ? TimeSpan.Zero : _clock.Now - playStarted;
        return new ViewReport(url, transport, played, reconnects, reason, _lipSync?.AudioLag,
            streams.Select(s => new ViewStreamReport(s.Track, s.Snapshot(percentiles: true))).ToList());
    }

    // A recording that cannot be made (a codec the container does not carry, a file that cannot be written) is the
    // user's --output choice, not an output device: say so in one line rather than suggest another --video-out.
    private ViewRecorder OpenRecorder(string path, ViewTrackSelection selection)
    {
        try
        {
            return new ViewRecorder(path, selection.Video, selection.Audio, _logger);
        }
        catch (CodecException e)
        {
            throw new ViewException($"parley view: {e.Message}", e);
        }
    }

    private GstRenderSink? OpenOutput(ViewTrackSelection selection)
    {
        string? video = selection.Video is null || _options.VideoSink is not null ? null : _options.VideoOutput;
        string? audio = selection.Audio is null || _options.AudioSink is not null ? null : _options.AudioOutput;
        if (string.IsNullOrWhiteSpace(video) && string.IsNullOrWhiteSpace(audio))
        {
            return null;
        }

        var sink = new GstRenderSink(video, audio, AudioPlayer.OutputChannels);
        try
        {
            sink.Start();
        }
        catch
        {
            sink.Dispose();
            throw;
        }

        return sink;
    }

    // Returns null when cancelled; throws ViewException for failures worth one line to the user.
    private async Task<(RtspClient Client, ViewTrackSelection Selection)?> ConnectAsync(CancellationToken cancellationToken)
    {
        string where = $"{_options.Url.Host}:{(_options.Url.Port > 0 ? _options.Url.Port : 554)}";
        RtspClient? client = null;
        try
        {
            client = await (_options.Trust ?? Trust.HubTrust.Default).ConnectAsync(_options.Url, new RtspClientOptions
            {
                Transport = _options.Transport,
                Receiver = _dispatcher,
                Logger = _logger,
                TimeProvider = _clock.Time,
                UserAgent = "Parley view",
                BearerToken = _options.Token,
            }, _logger, cancellationToken).ConfigureAwait(false);
            var sdp = await client.DescribeAsync(cancellationToken).ConfigureAwait(false);
            var selection = ViewTracks.Select(sdp);
            if (selection.IsEmpty)
            {
                throw new ViewException($"parley view: {_options.Url.AbsolutePath} has nothing to play ({string.Join(", ", selection.Skipped)}); parley view plays H.264, VP8 or JPEG video and Opus or G.711 (PCMU/PCMA) audio.");
            }

            var result = (client, selection);
            client = null;
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (RtspClientException e) when (e.StatusCode == 404)
        {
            throw new ViewException($"parley view: no stream at {_options.Url.AbsolutePath} on {where} (404 Not Found). Check the path, or start publishing it with 'parley send' first.", e);
        }
        catch (RtspClientException e) when (e.StatusCode == 401)
        {
            throw new ViewException($"parley view: {where} refused the credentials (401 Unauthorized). Put user:password in the URL, rtsp://user:password@{where}{_options.Url.AbsolutePath}.", e);
        }
        catch (RtspClientException e) when (e.InnerException is Trust.HubCertificateException)
        {
            throw new ViewException($"parley view: {e.Message}", e);
        }
        catch (RtspClientException e) when (e.StatusCode == 0)
        {
            throw new ViewException($"parley view: cannot reach the hub at {where} ({(e.InnerException ?? e).Message}). Is 'parley serve' running there, and is the port right?", e);
        }
        catch (RtspClientException e)
        {
            throw new ViewException($"parley view: {where} answered DESCRIBE with {e.StatusCode}: {e.Message}", e);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            throw new ViewException($"parley view: cannot reach the hub at {where} ({e.Message}). Is 'parley serve' running there, and is the port right?", e);
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task PlayAsync(RtspClient client, ViewTrackSelection selection, CancellationToken cancellationToken)
    {
        if (selection.Video is { } video)
        {
            await client.SetupAsync(video.MediaIndex, cancellationToken).ConfigureAwait(false);
        }

        if (selection.Audio is { } audio)
        {
            await client.SetupAsync(audio.MediaIndex, cancellationToken).ConfigureAwait(false);
        }

        await client.PlayAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ReconnectAsync(ViewTrackSelection selection, CancellationToken cancellationToken)
    {
        var backOff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(backOff, _clock.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            try
            {
                var connected = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                if (connected is not { } c)
                {
                    return false;
                }

                if (c.Selection.Video?.Codec != selection.Video?.Codec || c.Selection.Audio?.Codec != selection.Audio?.Codec
                    || c.Selection.Video?.MediaIndex != selection.Video?.MediaIndex || c.Selection.Audio?.MediaIndex != selection.Audio?.MediaIndex)
                {
                    await c.Client.DisposeAsync().ConfigureAwait(false);
                    throw new ViewException("the stream came back with other tracks");
                }

                _video?.BeginConnection();
                _audio?.BeginConnection();
                _client = c.Client;
                await PlayAsync(c.Client, selection, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("view: reconnected");
                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is ViewException or RtspClientException or IOException or SocketException)
            {
                _logger.LogWarning("view: reconnecting failed ({Reason}); next try in {Seconds} s", e.Message, Math.Min(backOff.TotalSeconds * 2, MaxBackOff.TotalSeconds));
                backOff = backOff * 2 > MaxBackOff ? MaxBackOff : backOff * 2;
            }
        }

        return false;
    }

    private async Task TimerLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[ReceptionReporter.MaxReportLength];
        var nextReport = _clock.Now;
        var nextStatus = _clock.Now + TimeSpan.FromSeconds(1);
        var nextSync = _clock.Now;
        var previous = new Dictionary<TrackReceiver, TrackSnapshot>();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tick, _clock.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = _clock.Now;
            bool reportDue = now >= nextReport;
            if (reportDue)
            {
                nextReport = now + ReportInterval;
            }

            foreach (TrackReceiver? receiver in (TrackReceiver?[])[_video, _audio])
            {
                if (receiver is null)
                {
                    continue;
                }

                receiver.Poll();
                int length = receiver.WriteFeedback(buffer, reportDue);
                if (length > 0)
                {
                    await SendRtcpAsync(receiver.Track.MediaIndex, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
            }

            if (now >= nextSync)
            {
                nextSync = now + TimeSpan.FromMilliseconds(100);
                UpdateLipSync();
            }

            if (now >= nextStatus && _options.Status is { } status)
            {
                nextStatus = now + TimeSpan.FromSeconds(1);
                var lines = new List<(ViewTrack, TrackSnapshot, TrackSnapshot)>();
                foreach (TrackReceiver? receiver in (TrackReceiver?[])[_video, _audio])
                {
                    if (receiver is not null)
                    {
                        var snapshot = receiver.Statistics.Snapshot();
                        lines.Add((receiver.Track, snapshot, previous.GetValueOrDefault(receiver)));
                        previous[receiver] = snapshot;
                    }
                }

                status(ViewReport.StatusLine(lines, TimeSpan.FromSeconds(1), _player?.PlayoutDelay));
            }
        }
    }

    private async ValueTask SendRtcpAsync(int mediaIndex, ReadOnlyMemory<byte> compound, CancellationToken cancellationToken)
    {
        var client = _client;
        if (client is null)
        {
            return;
        }

        try
        {
            await client.SendRtcpAsync(mediaIndex, compound, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RtspClientException or InvalidOperationException or ObjectDisposedException or SocketException or IOException)
        {
            // The connection is going away; the receive loop notices and reconnects.
            _logger.LogDebug("view: RTCP for media {Media} not sent ({Reason})", mediaIndex, e.Message);
        }
    }

    private void UpdateLipSync()
    {
        if (_video is null || _audio is null || _renderer is null || _player is null)
        {
            return;
        }

        var audioMapping = _audio.ClockMapping;
        var videoMapping = _video.ClockMapping;
        if (_lipSync is null || !ReferenceEquals(_lipSyncMappings.Audio, audioMapping) || !ReferenceEquals(_lipSyncMappings.Video, videoMapping))
        {
            _lipSync = new LipSync(audioMapping, videoMapping);
            _lipSyncMappings = (audioMapping, videoMapping);
        }

        if (_audio.LatestPacket is not { } a || _video.LatestPacket is not { } v)
        {
            return;
        }

        // Mappings are read on this thread only while the receivers hold their locks elsewhere; a torn read costs
        // one smoothed sample at most.
        var correction = _lipSync.Update(new TrackTiming(a.RtpTimestamp, a.Arrival, _player.PlayoutDelay), new TrackTiming(v.RtpTimestamp, v.Arrival, _renderer.DecodingDelay));
        _renderer.ExtraDelay = correction.ExtraVideoDelay;
    }

    /// <summary>Routes the RTSP client's packets to the track receivers by media index; other media are ignored.</summary>
    private sealed class Dispatcher : IRtspMediaReceiver
    {
        private TrackReceiver?[] _receivers = [];

        public void Set(int mediaIndex, TrackReceiver receiver)
        {
            var receivers = _receivers.Length > mediaIndex ? (TrackReceiver?[])_receivers.Clone() : new TrackReceiver?[mediaIndex + 1];
            _receivers.CopyTo(receivers, 0);
            receivers[mediaIndex] = receiver;
            Volatile.Write(ref _receivers, receivers);
        }

        public void OnRtp(int mediaIndex, ReadOnlySpan<byte> packet)
        {
            var receivers = Volatile.Read(ref _receivers);
            if ((uint)mediaIndex < (uint)receivers.Length)
            {
                receivers[mediaIndex]?.OnRtp(packet);
            }
        }

        public void OnRtcp(int mediaIndex, ReadOnlySpan<byte> packet)
        {
            var receivers = Volatile.Read(ref _receivers);
            if ((uint)mediaIndex < (uint)receivers.Length)
            {
                receivers[mediaIndex]?.OnRtcp(packet);
            }
        }
    }

    /// <summary>Hands each video frame to the recorder, then the renderer.</summary>
    private sealed class VideoFanOut(IVideoFrameSink first, IVideoFrameSink second) : IVideoFrameSink
    {
        public void OnVideoFrame(in ReceivedVideoFrame frame)
        {
            first.OnVideoFrame(frame);
            second.OnVideoFrame(frame);
        }
    }
}
