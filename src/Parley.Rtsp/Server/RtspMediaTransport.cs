namespace Parley.Rtsp.Server;

/// <summary>
/// Carries a session's RTP and RTCP to its client: interleaved in the RTSP TCP connection (RFC 2326 §10.12) or as
/// UDP datagrams to the client's ports (RFC 2326 §12.39 client_port). Readers batch: <see cref="TryAppend"/> what is
/// queued, then <see cref="FlushAsync"/> once; both are meant for one caller at a time (the reader's loop).
/// </summary>
public abstract class RtspMediaTransport : IDisposable
{
    private long _packetsSent;
    private long _bytesSent;
    private long _sendErrors;

    /// <summary>"TCP" or "UDP".</summary>
    public abstract string Name { get; }

    /// <summary>RTP and RTCP packets handed to the network.</summary>
    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>Bytes of those packets (without interleaved framing).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Packets the network refused (UDP errors) or that were dropped because the connection was busy.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>
    /// True when <see cref="TrySendNow"/> never waits and may be called from any thread at any time (UDP datagrams
    /// on a non-blocking socket), so a reader can send on the publisher's thread instead of queueing.
    /// </summary>
    public virtual bool SendsWithoutBlocking => false;

    /// <summary>
    /// Adds this session's address for media <paramref name="mediaIndex"/> to <paramref name="batch"/>, so one
    /// <see cref="UdpSendBatch.Send"/> reaches every UDP reader of a packet. False for transports that cannot
    /// batch (TCP) and for media not set up.
    /// </summary>
    public virtual bool TryAddToBatch(int mediaIndex, bool isRtcp, UdpSendBatch batch) => false;

    /// <summary>
    /// Adds one packet for media <paramref name="mediaIndex"/> to the current batch (TCP) or sends it now (UDP).
    /// Returns false when the batch is full: flush, then append again. Media not set up are ignored (true).
    /// </summary>
    public abstract bool TryAppend(int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet);

    /// <summary>Writes the batch; completes when the bytes are with the kernel. Throws when the connection failed.</summary>
    public abstract ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends one packet right away if that does not mean waiting (RTCP toward a publisher). False when it was
    /// dropped because the connection was busy writing.
    /// </summary>
    public abstract bool TrySendNow(int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet);

    /// <summary>Frees buffers and routes.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees buffers and routes.</summary>
    protected abstract void Dispose(bool disposing);

    /// <summary>Counts one packet sent.</summary>
    protected void CountSent(int bytes)
    {
        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>Counts one batched datagram, sent or dropped.</summary>
    internal void CountBatchResult(bool sent, int bytes)
    {
        if (sent)
        {
            CountSent(bytes);
        }
        else
        {
            CountError();
        }
    }

    /// <summary>Counts one packet that could not be sent.</summary>
    protected void CountError() => Interlocked.Increment(ref _sendErrors);
}
