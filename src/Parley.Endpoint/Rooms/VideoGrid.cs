using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;

namespace Parley.Endpoint.Rooms;

/// <summary>
/// Shows several decoded video streams as one picture: each remote participant's renderer writes into its own
/// <see cref="VideoTile"/> (an <see cref="IMediaSink"/>, so the view pipeline is the same as `parley view`'s), and a
/// compositing thread draws the tiles that changed into one I420 canvas (<see cref="GridLayout"/>,
/// <see cref="I420Canvas"/>) and writes it to the single video output, at most <see cref="FrameRate"/> times a second.
/// Adding or removing a tile re-lays out the grid from a black canvas.
/// </summary>
public sealed class VideoGrid : IDisposable
{
    /// <summary>Canvas writes per second at most.</summary>
    public const int FrameRate = 30;

    private readonly IMediaSink? _output;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly byte[] _canvas;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _thread;
    private List<VideoTile> _tiles = [];
    private bool _relayout = true;

    /// <summary>Creates the grid and starts its compositing thread.</summary>
    /// <param name="output">The video output (already started); the grid writes to it and does not dispose it. Null
    /// starts no thread: the canvas is drawn only by <see cref="Compose"/> calls (tests).</param>
    /// <param name="canvasWidth">Canvas width in pixels (even).</param>
    /// <param name="canvasHeight">Canvas height in pixels (even).</param>
    /// <param name="logger">Output failures; null logs nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException">The canvas is odd or smaller than 2×2.</exception>
    public VideoGrid(IMediaSink? output, int canvasWidth, int canvasHeight, ILogger? logger = null)
    {
        _output = output;
        GridLayout.CheckCanvas(canvasWidth, canvasHeight);
        Width = canvasWidth;
        Height = canvasHeight;
        _canvas = new byte[I420.GetSize(canvasWidth, canvasHeight)];
        _logger = logger ?? NullLogger.Instance;
        if (output is not null)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "parley video grid" };
            _thread.Start();
        }
    }

    /// <summary>Canvas width in pixels.</summary>
    public int Width { get; }

    /// <summary>Canvas height in pixels.</summary>
    public int Height { get; }

    /// <summary>Canvases written to the output.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>Adds a tile at the end of the grid; the grid re-lays out at its next frame.</summary>
    /// <param name="name">Who it shows (for logs).</param>
    public VideoTile AddTile(string name)
    {
        var tile = new VideoTile(name);
        lock (_gate)
        {
            _tiles = [.. _tiles, tile];
            _relayout = true;
        }

        return tile;
    }

    /// <summary>Removes a tile; the others move up at the next frame.</summary>
    public void RemoveTile(VideoTile tile)
    {
        lock (_gate)
        {
            _tiles = _tiles.Where(t => !ReferenceEquals(t, tile)).ToList();
            _relayout = true;
        }
    }

    /// <summary>
    /// Draws the canvas once: on a re-layout everything from black, otherwise only tiles with a new picture.
    /// The compositing thread calls this; without an output, tests call it directly. One caller at a time.
    /// </summary>
    /// <param name="canvas">Receives the canvas when something was drawn (valid until the next call).</param>
    /// <returns>True when the canvas changed.</returns>
    public bool Compose(out ReadOnlySpan<byte> canvas)
    {
        List<VideoTile> tiles;
        bool relayout;
        lock (_gate)
        {
            tiles = _tiles;
            relayout = _relayout;
            _relayout = false;
        }

        var cells = GridLayout.Cells(tiles.Count, Width, Height);
        bool drawn = relayout;
        if (relayout)
        {
            I420Canvas.Fill(_canvas, Width, Height, new GridRect(0, 0, Width, Height));
        }

        for (int i = 0; i < tiles.Count; i++)
        {
            drawn |= tiles[i].DrawInto(_canvas, Width, Height, cells[i], relayout);
        }

        canvas = _canvas;
        return drawn;
    }

    /// <summary>Stops the compositing thread (the output is the caller's).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        var interval = TimeSpan.FromSeconds(1.0 / FrameRate);
        var started = DateTime.UtcNow;
        while (!_stop.Token.WaitHandle.WaitOne(interval))
        {
            try
            {
                if (Compose(out var canvas))
                {
                    _output!.WriteVideo(canvas, Width, Height, DateTime.UtcNow - started);
                    FramesWritten++;
                }
            }
            catch (CodecException e)
            {
                _logger.LogWarning("call: the video output failed ({Message}); not showing video any more", e.Message);
                return;
            }
        }
    }
}

/// <summary>
/// One participant's place in a <see cref="VideoGrid"/>: a video-only <see cref="IMediaSink"/> that keeps the latest
/// decoded picture (copied; the renderer's buffer is reused) for the compositing thread.
/// </summary>
public sealed class VideoTile : IMediaSink
{
    private readonly Lock _gate = new();
    private byte[] _picture = [];
    private int _width;
    private int _height;
    private bool _fresh;
    private GridRect _drawnAt;

    internal VideoTile(string name) => Name = name;

    /// <summary>Who the tile shows.</summary>
    public string Name { get; }

    /// <summary>Pictures written to the tile.</summary>
    public long FramesWritten { get; private set; }

    /// <inheritdoc/>
    public void Start()
    {
    }

    /// <inheritdoc/>
    public bool WriteVideo(ReadOnlySpan<byte> i420, int width, int height, TimeSpan timestamp)
    {
        int size = I420.GetSize(width, height);
        lock (_gate)
        {
            if (_picture.Length < size)
            {
                _picture = new byte[size];
            }

            i420[..size].CopyTo(_picture);
            (_width, _height, _fresh) = (width, height, true);
            FramesWritten++;
        }

        return true;
    }

    /// <inheritdoc/>
    public bool WriteAudio(ReadOnlySpan<short> samples, TimeSpan timestamp) => false;

    /// <inheritdoc/>
    public bool Complete(TimeSpan timeout) => true;

    /// <summary>Nothing to release: the tile is memory only.</summary>
    public void Dispose()
    {
    }

    // Draws the latest picture letterboxed into its cell when it is new or the layout changed; true when drawn.
    internal bool DrawInto(Span<byte> canvas, int canvasWidth, int canvasHeight, GridRect cell, bool relayout)
    {
        lock (_gate)
        {
            if (_width == 0 || (!_fresh && !relayout))
            {
                return false;
            }

            var fit = GridLayout.Fit(cell, _width, _height);
            if (!relayout && fit != _drawnAt)
            {
                I420Canvas.Fill(canvas, canvasWidth, canvasHeight, cell); // the picture changed shape: clear the old bars
            }

            I420Canvas.Scale(_picture, _width, _height, canvas, canvasWidth, canvasHeight, fit);
            _drawnAt = fit;
            _fresh = false;
            return true;
        }
    }
}
