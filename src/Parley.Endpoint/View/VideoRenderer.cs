using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Synthetic;

namespace Parley.Endpoint.View;

/// <summary>
/// Decodes and renders one video track: frames from the receive path are queued (a bounded queue, so a slow
/// decoder drops frames rather than stalling the network), decoded on their own thread (JPEG by libturbojpeg,
/// H.264 and VP8 by GStreamer) and written to the output at arrival + playout delay, where the playout delay is the
/// decoding time plus <see cref="ExtraDelay"/> (the lip-sync correction). Frames carrying the test source's stamp
/// (<see cref="TestPatternGenerator.TryReadStamp"/>) give the capture-to-render latency.
/// </summary>
public sealed class VideoRenderer : IVideoFrameSink, IAsyncDisposable
{
    /// <summary>Frames queued for decoding at most.</summary>
    public const int QueueCapacity = 8;

    private const int ArrivalRingSize = 64;

    private readonly ViewCodec _codec;
    private readonly IMediaSink? _output;
    private readonly TrackStatistics _statistics;
    private readonly ViewClock _clock;
    private readonly Action _keyFrameNeeded;
    private readonly ILogger _logger;
    private readonly Channel<QueuedFrame> _queue = Channel.CreateBounded<QueuedFrame>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, SingleWriter = false });
    private readonly (long MediaTicks, TimeSpan Arrival)[] _arrivals = new (long, TimeSpan)[ArrivalRingSize];
    private readonly CancellationTokenSource _stop = new();
    private readonly GstVideoDecoder? _gst;
    private readonly TurboJpegDecoder? _jpeg;
    private readonly Task _decodeLoop;
    private readonly Task? _outputLoop;
    private byte[] _i420 = [];
    private int _arrivalNext;
    private long _extraDelayTicks;
    private long _baseDelayTicks;
    private bool _waitForKeyFrame;

    /// <summary>Creates the renderer and starts its threads.</summary>
    /// <param name="codec">H.264, VP8 or JPEG.</param>
    /// <param name="output">The video output (already started); null to decode without showing.</param>
    /// <param name="statistics">The run's counters for the track.</param>
    /// <param name="clock">The receiver's clock.</param>
    /// <param name="keyFrameNeeded">Called when a frame had to be dropped or the decoder failed (H.264, VP8: ask for a key frame).</param>
    /// <param name="logger">Decoder trouble at debug; null logs nothing.</param>
    /// <exception cref="CodecException">The decoder (libturbojpeg, GStreamer's avdec_h264 or vp8dec) is missing.</exception>
    public VideoRenderer(ViewCodec codec, IMediaSink? output, TrackStatistics statistics, ViewClock clock, Action keyFrameNeeded, ILogger? logger = null)
    {
        _codec = codec;
        _output = output;
        _statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _keyFrameNeeded = keyFrameNeeded ?? throw new ArgumentNullException(nameof(keyFrameNeeded));
        _logger = logger ?? NullLogger.Instance;
        switch (codec)
        {
            case ViewCodec.Jpeg:
                _jpeg = new TurboJpegDecoder();
                break;
            case ViewCodec.H264 or ViewCodec.Vp8:
                _gst = codec == ViewCodec.H264 ? GstVideoDecoder.ForH264() : GstVideoDecoder.ForVp8();
                _outputLoop = Task.Factory.StartNew(ReadDecodedFrames, TaskCreationOptions.LongRunning);
                break;
            default:
                throw new ArgumentException($"{codec} is not a video codec.", nameof(codec));
        }

        _decodeLoop = Task.Factory.StartNew(DecodeQueuedFrames, TaskCreationOptions.LongRunning);
    }

    /// <summary>Extra playout delay, set by lip sync so video waits for the audio captured with it.</summary>
    public TimeSpan ExtraDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _extraDelayTicks));
        set => Interlocked.Exchange(ref _extraDelayTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>The smoothed time from a frame's arrival to its decoded picture: the playout delay without <see cref="ExtraDelay"/>.</summary>
    public TimeSpan DecodingDelay => TimeSpan.FromTicks(Interlocked.Read(ref _baseDelayTicks));

    /// <summary>Frames decoded and written (or, with no output, decoded).</summary>
    public long FramesRendered { get; private set; }

    /// <inheritdoc/>
    public void OnVideoFrame(in ReceivedVideoFrame frame)
    {
        if (_waitForKeyFrame && !frame.IsKeyFrame)
        {
            _statistics.OnFrameDropped();
            return;
        }

        _waitForKeyFrame = false;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(frame.Data.Length);
        frame.Data.CopyTo(buffer);
        var queued = new QueuedFrame(buffer, frame.Data.Length, frame.MediaTime, frame.Arrival);
        if (!_queue.Writer.TryWrite(queued))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _statistics.OnFrameDropped();
            if (_gst is not null)
            {
                _waitForKeyFrame = true;
                _keyFrameNeeded();
            }
        }
    }

    /// <summary>Stops the threads (frames still queued are dropped) and releases the decoder.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Quietly(_decodeLoop).ConfigureAwait(false);
        if (_outputLoop is not null)
        {
            await Quietly(_outputLoop).ConfigureAwait(false);
        }

        while (_queue.Reader.TryRead(out var left))
        {
            ArrayPool<byte>.Shared.Return(left.Buffer);
        }

        _gst?.Dispose();
        _jpeg?.Dispose();
        _stop.Dispose();
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DecodeQueuedFrames()
    {
        var token = _stop.Token;
        while (await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var frame))
            {
                try
                {
                    Decode(frame);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame.Buffer);
                }
            }
        }
    }

    private void Decode(in QueuedFrame frame)
    {
        var data = frame.Buffer.AsSpan(0, frame.Length);
        if (_jpeg is not null)
        {
            if (!_jpeg.TryReadHeader(data, out var info))
            {
                _statistics.OnDecodeError();
                return;
            }

            int size = I420.GetSize(info.Width, info.Height);
            if (_i420.Length < size)
            {
                _i420 = new byte[size];
            }

            try
            {
                _jpeg.DecodeToI420(data, _i420);
            }
            catch (CodecException e)
            {
                _statistics.OnDecodeError();
                _logger.LogDebug("view: JPEG frame not decodable ({Message})", e.Message);
                return;
            }

            Present(_i420.AsSpan(0, size), info.Width, info.Height, frame.Arrival);
            return;
        }

        lock (_arrivals)
        {
            _arrivals[_arrivalNext] = (frame.MediaTime.Ticks, frame.Arrival);
            _arrivalNext = (_arrivalNext + 1) % ArrivalRingSize;
        }

        if (!_gst!.Decode(data, frame.MediaTime))
        {
            _statistics.OnDecodeError();
            _logger.LogDebug("view: {Codec} decoder failed ({Message}); asking for a key frame", _codec, _gst.LastError);
            _keyFrameNeeded();
        }
    }

    private void ReadDecodedFrames()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            if (!_gst!.TryReadFrame(TimeSpan.FromMilliseconds(100), out var frame))
            {
                continue;
            }

            TimeSpan? arrival = null;
            lock (_arrivals)
            {
                foreach (var (mediaTicks, when) in _arrivals)
                {
                    if (mediaTicks == frame.Timestamp.Ticks)
                    {
                        arrival = when;
                        break;
                    }
                }
            }

            Present(frame.I420Data, frame.Width, frame.Height, arrival ?? _clock.Now);
        }
    }

    private void Present(ReadOnlySpan<byte> i420, int width, int height, TimeSpan arrival)
    {
        var decoded = _clock.Now;
        long baseTicks = (decoded - arrival).Ticks;
        long previous = Interlocked.Read(ref _baseDelayTicks);
        Interlocked.Exchange(ref _baseDelayTicks, previous == 0 ? baseTicks : previous + ((baseTicks - previous) / 8));

        var due = arrival + DecodingDelay + ExtraDelay;
        var wait = due - _clock.Now;
        if (wait > TimeSpan.Zero)
        {
            // Lip sync holds video back by tens of milliseconds at most a second: a sleep is precise enough.
            Thread.Sleep(wait);
        }

        var rendered = _clock.Now;
        _output?.WriteVideo(i420, width, height, rendered);
        FramesRendered++;
        _statistics.OnFramePlayed(rendered - arrival);
        if (TestPatternGenerator.TryReadStamp(i420, width, height, out _, out long captureUnixMs))
        {
            _statistics.OnLatency(_clock.UtcNow - DateTime.UnixEpoch.AddMilliseconds(captureUnixMs));
        }
    }

    private readonly record struct QueuedFrame(byte[] Buffer, int Length, TimeSpan MediaTime, TimeSpan Arrival);
}
