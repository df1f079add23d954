using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Parley.Hub.Configuration;

namespace Parley.Hub.Rooms;

/// <summary>Outcome of asking a room to let someone in.</summary>
internal enum RoomJoinOutcome
{
    /// <summary>In; the welcome is queued on the connection.</summary>
    Joined,

    /// <summary>The room has rooms.maxParticipants participants.</summary>
    Full,

    /// <summary>The room emptied and closed meanwhile; ask the manager again.</summary>
    Closed,
}

/// <summary>
/// One room: presence, mute state, stream announcements and chat, all owned by a single loop that runs commands
/// from a channel (DESIGN.md §3). The loop assigns chat ids, stores each message before sending it, and never
/// waits for a client: every message goes to the participants' bounded queues (<see cref="RoomConnection"/>),
/// serialized once for all. When the last participant leaves, the room closes and tells its manager.
/// </summary>
internal sealed class Room
{
    private readonly Channel<Action> _commands = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<RoomTrack>> _liveStreams;
    private readonly Queue<ChatMessage> _history = new();
    private readonly HubOptions.RoomsSection _options;
    private readonly ChatStore _store;
    private readonly int _rtspPort;
    private readonly int _rtspsPort;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<Room> _onClosed;
    private long _lastChatId;
    private bool _closed;

    public Room(string name, HubOptions.RoomsSection options, ChatStore store, (int Plain, int Tls) rtspPorts,
        IReadOnlyDictionary<string, IReadOnlyList<RoomTrack>> liveStreams, Action<Room> onClosed, TimeProvider time, ILogger logger)
    {
        Name = name;
        _options = options;
        _store = store;
        (_rtspPort, _rtspsPort) = rtspPorts;
        _liveStreams = new Dictionary<string, IReadOnlyList<RoomTrack>>(liveStreams, StringComparer.Ordinal);
        _onClosed = onClosed;
        _time = time;
        _logger = logger;
        Completion = Task.Run(RunAsync);
    }

    public string Name { get; }

    /// <summary>Completes when the loop has stopped.</summary>
    public Task Completion { get; }

    private async Task RunAsync()
    {
        try
        {
            _lastChatId = _store.LastId(Name);
            foreach (var message in _store.LoadRecent(Name, _options.HistoryMessages))
            {
                _history.Enqueue(message);
            }
        }
        catch (Exception ex) when (ex is SqliteException or ObjectDisposedException)
        {
            _logger.LogError(ex, "room '{Room}': cannot read chat history from {Database}", Name, _store.Path);
        }

        await foreach (var command in _commands.Reader.ReadAllAsync())
        {
            try
            {
                command();
            }
#pragma warning disable CA1031 // The loop must outlive a failing command; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogError(ex, "room '{Room}': a command failed", Name);
            }
        }
    }

    private bool Post(Action command) => _commands.Writer.TryWrite(command);

    /// <summary>Lets <paramref name="displayName"/> in on <paramref name="connection"/>, which gets the welcome.</summary>
    public Task<(RoomJoinOutcome Outcome, Participant? Participant)> JoinAsync(string displayName, RoomConnection connection)
    {
        var reply = new TaskCompletionSource<(RoomJoinOutcome, Participant?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(() => reply.SetResult(Join(displayName, connection))))
        {
            reply.SetResult((RoomJoinOutcome.Closed, null));
        }

        return reply.Task;
    }

    private (RoomJoinOutcome, Participant?) Join(string displayName, RoomConnection connection)
    {
        if (_closed)
        {
            return (RoomJoinOutcome.Closed, null);
        }

        if (_participants.Count >= _options.MaxParticipants)
        {
            return (RoomJoinOutcome.Full, null);
        }

        string baseId = RoomNames.ParticipantId(displayName);
        string id = baseId;
        for (int n = 2; _participants.ContainsKey(id); n++)
        {
            id = $"{baseId}-{n}";
        }

        var participant = new Participant(id, displayName, Name, RoomEvents.FormatTime(_time.GetUtcNow()), connection);
        if (_liveStreams.TryGetValue(id, out var tracks))
        {
            participant.Tracks = tracks;
        }

        var others = _participants.Values.Select(p => p.View()).ToList();
        _participants.Add(id, participant);
        connection.Send(RoomEvents.Welcome(Name, participant.View(), others, _history, _rtspPort, _rtspsPort,
            new RoomLimits(_options.MaxChatBytes, _options.ChatMessagesPerSecond, _options.MaxParticipants)));
        BroadcastExcept(participant, RoomEvents.ParticipantJoined(participant.View()));
        _logger.LogInformation("room '{Room}': {Name} ({Id}, {Connection}) joined; {Count} present",
            Name, displayName, id, connection.Description, _participants.Count);
        return (RoomJoinOutcome.Joined, participant);
    }

    /// <summary>Removes <paramref name="participant"/> (no-op when already gone) and tells the others why.</summary>
    /// <param name="participant">Who leaves.</param>
    /// <param name="reason"><c>left</c>, <c>disconnected</c> or <c>timeout</c>.</param>
    public void Leave(Participant participant, string reason) => Post(() =>
    {
        if (!_participants.TryGetValue(participant.Id, out var present) || !ReferenceEquals(present, participant))
        {
            return;
        }

        _participants.Remove(participant.Id);
        Broadcast(RoomEvents.ParticipantLeft(participant.Id, reason));
        _logger.LogInformation("room '{Room}': {Name} ({Id}) left ({Reason}); {Count} present",
            Name, participant.Name, participant.Id, reason, _participants.Count);
        if (_participants.Count == 0)
        {
            Close();
        }
    });

    /// <summary>
    /// Assigns the next id to a chat message, stores it, then sends it to everyone present (the sender's copy
    /// carries <paramref name="reference"/>). The text is already checked against the limits.
    /// </summary>
    public void Chat(Participant participant, string text, string? reference) => Post(() =>
    {
        if (!_participants.TryGetValue(participant.Id, out var present) || !ReferenceEquals(present, participant))
        {
            return;
        }

        var message = new ChatMessage(_lastChatId + 1, new ChatSender(participant.Id, participant.Name),
            RoomEvents.FormatTime(_time.GetUtcNow()), text);
        try
        {
            _store.Append(Name, message);
        }
        catch (Exception ex) when (ex is SqliteException or ObjectDisposedException)
        {
            _logger.LogError(ex, "room '{Room}': chat message from {Id} not stored in {Database}", Name, participant.Id, _store.Path);
            participant.Connection.Send(RoomEvents.Error(RoomErrorCodes.ChatNotStored,
                "The hub could not store your message, so nobody got it; try again later.", reference));
            return;
        }

        _lastChatId = message.Id;
        _history.Enqueue(message);
        while (_history.Count > _options.HistoryMessages)
        {
            _history.Dequeue();
        }

        byte[] shared = RoomEvents.ChatEvent(message);
        foreach (var p in _participants.Values)
        {
            p.Connection.Send(ReferenceEquals(p, participant) && reference is not null ? RoomEvents.ChatEvent(message, reference) : shared);
        }
    });

    /// <summary>Sets a participant's mute state; null keeps a field. Announced only when something changed.</summary>
    public void Mute(Participant participant, bool? audio, bool? video) => Post(() =>
    {
        if (!_participants.TryGetValue(participant.Id, out var present) || !ReferenceEquals(present, participant))
        {
            return;
        }

        bool changed = (audio is { } a && a != participant.AudioMuted) | (video is { } v && v != participant.VideoMuted);
        participant.AudioMuted = audio ?? participant.AudioMuted;
        participant.VideoMuted = video ?? participant.VideoMuted;
        if (changed)
        {
            Broadcast(RoomEvents.ParticipantUpdated(participant.View()));
        }
    });

    /// <summary>
    /// The stream on <c>&lt;room&gt;/<paramref name="participantId"/></c> is live with <paramref name="tracks"/>, or
    /// ended (null). Remembered for someone who joins with that id later; announced when they are present.
    /// </summary>
    public void StreamChanged(string participantId, IReadOnlyList<RoomTrack>? tracks) => Post(() =>
    {
        if (tracks is null)
        {
            _liveStreams.Remove(participantId);
        }
        else
        {
            _liveStreams[participantId] = tracks;
        }

        if (_participants.TryGetValue(participantId, out var participant)
            && (participant.Tracks is not null || tracks is not null))
        {
            participant.Tracks = tracks;
            Broadcast(RoomEvents.ParticipantUpdated(participant.View()));
        }

        // After the update, so a client that renegotiates already knows the tracks; also when the one whose stream
        // ended has left, since their tile's sections must go.
        foreach (var other in _participants.Values)
        {
            if (other.UsesWebRtc && other.Id != participantId)
            {
                other.Connection.Send(RoomEvents.WebRtcRenegotiate);
            }
        }
    });

    /// <summary>Marks <paramref name="participant"/> as a WebRTC client, which gets webrtc-renegotiate from now on.</summary>
    public void UseWebRtc(Participant participant) => Post(() => participant.UsesWebRtc = true);

    /// <summary>Hub stopping: every connection is aborted and the loop ends.</summary>
    public Task StopAsync()
    {
        Post(() =>
        {
            foreach (var participant in _participants.Values)
            {
                participant.Connection.Abort("hub stopping");
            }

            _participants.Clear();
            Close();
        });
        return Completion;
    }

    private void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _onClosed(this);
        _commands.Writer.TryComplete();
    }

    private void Broadcast(byte[] message)
    {
        foreach (var participant in _participants.Values)
        {
            participant.Connection.Send(message);
        }
    }

    private void BroadcastExcept(Participant except, byte[] message)
    {
        foreach (var participant in _participants.Values)
        {
            if (!ReferenceEquals(participant, except))
            {
                participant.Connection.Send(message);
            }
        }
    }
}
