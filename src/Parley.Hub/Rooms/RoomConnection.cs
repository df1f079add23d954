using System.Threading.Channels;

namespace Parley.Hub.Rooms;

/// <summary>
/// The hub's side of one client connection as rooms see it: a bounded queue of outgoing messages, drained by the
/// connection's own writer task, so a room's loop never waits for a client's socket. A client too slow to take
/// its messages is disconnected (<see cref="Aborted"/>) rather than silently missing chat.
/// </summary>
public sealed class RoomConnection : IDisposable
{
    /// <summary>
    /// Outgoing messages a connection may have queued. Presence and chat are small and rare (a full room of 16
    /// sending bursts of 10 is 160 messages); 512 is a client stuck for seconds, not a slow one.
    /// </summary>
    public const int QueueMessages = 512;

    private readonly Channel<ReadOnlyMemory<byte>> _outbound = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(QueueMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _aborted = new();
    private string? _abortReason;
    private int _completed;

    /// <summary>Creates the connection's queue.</summary>
    /// <param name="description">For logs: "websocket 127.0.0.1:50000".</param>
    public RoomConnection(string description) => Description = description;

    /// <summary>For logs: protocol and remote address.</summary>
    public string Description { get; }

    /// <summary>The queue the writer task drains, oldest first.</summary>
    public ChannelReader<ReadOnlyMemory<byte>> Outbound => _outbound.Reader;

    /// <summary>Cancelled when the connection must end at once (queue overflow, send failure, hub stopping).</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Why <see cref="Abort"/> was called; null while it was not.</summary>
    public string? AbortReason => Volatile.Read(ref _abortReason);

    /// <summary>
    /// Queues one message (UTF-8 JSON) without waiting. Returns false when the connection is finishing, or when
    /// the queue is full, in which case the connection is aborted: better a client that reconnects and gets the
    /// history than one that silently lost part of the chat.
    /// </summary>
    public bool Send(ReadOnlyMemory<byte> message)
    {
        if (_outbound.Writer.TryWrite(message))
        {
            return true;
        }

        if (Volatile.Read(ref _completed) == 0)
        {
            Abort($"more than {QueueMessages} messages queued for it (the client is not reading)");
        }

        return false;
    }

    /// <summary>No more messages: the writer sends what is queued, then the connection may close.</summary>
    public void Complete()
    {
        Volatile.Write(ref _completed, 1);
        _outbound.Writer.TryComplete();
    }

    /// <summary>Ends the connection now; queued messages are dropped. The first reason wins.</summary>
    public void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _abortReason, reason, null);
        Complete();
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished: nothing left to abort.
        }
    }

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose() => _aborted.Dispose();
}
