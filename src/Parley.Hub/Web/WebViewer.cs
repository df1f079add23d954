using System.Threading.Channels;

namespace Parley.Hub.Web;

/// <summary>
/// One browser viewer of a <see cref="StreamFrameSource"/>: a bounded queue of shared <see cref="WebFrame"/>s that
/// the source fills on the publisher's thread and the viewer's connection drains. A full queue drops the message
/// and counts it, and video then waits for the next key frame, so a slow viewer never blocks the stream or other
/// viewers and never decodes a broken frame.
/// </summary>
public sealed class WebViewer
{
    private readonly Channel<WebFrame> _queue;
    private readonly bool _jpegOnly;
    private bool _waitingKey = true;
    private bool _needsInit = true;
    private long _queued;
    private long _dropped;
    private long _skipped;

    /// <summary>Creates a viewer.</summary>
    /// <param name="description">For log lines: protocol and remote address.</param>
    /// <param name="queueCapacity">Queue length in messages, at least 1.</param>
    /// <param name="jpegOnly">True for MJPEG-over-HTTP viewers, which take JPEG frames only.</param>
    /// <exception cref="ArgumentOutOfRangeException">queueCapacity below 1.</exception>
    public WebViewer(string description, int queueCapacity, bool jpegOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        Description = description;
        _jpegOnly = jpegOnly;
        _queue = Channel.CreateBounded<WebFrame>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>Protocol and remote address, for logs.</summary>
    public string Description { get; }

    /// <summary>The queue the connection drains; completes when the stream ends. Release every frame read.</summary>
    public ChannelReader<WebFrame> Frames => _queue.Reader;

    /// <summary>Messages queued so far.</summary>
    public long MessagesQueued => Interlocked.Read(ref _queued);

    /// <summary>Messages dropped because the queue was full.</summary>
    public long MessagesDropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages skipped while waiting for a key frame (at the start and after a drop).</summary>
    public long MessagesSkipped => Interlocked.Read(ref _skipped);

    /// <summary>
    /// Offers one message, on the publisher's thread; never blocks. <paramref name="currentInit"/> is the stream's
    /// current fMP4 init segment (null in JPEG mode), queued ahead of the first key frame a viewer gets.
    /// </summary>
    internal void Offer(WebFrame frame, WebFrame? currentInit, bool streamHasVideo)
    {
        if (_jpegOnly && frame.Kind != WebMessageKind.Jpeg)
        {
            return;
        }

        // Video gates where a viewer starts; audio does too when there is no video.
        bool gates = !frame.IsAudio || !streamHasVideo;
        if (gates && _waitingKey)
        {
            if (!frame.IsKeyFrame)
            {
                Interlocked.Increment(ref _skipped);
                return;
            }

            if (currentInit is not null && _needsInit)
            {
                if (!TryWrite(currentInit))
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }

                _needsInit = false;
            }

            _waitingKey = false;
        }
        else if (!gates && _waitingKey && currentInit is not null)
        {
            // An MSE timeline starts at the video key frame; earlier audio would only open a gap.
            Interlocked.Increment(ref _skipped);
            return;
        }

        if (!TryWrite(frame))
        {
            Interlocked.Increment(ref _dropped);
            if (gates)
            {
                _waitingKey = true;
            }
        }
    }

    /// <summary>The stream's codec configuration changed: send the new init segment before the next key frame.</summary>
    internal void InitChanged()
    {
        _needsInit = true;
        _waitingKey = true;
    }

    /// <summary>Ends the queue: the connection sends what is queued and closes.</summary>
    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>Releases what is left in the queue after the connection stopped.</summary>
    public void DrainAndRelease()
    {
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var frame))
        {
            frame.Release();
        }
    }

    private bool TryWrite(WebFrame frame)
    {
        frame.AddRef();
        if (_queue.Writer.TryWrite(frame))
        {
            Interlocked.Increment(ref _queued);
            return true;
        }

        frame.Release();
        return false;
    }
}
