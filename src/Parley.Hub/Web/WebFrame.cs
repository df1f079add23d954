using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Parley.Hub.Web;

/// <summary>
/// One message for browser viewers (a JPEG frame, an Opus packet, an fMP4 segment) built once per stream and shared
/// by every viewer's queue, counted by references like <see cref="Streams.MediaPacket"/>: the bytes live in an
/// <see cref="ArrayPool{T}"/> array and the object itself is pooled, so steady state allocates nothing.
/// </summary>
public sealed class WebFrame
{
    private static readonly ConcurrentQueue<WebFrame> Pool = new();
    private const int MaxPooled = 1024;
    private static int _pooled;

    private byte[] _buffer = [];
    private int _references;

    private WebFrame()
    {
    }

    /// <summary>What the message carries.</summary>
    public WebMessageKind Kind { get; private set; }

    /// <summary>True when a viewer can start at this message (a key frame, a JPEG, an init segment, audio).</summary>
    public bool IsKeyFrame { get; private set; }

    /// <summary>True for audio (Opus packets, audio fMP4 segments).</summary>
    public bool IsAudio { get; private set; }

    /// <summary>Message length in bytes (header and payload).</summary>
    public int Length { get; private set; }

    /// <summary>The whole message: <see cref="WebMessage"/> header, then the payload.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>The payload after the <see cref="WebMessage"/> header.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(WebMessage.HeaderLength, Length - WebMessage.HeaderLength);

    /// <summary>
    /// Rents a frame with room for <paramref name="capacity"/> bytes and one reference owned by the caller, who
    /// fills <see cref="Writable"/> and then calls <see cref="Seal"/>.
    /// </summary>
    public static WebFrame Rent(int capacity)
    {
        if (Pool.TryDequeue(out var frame))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            frame = new WebFrame();
        }

        frame._buffer = ArrayPool<byte>.Shared.Rent(capacity);
        frame._references = 1;
        frame.Length = 0;
        return frame;
    }

    /// <summary>The rented buffer to fill (at least the requested capacity); valid until <see cref="Seal"/>.</summary>
    public Span<byte> Writable => _buffer;

    /// <summary>Marks the message complete with <paramref name="length"/> bytes.</summary>
    public WebFrame Seal(int length, WebMessageKind kind, bool isKeyFrame, bool isAudio)
    {
        Debug.Assert(length <= _buffer.Length);
        Length = length;
        Kind = kind;
        IsKeyFrame = isKeyFrame;
        IsAudio = isAudio;
        return this;
    }

    /// <summary>Takes one more reference; pair every call with <see cref="Release"/>.</summary>
    public void AddRef() => Interlocked.Increment(ref _references);

    /// <summary>Drops one reference; the last one returns the buffer and the object to their pools.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        Debug.Assert(left >= 0, "WebFrame released more often than referenced");
        if (left != 0)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        if (Interlocked.Increment(ref _pooled) <= MaxPooled)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }
}
