using Microsoft.Extensions.Logging;
using Parley.Hub.Paths;
using Parley.Hub.Streams;

namespace Parley.Hub.Web;

/// <summary>
/// Keeps one <see cref="StreamFrameSource"/> per live stream that has browser viewers: the first viewer attaches
/// it to the stream, the last one to leave detaches it, so a stream nobody watches in a browser costs nothing here.
/// </summary>
/// <remarks>Attach and detach are rare and take an async lock; the packet path never comes here.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never used holds nothing to dispose; sessions may still detach while the server stops.")]
public sealed class WebSourceRegistry
{
    private readonly PathManager _paths;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, StreamFrameSource> _sources = new(StringComparer.Ordinal);

    /// <summary>Creates the registry over the hub's paths.</summary>
    public WebSourceRegistry(PathManager paths, TimeProvider time, ILogger<WebSourceRegistry> logger)
    {
        _paths = paths;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether the hub serves WHEP, so VP8 streams play in browsers (<see cref="WebPlaybackMode.WebRtc"/>).</summary>
    public bool WebRtc { get; set; } = true;

    /// <summary>
    /// Attaches <paramref name="viewer"/> to the stream on <paramref name="path"/>, creating its source if needed.
    /// </summary>
    /// <returns>The source, or null when no stream a browser can play is live on the path.</returns>
    public async Task<StreamFrameSource?> AttachAsync(string path, WebViewer viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        var stream = await _paths.FindStreamAsync(path);
        if (stream is null || WebPlayback.For(stream, WebRtc).Mode == WebPlaybackMode.None)
        {
            return null;
        }

        await _lock.WaitAsync();
        try
        {
            if (_sources.TryGetValue(path, out var source) && ReferenceEquals(source.Stream, stream) && source.AddViewer(viewer))
            {
                return source;
            }

            source = new StreamFrameSource(stream, _time, WebRtc);
            source.AddViewer(viewer);
            var attached = await _paths.AddReaderAsync(path, source);
            if (!ReferenceEquals(attached, stream))
            {
                // The stream ended or was replaced meanwhile; the viewer retries.
                if (attached is not null)
                {
                    await _paths.RemoveReaderAsync(attached, source, "stream replaced while attaching");
                }

                return null;
            }

            _sources[path] = source;
            _ = WatchAsync(path, source);
            return source;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Detaches <paramref name="viewer"/>; the last viewer of a source detaches the source from its stream.</summary>
    public async Task DetachAsync(StreamFrameSource source, WebViewer viewer, string reason)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(viewer);
        _logger.LogInformation("web viewer {Viewer} left path '{Path}' ({Reason}): {Queued} messages, {Dropped} dropped, {Skipped} skipped",
            viewer.Description, source.Stream.Path, reason, viewer.MessagesQueued, viewer.MessagesDropped, viewer.MessagesSkipped);
        await _lock.WaitAsync();
        try
        {
            if (source.RemoveViewer(viewer) > 0)
            {
                return;
            }

            if (_sources.TryGetValue(source.Stream.Path, out var current) && ReferenceEquals(current, source))
            {
                _sources.Remove(source.Stream.Path);
            }
        }
        finally
        {
            _lock.Release();
        }

        await _paths.RemoveReaderAsync(source.Stream, source, "no web viewers left");
    }

    /// <summary>The source serving <paramref name="path"/> now, if any (for listings).</summary>
    public StreamFrameSource? Find(string path)
    {
        _lock.Wait();
        try
        {
            return _sources.TryGetValue(path, out var source) ? source : null;
        }
        finally
        {
            _lock.Release();
        }
    }

    // When the stream ends (or the source is detached), every viewer's queue completes and the entry goes.
    private async Task WatchAsync(string path, StreamFrameSource source)
    {
        await source.Completion;
        source.CompleteViewers();
        await _lock.WaitAsync();
        try
        {
            if (_sources.TryGetValue(path, out var current) && ReferenceEquals(current, source))
            {
                _sources.Remove(path);
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
