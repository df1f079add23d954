using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Synthetic;

namespace Parley.Endpoint.View;

/// <summary>
/// Decodes and renders one video track: frames from the receive path are queued still encoded, held until
/// arrival + <see cref="ExtraDelay"/> (the lip-sync correction), decoded on their own thread (JPEG by libturbojpeg,
/// H.264 and VP8 by GStreamer) and written to the output as soon as they are decoded, so a frame renders at
/// arrival + <see cref="ExtraDelay"/> + its decoding time. A decoder that falls behind drops frames rather than
/// stalling the network or building up delay: a JPEG frame that would start decoding more than
/// <see cref="MaxLateness"/> after its time is dropped, and so is any frame that finds the queue full (H.264 and VP8
/// then wait for a key frame and ask for one). Frames carrying the test source's stamp
/// (<see cref="TestPatternGenerator.TryReadStamp"/>) give the capture-to-render latency.
/// </summary>
public sealed class VideoRenderer : IVideoFrameSink, IAsyncDisposable
{
    /// <summary>
    /// Frames queued for decoding at most: enough for the longest lip-sync hold (<see cref="Parley.Media.Sync.LipSync.DefaultMaxCorrection"/>,
    /// 1 s) at 60 frames per second. They wait encoded (tens of kilobytes each), not decoded.
    /// </summary>
    public const int QueueCapacity = 64;

    /// <summary>How late a JPEG frame may start decoding before it is dropped as late (the decoder is behind).</summary>
    public static readonly TimeSpan MaxLateness = TimeSpan.FromMilliseconds(200);

    private const int ArrivalRingSize = 64;

    private readonly ViewCodec _codec;
    private readonly IMediaSink? _output;
    private readonly TrackStatistics _statistics;
    private readonly ViewClock _clock;
    private readonly Action _keyFrameNeeded;
    private readonly ILogger _logger;
    // Taken by a thread of its own that waits (holds, decoders): never a thread-pool thread, which the receive path
    // and timers need. Never completed for adding: stopping cancels the taker.
    private readonly BlockingCollection<QueuedFrame> _queue = new(new ConcurrentQueue<QueuedFrame>(), QueueCapacity);
    private readonly (long MediaTicks, TimeSpan Arrival, TimeSpan Due)[] _arrivals = new (long, TimeSpan, TimeSpan)[ArrivalRingSize];
    private readonly CancellationTokenSource _stop = new();
    private readonly GstVideoDecoder? _gst;
    private readonly TurboJpegDecoder? _jpeg;
    private readonly Thread _decodeThread;
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

        _decodeThread = new Thread(DecodeQueuedFrames) { IsBackground = true, Name = $"parley view: {codec} decoding" };
        _decodeThread.Start();
    }

    /// <summary>Extra playout delay, set by lip sync so video waits for the audio captured with it.</summary>
    public TimeSpan ExtraDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _extraDelayTicks));
        set => Interlocked.Exchange(ref _extraDelayTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>
    /// The smoothed time from a frame's time (arrival + <see cref="ExtraDelay"/>) to its picture: decoding, and
    /// waiting for a busy decoder. The playout delay without <see cref="ExtraDelay"/>, which lip sync compares with
    /// audio. The hold itself is not part of it, and when a frame renders does not depend on it (it once did, and a
    /// frame queued behind a held one counted the hold, so the delay fed on itself).
    /// </summary>
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
        var queued = new QueuedFrame(buffer, frame.Data.Length, frame.MediaTime, frame.Arrival, ExtraDelay);
        if (_stop.IsCancellationRequested || !_queue.TryAdd(queued))
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
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.Run(_decodeThread.Join).ConfigureAwait(false);
        if (_outputLoop is not null)
        {
            await Quietly(_outputLoop).ConfigureAwait(false);
        }

        while (_queue.TryTake(out var left))
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

    private void DecodeQueuedFrames()
    {
        try
        {
            foreach (var frame in _queue.GetConsumingEnumerable(_stop.Token))
            {
                try
                {
                    if (Hold(frame, out var due))
                    {
                        Decode(frame, due);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A frame or the output failed (CodecException, for one): nothing may end the process from this
                    // thread, and the next frame may go.
                    NotRendered(e);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame.Buffer);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Waits until the frame's time, <paramref name="due"/> = arrival + <see cref="ExtraDelay"/>. False when it is
    /// not to be decoded: the renderer is stopping, or a JPEG frame would start decoding more than
    /// <see cref="MaxLateness"/> after its time (the decoder is behind; a hold lowered while the frame waited does
    /// not count as lateness). H.264 and VP8 frames are never dropped here: each depends on the ones before it, and
    /// the GStreamer decoder takes them without waiting.
    /// </summary>
    private bool Hold(in QueuedFrame frame, out TimeSpan due)
    {
        var hold = ExtraDelay;
        due = frame.Arrival + hold;
        var wait = due - _clock.Now;
        if (wait > TimeSpan.Zero)
        {
            // Lip sync holds video back by tens of milliseconds, at most a second: a wait is precise enough
            // (rounded up to whole milliseconds, so it never ends early).
            return !_stop.Token.WaitHandle.WaitOne((int)Math.Ceiling(wait.TotalMilliseconds));
        }

        // Lateness counts from the later of the hold now and the hold when the frame was queued.
        var latestDue = frame.Arrival + (frame.HoldWhenQueued > hold ? frame.HoldWhenQueued : hold);
        if (_jpeg is not null && _clock.Now - latestDue > MaxLateness)
        {
            _statistics.OnFrameDropped();
            return false;
        }

        return true;
    }

    private void Decode(in QueuedFrame frame, TimeSpan due)
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

            Present(_i420.AsSpan(0, size), info.Width, info.Height, frame.Arrival, due);
            return;
        }

        lock (_arrivals)
        {
            _arrivals[_arrivalNext] = (frame.MediaTime.Ticks, frame.Arrival, due);
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

            (TimeSpan Arrival, TimeSpan Due)? times = null;
            lock (_arrivals)
            {
                foreach (var (mediaTicks, arrival, due) in _arrivals)
                {
                    if (mediaTicks == frame.Timestamp.Ticks)
                    {
                        times = (arrival, due);
                        break;
                    }
                }
            }

            var now = _clock.Now;
            try
            {
                Present(frame.I420Data, frame.Width, frame.Height, times?.Arrival ?? now, times?.Due ?? now);
            }
            catch (CodecException e)
            {
                // The output failed to take the picture: rendering goes on with the next one.
                NotRendered(e);
            }
        }
    }

    private void NotRendered(Exception e)
    {
        _statistics.OnDecodeError();
        _logger.LogDebug("view: a {Codec} frame was not rendered ({Message})", _codec, e.Message);
    }

    private void Present(ReadOnlySpan<byte> i420, int width, int height, TimeSpan arrival, TimeSpan due)
    {
        var rendered = _clock.Now;
        long baseTicks = (rendered - due).Ticks;
        long previous = Interlocked.Read(ref _baseDelayTicks);
        Interlocked.Exchange(ref _baseDelayTicks, previous == 0 ? baseTicks : previous + ((baseTicks - previous) / 8));

        _output?.WriteVideo(i420, width, height, rendered);
        FramesRendered++;
        _statistics.OnFramePlayed(rendered - arrival);
        if (TestPatternGenerator.TryReadStamp(i420, width, height, out _, out long captureUnixMs))
        {
            _statistics.OnLatency(_clock.UtcNow - DateTime.UnixEpoch.AddMilliseconds(captureUnixMs));
        }
    }

    /// <summary>An encoded frame waiting to be decoded, with the lip-sync hold in force when it was queued.</summary>
    private readonly record struct QueuedFrame(byte[] Buffer, int Length, TimeSpan MediaTime, TimeSpan Arrival, TimeSpan HoldWhenQueued);
}
