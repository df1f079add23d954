using Microsoft.Extensions.Logging;
using Parley.Hub.Streams;
using Parley.Rtsp.Server;

namespace Parley.Hub.Protocols.Rtsp;

/// <summary>
/// An RTSP client that plays a stream: drains its queue into its session's transport, batching whatever is queued
/// into one write (TCP); UDP readers send each datagram on the publisher's thread and only wait here for the end. When the queue completes (the stream ended or the
/// reader was removed) it closes the session, which for TCP closes the connection after the RTCP BYE went out.
/// </summary>
internal sealed class RtspStreamReader : MediaStreamReader
{
    private readonly RtspServerSession _session;
    private readonly ILogger _logger;
    private readonly RtspMediaTransport _transport;
    private readonly SrtpSendGroup? _srtp;
    private readonly IReadOnlyList<MediaTrack> _tracks;

    public RtspStreamReader(RtspServerSession session, MediaStream stream, int queueCapacity, ILogger logger)
        : base(stream.Tracks.Count, session.MediaSetUp, queueCapacity)
    {
        _session = session;
        _logger = logger;
        _transport = session.Transport ?? throw new InvalidOperationException("A reader's session has no transport before SETUP.");
        _srtp = session.Srtp;
        _tracks = stream.Tracks;
    }

    protected override bool DeliversInline => _transport.SendsWithoutBlocking;

    // UDP: the address joins this thread's batch; the first reader's CompleteDelivery sends the datagram to all of
    // them with one sendmmsg, the others find the batch empty. SRTP readers (RTSPS over UDP) join their group's
    // batch instead, and the first of them protects the packet once for all. A reader with its own key
    // (rtsp.srtpKeys: perReader) protects and sends its copy here and now.
    protected override bool TryDeliver(MediaPacket packet) => _srtp is { IsPerReader: true } own
        ? own.SendToOne(_transport, packet.TrackIndex, packet.Span, packet.IsRtcp, _tracks[packet.TrackIndex].Statistics.ExtendedHighestSequence)
        : _transport.TryAddToBatch(packet.TrackIndex, packet.IsRtcp, _srtp is null ? UdpSendBatch.ForCurrentThread : SrtpSendGroup.BatchForCurrentThread);

    protected override void CompleteDelivery(MediaPacket packet)
    {
        if (_srtp is { IsPerReader: true })
        {
            return;
        }

        if (_srtp is not null)
        {
            _srtp.Send(packet.Span, packet.IsRtcp, _tracks[packet.TrackIndex].Statistics.ExtendedHighestSequence);
            return;
        }

        var batch = UdpSendBatch.ForCurrentThread;
        if (batch.Count > 0)
        {
            batch.Send(packet.Span);
        }
    }

    public override string Description => $"rtsp {_session.RemoteEndPoint} over {_session.TransportName} (session {_session.Id})";

    /// <summary>Set when the hub removed the reader itself (PAUSE, TEARDOWN): the session stays.</summary>
    public bool Detached { get; set; }

    public async Task RunAsync()
    {
        var transport = _transport;
        var queue = Queue;
        string reason = "stream ended";
        try
        {
            while (await queue.WaitToReadAsync())
            {
                while (queue.TryPeek(out var packet))
                {
                    if (!transport.TryAppend(packet.TrackIndex, packet.IsRtcp, packet.Span))
                    {
                        break;
                    }

                    queue.TryRead(out _);
                    packet.Release();
                }

                await transport.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            reason = "write timed out or connection closed";
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            reason = $"write failed: {ex.Message}";
        }
        finally
        {
            DrainAndRelease();
        }

        if (!Detached)
        {
            _logger.LogDebug("reader {Reader} finished: {Reason}", Description, reason);
            await _session.CloseAsync(reason);
        }
    }
}
