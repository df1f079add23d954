using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Hub.Configuration;
using Parley.Hub.Paths;
using Parley.Hub.Streams;
using Parley.Hub.Web;

namespace Parley.Hub.Rooms;

/// <summary>What came of a join: the participant and its room, or an error for the client.</summary>
/// <param name="Participant">Who joined; null on error.</param>
/// <param name="ErrorCode">A <see cref="RoomErrorCodes"/> value; null on success.</param>
/// <param name="ErrorMessage">The sentence for people that goes with the code.</param>
public sealed record RoomJoinResult(Participant? Participant, string? ErrorCode, string? ErrorMessage)
{
    internal Room? Room { get; init; }
}

/// <summary>
/// Owns the hub's rooms: creates a room on its first join (at most rooms.maxRooms at once), forgets it when it
/// empties, holds the chat store, and turns stream changes on <c>&lt;room&gt;/&lt;participantId&gt;</c> paths into
/// track announcements for the room. Room state itself lives in each <see cref="Room"/>'s loop.
/// </summary>
public sealed class RoomManager : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<RoomTrack>> _liveStreams = new(StringComparer.Ordinal);
    private readonly Channel<string> _streamChanges = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PathManager _paths;
    private readonly (int Plain, int Tls) _rtspPorts;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Task _streamPump;
    private bool _stopped;

    /// <summary>Opens the chat store and starts following the paths.</summary>
    /// <param name="options">Limits and the database path.</param>
    /// <param name="paths">The hub's paths; their stream changes become track announcements.</param>
    /// <param name="rtspPort">The RTSP port clients publish to, told in <c>welcome</c>.</param>
    /// <param name="rtspsPort">The RTSPS port, told in <c>welcome</c> so remote participants encrypt; 0 for none.</param>
    /// <param name="time">The clock for join and chat times.</param>
    /// <param name="loggerFactory">Joins and leaves are logged at information.</param>
    /// <exception cref="InvalidOperationException">The database cannot be opened.</exception>
    public RoomManager(HubOptions.RoomsSection options, PathManager paths, int rtspPort, int rtspsPort, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Options = options;
        _paths = paths;
        _rtspPorts = (rtspPort, rtspsPort);
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<RoomManager>();
        Store = ChatStore.Open(options.Database);
        _logger.LogInformation("rooms: chat history in {Database}", Store.Path);
        _paths.StreamChanged += OnStreamChanged;
        _streamPump = Task.Run(PumpStreamChangesAsync);
    }

    /// <summary>The limits in force.</summary>
    public HubOptions.RoomsSection Options { get; }

    /// <summary>The chat history database.</summary>
    public ChatStore Store { get; }

    /// <summary>Rooms open now (with at least one participant, or just being joined).</summary>
    public int RoomCount
    {
        get
        {
            lock (_lock)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>
    /// Joins <paramref name="displayName"/> (already checked with <see cref="RoomNames.NormalizeDisplayName"/>) to
    /// <paramref name="room"/> (a valid room name), creating the room if needed. On success the welcome is queued
    /// on <paramref name="connection"/> and everyone else is told.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The hub is stopping.</exception>
    public async Task<RoomJoinResult> JoinAsync(string room, string displayName, RoomConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // A room that closed as it was found is gone from the table by the time it answers; the next try makes a new one.
        for (int attempt = 0; ; attempt++)
        {
            Room? target;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_stopped, this);

                if (!_rooms.TryGetValue(room, out target))
                {
                    if (_rooms.Count >= Options.MaxRooms)
                    {
                        _logger.LogWarning("rooms: {Connection} refused creating room '{Room}': {Max} rooms are open (rooms.maxRooms)",
                            connection.Description, room, Options.MaxRooms);
                        return new RoomJoinResult(null, RoomErrorCodes.TooManyRooms,
                            $"The hub already has {Options.MaxRooms} rooms open, its limit; join an existing room or try again later.");
                    }

                    string prefix = room + "/";
                    var live = _liveStreams.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal))
                        .ToDictionary(s => s.Key[prefix.Length..], s => s.Value, StringComparer.Ordinal);
                    target = new Room(room, Options, Store, _rtspPorts, live, OnRoomClosed, _time, _loggerFactory.CreateLogger<Room>());
                    _rooms.Add(room, target);
                }
            }

            var (outcome, participant) = await target.JoinAsync(displayName, connection);
            switch (outcome)
            {
                case RoomJoinOutcome.Joined:
                    return new RoomJoinResult(participant, null, null) { Room = target };
                case RoomJoinOutcome.Full:
                    _logger.LogWarning("room '{Room}': {Connection} refused: {Max} participants present (rooms.maxParticipants)",
                        room, connection.Description, Options.MaxParticipants);
                    return new RoomJoinResult(null, RoomErrorCodes.RoomFull,
                        $"The room '{room}' is full ({Options.MaxParticipants} participants); try again later.");
                default:
                    if (attempt > 100)
                    {
                        throw new InvalidOperationException($"room '{room}' kept closing while being joined");
                    }

                    continue;
            }
        }
    }

    private void OnRoomClosed(Room room)
    {
        lock (_lock)
        {
            if (_rooms.TryGetValue(room.Name, out var current) && ReferenceEquals(current, room))
            {
                _rooms.Remove(room.Name);
            }
        }

        _logger.LogDebug("room '{Room}' closed", room.Name);
    }

    // Raised on the path loop, which must not wait: the path goes to the pump, which asks for the stream itself.
    private void OnStreamChanged(object? sender, StreamChangedEventArgs e)
    {
        int slash = e.Path.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && e.Path.IndexOf('/', slash + 1) < 0 && RoomNames.IsValidRoom(e.Path[..slash]))
        {
            _streamChanges.Writer.TryWrite(e.Path);
        }
    }

    // One change at a time, each answered with the path's state now: a later change never loses to an earlier one.
    private async Task PumpStreamChangesAsync()
    {
        await foreach (string path in _streamChanges.Reader.ReadAllAsync())
        {
            MediaStream? stream;
            try
            {
                stream = await _paths.FindStreamAsync(path);
            }
            catch (ObjectDisposedException)
            {
                stream = null;
            }

            IReadOnlyList<RoomTrack>? tracks = stream is null ? null : DescribeTracks(stream);
            int slash = path.IndexOf('/', StringComparison.Ordinal);
            Room? room;
            lock (_lock)
            {
                if (tracks is null)
                {
                    _liveStreams.Remove(path);
                }
                else
                {
                    _liveStreams[path] = tracks;
                }

                _rooms.TryGetValue(path[..slash], out room);
            }

            room?.StreamChanged(path[(slash + 1)..], tracks);
        }
    }

    /// <summary>A stream's tracks as the protocol announces them; dimensions from the SDP where it has them.</summary>
    public static IReadOnlyList<RoomTrack> DescribeTracks(MediaStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return [.. stream.Tracks.Select(t =>
        {
            var (width, height) = t.IsVideo ? StreamCatalog.SdpDimensions(t) : (0, 0);
            return new RoomTrack(t.MediaType, t.EncodingName, width > 0 ? width : null, height > 0 ? height : null, t.ClockRate);
        })];
    }

    /// <summary>Closes every room (connections are aborted), stops following paths and closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Room> rooms;
        lock (_lock)
        {
            _stopped = true;
            rooms = [.. _rooms.Values];
        }

        _paths.StreamChanged -= OnStreamChanged;
        _streamChanges.Writer.TryComplete();
        await Task.WhenAll(rooms.Select(r => r.StopAsync()));
        await _streamPump;
        Store.Dispose();
    }
}
