using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace Parley.Security.Dtls;

/// <summary>
/// BouncyCastle's blocking <see cref="DatagramTransport"/> over a queue that the socket side fills, so DTLS runs
/// on datagrams the ICE demultiplexer hands over (RFC 7983) instead of owning a socket.
/// </summary>
internal sealed class DatagramQueueTransport : DatagramTransport, IDisposable
{
    private readonly BlockingCollection<byte[]> _incoming;
    private readonly IDatagramSender _sender;
    private readonly int _maxDatagramSize;
    private readonly CancellationTokenSource _closed = new();
    private long _dropped;

    public DatagramQueueTransport(IDatagramSender sender, int maxDatagramSize, int capacity)
    {
        _sender = sender;
        _maxDatagramSize = maxDatagramSize;
        _incoming = new BlockingCollection<byte[]>(capacity);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Queues a copy of one incoming datagram; drops it when the queue is full or closed.</summary>
    public void Enqueue(ReadOnlySpan<byte> datagram)
    {
        if (_closed.IsCancellationRequested || !_incoming.TryAdd(datagram.ToArray()))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public int GetReceiveLimit() => 65535;

    public int GetSendLimit() => _maxDatagramSize;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        try
        {
            if (!_incoming.TryTake(out byte[]? datagram, Math.Max(waitMillis, 1), _closed.Token))
            {
                return -1;
            }

            int n = Math.Min(datagram.Length, buffer.Length);
            datagram.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        catch (OperationCanceledException)
        {
            // BouncyCastle turns an IOException into a failed handshake or a closed transport.
            throw new IOException("The DTLS transport was closed.");
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (!_closed.IsCancellationRequested)
        {
            _sender.Send(buffer);
        }
    }

    public void Close() => _closed.Cancel();

    public void Dispose()
    {
        _closed.Cancel();
        _closed.Dispose();
        _incoming.Dispose();
    }
}
