using Microsoft.Extensions.Logging;
using Parley.Hub.Paths;
using Parley.Hub.Streams;
using Parley.Rtsp.Server;

namespace Parley.Hub.Protocols.Rtsp;

/// <summary>
/// The RTSP protocol adapter: turns RTSP sessions into publishers and readers of the hub's streams
/// (DESIGN.md §2, Protocols/&lt;Name&gt;). Knows RTSP and streams, and nothing of other protocols.
/// </summary>
public sealed class RtspHubHandler : IRtspServerHandler
{
    private readonly PathManager _paths;
    private readonly RtspSrtpGroups _srtp;
    private readonly int _readerQueueCapacity;
    private readonly ILogger _logger;

    /// <summary>Creates the adapter over the hub's paths.</summary>
    /// <param name="paths">The hub's paths.</param>
    /// <param name="readerQueueCapacity">Per-reader queue length in packets.</param>
    /// <param name="logger">Log for reader endings.</param>
    /// <param name="srtpKeyPerReader">
    /// Give every RTSPS reader over UDP its own SRTP key (rtsp.srtpKeys: perReader), encrypting each packet once per
    /// reader, instead of one key per stream encrypted once for all.
    /// </param>
    public RtspHubHandler(PathManager paths, int readerQueueCapacity, ILogger<RtspHubHandler> logger, bool srtpKeyPerReader = false)
    {
        _srtp = new RtspSrtpGroups(srtpKeyPerReader);
        _paths = paths;
        _readerQueueCapacity = readerQueueCapacity;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async ValueTask<RtspDescribeResult> DescribeAsync(string path, bool withSrtp, CancellationToken cancellationToken)
    {
        var stream = await _paths.FindStreamAsync(path);
        return stream is null
            ? new RtspDescribeResult(404, null, $"no stream is being published on path '{path}'")
            : new RtspDescribeResult(200, stream.Description, Srtp: withSrtp ? _srtp.For(stream) : null);
    }

    /// <inheritdoc/>
    public async ValueTask<RtspHandlerStatus> AnnounceAsync(RtspServerSession session, CancellationToken cancellationToken)
    {
        var publisher = new RtspPublisher(session);
        session.Tag = publisher;
        return await _paths.ReserveAsync(session.Path, publisher) switch
        {
            PublishReservation.Reserved => RtspHandlerStatus.Ok,
            PublishReservation.Busy => new RtspHandlerStatus(403, $"path '{session.Path}' already has a publisher"),
            _ => new RtspHandlerStatus(503, "the hub is shutting down"),
        };
    }

    /// <inheritdoc/>
    public async ValueTask<RtspHandlerStatus> RecordAsync(RtspServerSession session, CancellationToken cancellationToken)
    {
        if (session.Tag is not RtspPublisher publisher)
        {
            return new RtspHandlerStatus(455, "RECORD without ANNOUNCE");
        }

        publisher.Stream = await _paths.StartStreamAsync(session.Path, publisher, session.Description);
        return publisher.Stream is null
            ? new RtspHandlerStatus(403, $"path '{session.Path}' was taken over")
            : RtspHandlerStatus.Ok;
    }

    /// <inheritdoc/>
    public async ValueTask<RtspPlayResult> PlayAsync(RtspServerSession session, CancellationToken cancellationToken)
    {
        var stream = await _paths.FindStreamAsync(session.Path);
        if (stream is null || stream.Tracks.Count != session.Description.Media.Count)
        {
            return new RtspPlayResult(404, null, $"no stream is being published on path '{session.Path}'");
        }

        var info = new RtpInfoEntry?[stream.Tracks.Count];
        for (int i = 0; i < info.Length; i++)
        {
            var track = stream.Tracks[i];
            if (track.HasPackets)
            {
                info[i] = new RtpInfoEntry(unchecked((ushort)(track.LastSequenceNumber + 1)), track.LastTimestamp);
            }
        }

        if (session.Srtp is { } srtp && !_srtp.Belongs(stream, srtp))
        {
            return new RtspPlayResult(404, null, $"the stream on '{session.Path}' restarted since it was described: its SRTP key changed, DESCRIBE again");
        }

        var reader = new RtspStreamReader(session, stream, _readerQueueCapacity, _logger);
        session.Tag = new ReaderState(reader, stream);
        return new RtspPlayResult(200, info);
    }

    /// <inheritdoc/>
    public void PlayStarted(RtspServerSession session)
    {
        if (session.Tag is ReaderState state)
        {
            _ = StartReaderAsync(session, state);
        }
    }

    private async Task StartReaderAsync(RtspServerSession session, ReaderState state)
    {
        var stream = await _paths.AddReaderAsync(session.Path, state.Reader);
        if (!ReferenceEquals(stream, state.Stream))
        {
            if (stream is not null)
            {
                await _paths.RemoveReaderAsync(stream, state.Reader, "stream changed");
            }

            await session.CloseAsync("the stream ended before playback started");
            return;
        }

        stream.OfferLastSenderReports(state.Reader);
        await state.Reader.RunAsync();
    }

    /// <inheritdoc/>
    public async ValueTask PauseAsync(RtspServerSession session, CancellationToken cancellationToken)
    {
        if (session.Tag is ReaderState state)
        {
            state.Reader.Detached = true;
            await _paths.RemoveReaderAsync(state.Stream, state.Reader, "paused");
            session.Tag = null;
        }
    }

    /// <inheritdoc/>
    public void PacketReceived(RtspServerSession session, int mediaIndex, bool isRtcp, ReadOnlySpan<byte> packet)
    {
        if (session.Tag is RtspPublisher { Stream: { } stream } && session.State == RtspSessionState.Recording)
        {
            if (isRtcp)
            {
                stream.WriteRtcp(mediaIndex, packet);
            }
            else
            {
                stream.WriteRtp(mediaIndex, packet);
            }
        }
        else if (isRtcp && session.Tag is ReaderState state && session.Srtp is null)
        {
            // A reader's PLI or FIR asks the publisher for a key frame (at most one a second however many ask); its
            // receiver reports only keep the session alive, which the server already noted. SRTCP from RTSPS readers
            // over UDP is not read: it would need their keys.
            state.Stream.ReadReaderFeedback(mediaIndex, packet);
        }
    }

    /// <inheritdoc/>
    public async ValueTask SessionClosedAsync(RtspServerSession session, string reason)
    {
        switch (session.Tag)
        {
            case RtspPublisher publisher:
                await _paths.RemovePublisherAsync(session.Path, publisher, reason);
                break;
            case ReaderState state:
                state.Reader.Detached = true;
                await _paths.RemoveReaderAsync(state.Stream, state.Reader, reason);
                break;
        }
    }

    private sealed record ReaderState(RtspStreamReader Reader, MediaStream Stream);
}
