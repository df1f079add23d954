using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Hub.Streams;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Paths;

/// <summary>Outcome of asking for a path to publish on.</summary>
public enum PublishReservation
{
    /// <summary>The path is yours.</summary>
    Reserved,

    /// <summary>Another publisher holds the path and take-over is off.</summary>
    Busy,

    /// <summary>The hub is shutting down.</summary>
    Closed,
}

/// <summary>A stream went live on a path or ended; raised by <see cref="PathManager.StreamChanged"/>.</summary>
public sealed class StreamChangedEventArgs(string path, bool isLive, string publisher) : EventArgs
{
    /// <summary>The path, without leading or trailing slash.</summary>
    public string Path { get; } = path;

    /// <summary>True when a stream started on the path, false when it ended.</summary>
    public bool IsLive { get; } = isLive;

    /// <summary>The publisher's description (protocol, address).</summary>
    public string Publisher { get; } = publisher;
}

/// <summary>
/// Owns every path of the hub: who publishes where, which stream is live, who reads it. All changes run on one
/// loop that takes commands from a channel (DESIGN.md §3: one owner per path); callers post and await the answer.
/// The packet path never comes here: it talks to <see cref="MediaStream"/> directly.
/// </summary>
public sealed class PathManager : IAsyncDisposable
{
    private readonly Channel<Action> _commands = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, PathState> _paths = new(StringComparer.Ordinal);
    private readonly MediaPacketPool _pool;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _allowTakeover;
    private readonly Task _loop;
    private bool _closed;

    /// <summary>Starts the owner loop.</summary>
    /// <param name="allowTakeover">When true, a new publisher replaces the current one instead of being refused.</param>
    /// <param name="pool">Packet buffers shared by every stream.</param>
    /// <param name="time">Clock for statistics and reports.</param>
    /// <param name="logger">Where publishers and readers coming and going are logged.</param>
    public PathManager(bool allowTakeover, MediaPacketPool pool, TimeProvider time, ILogger<PathManager> logger)
    {
        _allowTakeover = allowTakeover;
        _pool = pool;
        _time = time;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        await foreach (var command in _commands.Reader.ReadAllAsync())
        {
            command();
        }
    }

    private Task<T> PostAsync<T>(Func<T> work, bool skipWhenStopped = false)
    {
        var reply = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_commands.Writer.TryWrite(() =>
        {
            try
            {
                reply.SetResult(work());
            }
#pragma warning disable CA1031 // The owner loop must survive a failing command; the caller gets the exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                reply.SetException(ex);
            }
        }))
        {
            // Leaving after the manager stopped is no error: every path has ended already.
            if (skipWhenStopped)
            {
                reply.SetResult(default!);
            }
            else
            {
                reply.SetException(new ObjectDisposedException(nameof(PathManager)));
            }
        }

        return reply.Task;
    }

    /// <summary>
    /// Raised on the owner loop when a publisher's stream starts or ends, after it is logged. Handlers must return
    /// quickly and must not await the path manager (post work elsewhere); an exception in a handler is logged.
    /// </summary>
    public event EventHandler<StreamChangedEventArgs>? StreamChanged;

    private void RaiseStreamChanged(string path, bool isLive, IStreamPublisher? publisher)
    {
        try
        {
            StreamChanged?.Invoke(this, new StreamChangedEventArgs(path, isLive, publisher?.Description ?? ""));
        }
#pragma warning disable CA1031 // A failing subscriber must not take the owner loop down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "a StreamChanged handler failed for path '{Path}'", path);
        }
    }

    /// <summary>Reserves <paramref name="path"/> for <paramref name="publisher"/> (RTSP ANNOUNCE).</summary>
    public Task<PublishReservation> ReserveAsync(string path, IStreamPublisher publisher) => PostAsync(() =>
    {
        if (_closed)
        {
            return PublishReservation.Closed;
        }

        if (_paths.TryGetValue(path, out var state) && state.Publisher is not null && !ReferenceEquals(state.Publisher, publisher))
        {
            if (!_allowTakeover)
            {
                _logger.LogWarning("publisher {Publisher} refused on path '{Path}': {Current} is publishing there",
                    publisher.Description, path, state.Publisher.Description);
                return PublishReservation.Busy;
            }

            _logger.LogInformation("publisher {Publisher} takes over path '{Path}' from {Current}",
                publisher.Description, path, state.Publisher.Description);
            var previous = state.Publisher;
            EndStream(path, state, "taken over");
            previous.Kick("another publisher took over the path");
        }

        _paths[path] = new PathState { Publisher = publisher };
        return PublishReservation.Reserved;
    });

    /// <summary>
    /// Starts the stream of a reserved path (RTSP RECORD). Returns null if <paramref name="publisher"/> no longer
    /// holds the path.
    /// </summary>
    public Task<MediaStream?> StartStreamAsync(string path, IStreamPublisher publisher, SdpSession description) => PostAsync(() =>
    {
        if (!_paths.TryGetValue(path, out var state) || !ReferenceEquals(state.Publisher, publisher))
        {
            return null;
        }

        if (state.Stream is not null)
        {
            state.Stream.Close();
            RaiseStreamChanged(path, isLive: false, publisher);
        }

        state.Stream = new MediaStream(path, description, publisher, _pool, _time);
        _logger.LogInformation("publisher {Publisher} started on path '{Path}': {Codecs}",
            publisher.Description, path, state.Stream.CodecSummary);
        RaiseStreamChanged(path, isLive: true, publisher);
        return state.Stream;
    });

    /// <summary>Releases the path held by <paramref name="publisher"/>; its readers end with RTCP BYE.</summary>
    public Task RemovePublisherAsync(string path, IStreamPublisher publisher, string reason) => PostAsync(() =>
    {
        if (_paths.TryGetValue(path, out var state) && ReferenceEquals(state.Publisher, publisher))
        {
            EndStream(path, state, reason);
            _paths.Remove(path);
        }

        return true;
    }, skipWhenStopped: true);

    /// <summary>The live stream on <paramref name="path"/>, or null.</summary>
    public Task<MediaStream?> FindStreamAsync(string path) =>
        PostAsync(() => _paths.TryGetValue(path, out var state) ? state.Stream : null);

    /// <summary>Every live stream, for listings and metrics.</summary>
    public Task<IReadOnlyList<MediaStream>> ListStreamsAsync() =>
        PostAsync<IReadOnlyList<MediaStream>>(() => [.. _paths.Values.Select(s => s.Stream).OfType<MediaStream>()]);

    /// <summary>Attaches <paramref name="reader"/> to the live stream on <paramref name="path"/>; null if there is none.</summary>
    public Task<MediaStream?> AddReaderAsync(string path, MediaStreamReader reader) => PostAsync(() =>
    {
        if (!_paths.TryGetValue(path, out var state) || state.Stream is not { } stream || !stream.AddReader(reader))
        {
            return null;
        }

        _logger.LogInformation("reader {Reader} joined path '{Path}' ({Codecs}); {Count} reader(s)",
            reader.Description, path, stream.CodecSummary, stream.ReaderCount);
        return stream;
    });

    /// <summary>Detaches <paramref name="reader"/> from <paramref name="stream"/>.</summary>
    public Task RemoveReaderAsync(MediaStream stream, MediaStreamReader reader, string reason) => PostAsync(() =>
    {
        // Readers of an ended stream are no longer attached; they leave all the same, so log them too.
        stream.RemoveReader(reader);
        _logger.LogInformation("reader {Reader} left path '{Path}' ({Reason}): {Queued} packets, {Dropped} dropped, {Skipped} skipped; {Count} reader(s)",
            reader.Description, stream.Path, reason, reader.PacketsQueued, reader.PacketsDropped, reader.PacketsSkipped, stream.ReaderCount);

        return true;
    }, skipWhenStopped: true);

    private void EndStream(string path, PathState state, string reason)
    {
        if (state.Stream is { } stream)
        {
            _logger.LogInformation("publisher {Publisher} left path '{Path}' ({Reason}): {Packets} packets, {Bytes} bytes, {Lost} lost, {Malformed} malformed; ending {Readers} reader(s)",
                state.Publisher?.Description, path, reason, stream.PacketsReceived, stream.BytesReceived,
                stream.Tracks.Sum(t => t.Statistics.CumulativeLost), stream.MalformedPackets, stream.ReaderCount);
            stream.Close();
            RaiseStreamChanged(path, isLive: false, state.Publisher);
        }
        else if (state.Publisher is not null)
        {
            _logger.LogInformation("publisher {Publisher} released path '{Path}' before recording ({Reason})", state.Publisher.Description, path, reason);
        }

        state.Stream = null;
        state.Publisher = null;
    }

    /// <summary>Ends every stream (readers get RTCP BYE) and stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        await PostAsync(() =>
        {
            _closed = true;
            foreach (var (path, state) in _paths)
            {
                EndStream(path, state, "hub stopping");
            }

            _paths.Clear();
            return true;
        });
        _commands.Writer.TryComplete();
        await _loop;
    }

    private sealed class PathState
    {
        public IStreamPublisher? Publisher { get; set; }

        public MediaStream? Stream { get; set; }
    }
}
