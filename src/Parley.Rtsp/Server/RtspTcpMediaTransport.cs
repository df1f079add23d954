using System.Buffers.Binary;

namespace Parley.Rtsp.Server;

/// <summary>
/// RTP/AVP/TCP: packets framed as '$', channel, 16-bit length, data inside the RTSP connection (RFC 2326 §10.12).
/// A batch of packets becomes one socket write, which keeps the cost per reader low.
/// </summary>
internal sealed class RtspTcpMediaTransport : RtspMediaTransport
{
    // Room for a burst of a video frame; a packet always fits (16-bit length plus the 4-byte frame header).
    private const int BatchCapacity = 128 * 1024;

    private readonly RtspServerConnection _connection;
    private readonly TimeSpan _writeTimeout;
    private readonly (int Rtp, int Rtcp)[] _channels;
    private readonly byte[] _batch = new byte[BatchCapacity];
    private readonly byte[] _immediate = new byte[4 + 1500];
    private int _batchLength;
    private bool _disposed;

    // Cancels a write that makes no progress within the write timeout, or when the connection closes. Reused
    // across flushes (TryReset) so a flush allocates nothing.
    private CancellationTokenSource _timeout;

    public RtspTcpMediaTransport(RtspServerConnection connection, int mediaCount, TimeSpan writeTimeout)
    {
        _connection = connection;
        _writeTimeout = writeTimeout;
        _channels = new (int, int)[mediaCount];
        _channels.AsSpan().Fill((-1, -1));
        _timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Aborted);
    }

    public override string Name => "TCP";

    public void SetChannels(int mediaIndex, int rtpChannel, int rtcpChannel) => _channels[mediaIndex] = (rtpChannel, rtcpChannel);

    public override bool TryAppend(int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet)
    {
        var batch = _batch;
        if (_disposed || (uint)mediaIndex >= (uint)_channels.Length)
        {
            return true;
        }

        int channel = isRtcp ? _channels[mediaIndex].Rtcp : _channels[mediaIndex].Rtp;
        if (channel < 0 || packet.Length > ushort.MaxValue)
        {
            return true;
        }

        if (_batchLength + 4 + packet.Length > batch.Length)
        {
            return false;
        }

        WriteFrame(batch.AsSpan(_batchLength), channel, packet);
        _batchLength += 4 + packet.Length;
        CountSent(packet.Length);
        return true;
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_batchLength == 0 || _disposed)
        {
            return;
        }

        int length = _batchLength;
        _batchLength = 0;
        _timeout.CancelAfter(_writeTimeout);
        try
        {
            await _connection.WriteAsync(_batch.AsMemory(0, length), _timeout.Token);
        }
        finally
        {
            if (!_timeout.TryReset())
            {
                // Timed out or aborted: the connection is being closed; later flushes fail fast.
                _timeout.Dispose();
                _timeout = CancellationTokenSource.CreateLinkedTokenSource(_connection.Aborted);
                _timeout.Cancel();
            }
        }
    }

    public override bool TrySendNow(int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet)
    {
        if ((uint)mediaIndex >= (uint)_channels.Length || packet.Length > _immediate.Length - 4)
        {
            return false;
        }

        int channel = isRtcp ? _channels[mediaIndex].Rtcp : _channels[mediaIndex].Rtp;
        if (channel < 0)
        {
            return false;
        }

        lock (_immediate)
        {
            WriteFrame(_immediate, channel, packet);
            if (_connection.TryWriteNow(_immediate.AsSpan(0, 4 + packet.Length)))
            {
                CountSent(packet.Length);
                return true;
            }
        }

        CountError();
        return false;
    }

    private static void WriteFrame(Span<byte> destination, int channel, ReadOnlySpan<byte> packet)
    {
        destination[0] = (byte)'$';
        destination[1] = (byte)channel;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)packet.Length);
        packet.CopyTo(destination[4..]);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
    }
}
