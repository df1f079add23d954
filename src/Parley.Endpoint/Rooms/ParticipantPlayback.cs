using Microsoft.Extensions.Logging;
using Parley.Endpoint.View;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Rooms;

/// <summary>
/// One remote participant's stream in a room call: a <see cref="ViewSession"/> (jitter buffers, decoding, lip sync,
/// recording, reconnection, all as `parley view`) whose video goes to a <see cref="VideoTile"/> of the grid and whose
/// audio goes to a <see cref="MixerInput"/>. Stopping it cancels the view (which finishes the recording) and takes
/// the tile and the mixer input away.
/// </summary>
internal sealed class ParticipantPlayback
{
    private static readonly TimeSpan NotYetRetry = TimeSpan.FromMilliseconds(500);
    private const int NotYetAttempts = 10;

    private readonly CancellationTokenSource _stop;
    private readonly VideoGrid? _grid;
    private readonly AudioMixer _mixer;
    private readonly VideoTile? _tile;
    private readonly MixerInput _input;
    private readonly ILogger _logger;

    public ParticipantPlayback(RoomParticipant participant, Uri url, string? recording, RoomCallOptions options, VideoGrid? grid, AudioMixer mixer, ILogger logger, CancellationToken callToken)
    {
        Participant = participant;
        Url = url;
        RecordingPath = recording;
        _grid = grid;
        _mixer = mixer;
        _logger = logger;
        _tile = grid?.AddTile(participant.Name);
        _input = mixer.AddInput(participant.Id);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        var view = new ViewOptions
        {
            Url = url,
            Transport = options.Transport,
            Token = options.Token,
            MaxDuration = options.Duration is { } d && d > ViewOptions.DefaultMaxDuration ? d : ViewOptions.DefaultMaxDuration,
            OutputPath = recording,
            VideoSink = _tile,
            AudioSink = _input,
            Logger = logger,
            Trust = options.Trust,
        };
        Completion = Task.Run(() => RunAsync(view, _stop.Token), CancellationToken.None);
    }

    public RoomParticipant Participant { get; }

    public Uri Url { get; }

    public string? RecordingPath { get; }

    /// <summary>The view's figures; null when it never played (the stream ended before DESCRIBE, or it failed).</summary>
    public Task<ViewReport?> Completion { get; }

    public MixerInput Input => _input;

    public VideoTile? Tile => _tile;

    /// <summary>Ends the playback and waits for the view to finish its recording.</summary>
    public async Task<ViewReport?> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        var report = await Completion.ConfigureAwait(false);
        if (_tile is not null)
        {
            _grid!.RemoveTile(_tile);
        }

        _mixer.RemoveInput(_input);
        _stop.Dispose();
        return report;
    }

    private async Task<ViewReport?> RunAsync(ViewOptions options, CancellationToken cancellationToken)
    {
        // The hub announces a stream once it is live, so DESCRIBE should find it; a 404 means it ended meanwhile
        // or the announcement raced the path, and a few short retries cover the second case.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await new ViewSession(options).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ViewException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (ViewException e) when (e.InnerException is RtspClientException { StatusCode: 404 } && attempt < NotYetAttempts)
            {
                try
                {
                    await Task.Delay(NotYetRetry, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
            catch (Exception e) when (e is ViewException or Codecs.CodecException)
            {
                _logger.LogWarning("call: cannot play {Name} ({Reason})", Participant.Name, e.Message.Replace("parley view: ", "", StringComparison.Ordinal));
                return null;
            }
        }
    }
}
