using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs.Gstreamer;
using Parley.Endpoint.Send;
using Parley.Endpoint.View;

namespace Parley.Endpoint.Rooms;

/// <summary>
/// `parley call http://host:8080/r/ROOM`: joins a room over its control protocol (<see cref="RoomControlClient"/>),
/// publishes this side with a <see cref="SendSession"/> to the path the hub hands out, and plays every other
/// participant who is publishing (<see cref="ParticipantPlayback"/>, a `parley view` each) into one tiled picture
/// (<see cref="VideoGrid"/>) and one mixed playback (<see cref="AudioMixer"/>). Participants are picked up and
/// dropped as the hub announces them; chat and presence are logged, and lines from <see cref="RoomCallOptions.ChatInput"/>
/// are sent as chat. After a hub restart the control client rejoins and the call reconciles who is there.
/// </summary>
public sealed class RoomCall
{
    private readonly RoomCallOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, RoomParticipant> _present = [];
    private readonly Dictionary<string, ParticipantPlayback> _playing = [];
    private readonly Dictionary<string, int> _streamsSeen = [];
    private readonly List<(ParticipantPlayback Playback, Task<ViewReport?> Stopped)> _stopped = [];
    private readonly List<ParticipantPlayback> _started = [];
    private VideoGrid? _grid;
    private AudioMixer? _mixer;
    private string? _selfId;
    private int _chatReceived;
    private int _chatSent;
    private readonly SendMuting _muting = new();

    /// <summary>Creates a call; nothing is opened until <see cref="RunAsync"/>.</summary>
    /// <exception cref="ArgumentException">The URL is not a room URL, or the name is empty or over 64 characters.</exception>
    public RoomCall(RoomCallOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!RoomControlClient.TryParseRoomUrl(options.RoomUrl, out _))
        {
            throw new ArgumentException($"{options.RoomUrl} is not a room URL (http://host:port/r/ROOM)", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.Name) || options.Name.Length > 64)
        {
            throw new ArgumentException("a display name is 1 to 64 characters", nameof(options));
        }

        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the duration ends.</summary>
    /// <exception cref="RoomException">Joining failed: hub unreachable, no rooms there, bad room name, bad name, room full.</exception>
    /// <exception cref="Parley.Rtsp.Client.RtspClientException">Publishing failed at the start.</exception>
    /// <exception cref="Parley.Codecs.CodecException">A capture device, encoder or output could not be opened.</exception>
    public async Task<RoomCallReport> RunAsync(CancellationToken cancellationToken)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.Duration is { } duration)
        {
            run.CancelAfter(duration);
        }

        var clock = new ViewClock();
        GstRenderSink? output = OpenOutput();
        using var stopWorkers = new CancellationTokenSource();
        Task? mixing = null;
        Task<SendReport?>? sending = null;
        CancellationTokenSource? sendStop = null;
        SendReport? sendReport = null;
        string room = RoomControlClient.TryParseRoomUrl(_options.RoomUrl, out string? r) ? r! : "";
        var client = new RoomControlClient(_options.RoomUrl, _options.Name, _logger, _options.Trust) { Token = _options.Token };
        try
        {
            _grid = _options.VideoOutput is null ? null : new VideoGrid(output, _options.CanvasSize.Width, _options.CanvasSize.Height, _logger);
            _mixer = new AudioMixer(_options.AudioOutput is null ? null : output, clock, _logger);
            RoomWelcome welcome;
            try
            {
                welcome = await client.JoinAsync(run.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
                return new RoomCallReport(room, _options.Name, null, null, [], 0, 0, 0, 0);
            }

            _selfId = welcome.Self.Id;
            _logger.LogInformation("call: joined room {Room} as {Id}; {Count} other(s) here{Names}", welcome.Room, welcome.Self.Id, welcome.Participants.Count,
                welcome.Participants.Count == 0 ? "" : ": " + string.Join(", ", welcome.Participants.Select(p => p.Name)));
            foreach (var chat in welcome.History)
            {
                _logger.LogInformation("chat (earlier) {Name}: {Text}", chat.FromName, chat.Text);
            }

            mixing = _mixer.RunAsync(stopWorkers.Token);
            (sending, sendStop) = StartSending(welcome, run.Token);
            Reconcile(welcome, run.Token);
            var chatting = _options.ChatInput is { } input ? ForwardChatAsync(client, input, run.Cancel, run.Token) : Task.CompletedTask;

            var events = client.Events;
            while (!run.IsCancellationRequested)
            {
                var next = events.WaitToReadAsync(run.Token).AsTask();
                await Task.WhenAny(next, sending).ConfigureAwait(false);
                if (sending.IsCompleted && !run.IsCancellationRequested)
                {
                    sendReport = await sending.ConfigureAwait(false); // throws the publishing failure
                    _logger.LogInformation("call: this side's source ended; still in the room, receiving");
                    sending = new TaskCompletionSource<SendReport?>().Task;
                }

                while (events.TryRead(out var message))
                {
                    if (message is RoomWelcomed rejoined)
                    {
                        if (rejoined.Welcome.Self.PublishPath != welcome.Self.PublishPath)
                        {
                            // A new id after the rejoin: publish under it (the old path is gone with the old hub).
                            await sendStop!.CancelAsync().ConfigureAwait(false);
                            sendReport = await QuietlyAsync(sending).ConfigureAwait(false) ?? sendReport;
                            sendStop.Dispose();
                            (sending, sendStop) = StartSending(rejoined.Welcome, run.Token);
                        }

                        welcome = rejoined.Welcome;
                        _selfId = welcome.Self.Id;
                        if (_muting.Audio || _muting.Video)
                        {
                            // A restarted hub knows nothing of this side's mute state.
                            await client.SetMuteAsync(_muting.Audio, _muting.Video, run.Token).ConfigureAwait(false);
                        }

                        Reconcile(welcome, run.Token);
                    }
                    else
                    {
                        Handle(message, welcome, run.Token);
                    }
                }

                if (next.IsCompleted && !await next.ConfigureAwait(false))
                {
                    break; // the client was disposed
                }
            }

            await chatting.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
        }
        finally
        {
            await run.CancelAsync().ConfigureAwait(false); // ends the chat forwarding too, whatever ended the call
            foreach (var id in _playing.Keys.ToList())
            {
                StopPlayback(id);
            }

            if (sendStop is not null)
            {
                await sendStop.CancelAsync().ConfigureAwait(false);
            }

            var stopping = _stopped.Select(s => (Task)s.Stopped).ToList();
            if (sending is not null)
            {
                stopping.Add(sending);
            }

            await QuietlyAsync(Task.WhenAll(stopping)).ConfigureAwait(false);
            await client.DisposeAsync().ConfigureAwait(false);
            await stopWorkers.CancelAsync().ConfigureAwait(false);
            if (mixing is not null)
            {
                await mixing.ConfigureAwait(false);
            }

            _grid?.Dispose();
            output?.Dispose();
            sendStop?.Dispose();
        }

        if (sending is { IsCompletedSuccessfully: true })
        {
            sendReport = await sending.ConfigureAwait(false) ?? sendReport;
        }
        else if (sending is { IsFaulted: true } && !cancellationToken.IsCancellationRequested)
        {
            await sending.ConfigureAwait(false); // the publishing failure, unwrapped
        }

        var reports = new List<RoomParticipantReport>();
        foreach (var playback in _started)
        {
            var view = _stopped.First(s => s.Playback == playback).Stopped;
            reports.Add(new RoomParticipantReport(playback.Participant.Id, playback.Participant.Name, playback.RecordingPath,
                view.IsCompletedSuccessfully ? view.Result : null, playback.Input.SamplesMixed, playback.Input.Underruns, playback.Tile?.FramesWritten ?? 0));
        }

        return new RoomCallReport(room, _options.Name, _selfId, sendReport, reports, _mixer?.FramesMixed ?? 0, _grid?.FramesWritten ?? 0, _chatReceived, _chatSent);
    }

    private GstRenderSink? OpenOutput()
    {
        if (_options.VideoOutput is null && _options.AudioOutput is null)
        {
            return null;
        }

        var sink = new GstRenderSink(_options.VideoOutput, _options.AudioOutput, AudioMixer.Channels);
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

    private (Task<SendReport?> Task, CancellationTokenSource Stop) StartSending(RoomWelcome welcome, CancellationToken callToken)
    {
        var url = welcome.MediaUrl(_options.RoomUrl.Host, welcome.Self.PublishPath);
        var send = new SendSession(SendOptions.For(url, _options, _logger) with { Loop = _options.Loop, Muting = _muting });
        var stop = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        return (RunSendAsync(send, stop.Token), stop);
    }

    private static async Task<SendReport?> RunSendAsync(SendSession send, CancellationToken cancellationToken)
    {
        try
        {
            return await send.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null; // ended before RECORD
        }
    }

    private void Handle(RoomEvent message, RoomWelcome welcome, CancellationToken callToken)
    {
        switch (message)
        {
            case RoomParticipantJoined { Participant: var p } when p.Id != _selfId:
                _present[p.Id] = p;
                _logger.LogInformation("call: {Name} joined", p.Name);
                if (p.Publishing)
                {
                    StartPlayback(p, welcome, callToken);
                }

                break;
            case RoomParticipantUpdated { Participant: var p } when p.Id != _selfId:
                var before = _present.GetValueOrDefault(p.Id);
                _present[p.Id] = p;
                if (before is not null && (before.AudioMuted != p.AudioMuted || before.VideoMuted != p.VideoMuted))
                {
                    _logger.LogInformation("call: {Name} {Audio} audio, {Video} video", p.Name, p.AudioMuted ? "muted" : "unmuted", p.VideoMuted ? "muted" : "unmuted");
                }

                if (p.Publishing && !_playing.ContainsKey(p.Id))
                {
                    StartPlayback(p, welcome, callToken);
                }
                else if (!p.Publishing && _playing.ContainsKey(p.Id))
                {
                    _logger.LogInformation("call: {Name} stopped publishing", p.Name);
                    StopPlayback(p.Id);
                }

                break;
            case RoomParticipantLeft left:
                string name = _present.TryGetValue(left.Id, out var gone) ? gone.Name : left.Id;
                _present.Remove(left.Id);
                _logger.LogInformation("call: {Name} left ({Reason})", name, left.Reason);
                StopPlayback(left.Id);
                break;
            case RoomChatReceived { Message: var chat }:
                _chatReceived++;
                _logger.LogInformation("chat {Name}: {Text}", chat.FromName, chat.Text);
                break;
            case RoomErrorReceived error:
                _logger.LogWarning("call: the hub refused a message: {Message} ({Code})", error.Message, error.Code);
                break;
            case RoomDisconnected:
                break; // the client logs it and rejoins
        }
    }

    // After a (re)join: play exactly those present and publishing.
    private void Reconcile(RoomWelcome welcome, CancellationToken callToken)
    {
        _present.Clear();
        foreach (var p in welcome.Participants.Where(p => p.Id != _selfId))
        {
            _present[p.Id] = p;
        }

        foreach (var id in _playing.Keys.Where(id => !_present.TryGetValue(id, out var p) || !p.Publishing).ToList())
        {
            StopPlayback(id);
        }

        foreach (var p in _present.Values.Where(p => p.Publishing && !_playing.ContainsKey(p.Id)))
        {
            StartPlayback(p, welcome, callToken);
        }
    }

    private void StartPlayback(RoomParticipant participant, RoomWelcome welcome, CancellationToken callToken)
    {
        int number = _streamsSeen[participant.Id] = _streamsSeen.GetValueOrDefault(participant.Id) + 1;
        string? recording = _options.OutputPath is { } output ? RoomCallOptions.RecordingPath(output, participant.Id, number) : null;
        var url = welcome.MediaUrl(_options.RoomUrl.Host, participant.PublishPath);
        _logger.LogInformation("call: playing {Name} from {Url}{Recording}", participant.Name, url, recording is null ? "" : " into " + recording);
        var playback = new ParticipantPlayback(participant, url, recording, _options, _grid, _mixer!, _logger, callToken);
        _playing[participant.Id] = playback;
        _started.Add(playback);
    }

    private void StopPlayback(string id)
    {
        if (_playing.Remove(id, out var playback))
        {
            _stopped.Add((playback, playback.StopAsync()));
        }
    }

    private async Task ForwardChatAsync(RoomControlClient client, TextReader input, Action leave, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        // A blocking reader on its own background thread: a terminal's ReadLine cannot be cancelled, and a
        // background thread does not hold the process open when the call ends.
        var reader = new Thread(() =>
        {
            try
            {
                while (input.ReadLine() is { } line)
                {
                    lines.Writer.TryWrite(line);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                _logger.LogDebug("call: chat input ended ({Reason})", e.Message);
            }
            finally
            {
                lines.Writer.TryComplete();
            }
        })
        { IsBackground = true, Name = "parley chat input" };
        reader.Start();
        try
        {
            await foreach (string line in lines.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var typed = ChatInputLine.Parse(line);
                switch (typed.Kind)
                {
                    case ChatInputKind.Chat when await client.SendChatAsync(typed.Text, cancellationToken: cancellationToken).ConfigureAwait(false):
                        _chatSent++;
                        break;
                    case ChatInputKind.Chat:
                        _logger.LogWarning("call: not connected to the room; chat line not sent");
                        break;
                    case ChatInputKind.Mute or ChatInputKind.Unmute:
                        await SetMuteAsync(client, typed, cancellationToken).ConfigureAwait(false);
                        break;
                    case ChatInputKind.Leave:
                        _logger.LogInformation("call: leaving");
                        leave();
                        return;
                    case ChatInputKind.Help:
                        _logger.LogInformation("call: {Usage}", ChatInputLine.Usage);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Mute takes effect at once on what is sent (silence, black frames), then the room is told.
    private async Task SetMuteAsync(RoomControlClient client, ChatInputLine input, CancellationToken cancellationToken)
    {
        bool muted = input.Kind == ChatInputKind.Mute;
        if (input.Audio)
        {
            _muting.Audio = muted;
        }

        if (input.Video)
        {
            _muting.Video = muted;
        }

        _logger.LogInformation("call: microphone {Audio}, camera {Video}", _muting.Audio ? "muted" : "on", _muting.Video ? "off" : "on");
        if (!await client.SetMuteAsync(input.Audio ? muted : null, input.Video ? muted : null, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogWarning("call: not connected to the room; the others will see the mute state after the reconnection");
        }
    }

    private static async Task<T?> QuietlyAsync<T>(Task<T?> task)
        where T : class
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception) when (task.IsCanceled || task.IsFaulted)
        {
            return null;
        }
    }

    private static async Task QuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception) when (task.IsCanceled || task.IsFaulted)
        {
            // Each failure is looked at on its own afterwards.
        }
    }
}
