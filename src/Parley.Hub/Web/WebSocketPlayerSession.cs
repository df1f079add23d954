using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Media.Mp4;

namespace Parley.Hub.Web;

/// <summary>
/// One browser player on <c>/&lt;path&gt;/ws</c>: a JSON hello (text), then the viewer's queue as binary messages
/// (<see cref="WebMessage"/>). fMP4 media segments get this viewer's own mfhd sequence numbers, starting at 1:
/// only the header (about 130 bytes) is copied per viewer and sent as the first frame of the WebSocket message,
/// the shared mdat payload as the second (<see cref="Mp4Segment.TryWriteHeader"/>).
/// </summary>
internal sealed class WebSocketPlayerSession
{
    private const int MaxHeaderCopy = 1024;
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);
    private readonly WebSocket _socket;
    private readonly WebViewer _viewer;
    private readonly StreamFrameSource _source;
    private readonly ILogger _logger;
    private readonly byte[] _header = new byte[WebMessage.HeaderLength + MaxHeaderCopy];
    private uint _sequenceNumber;

    public WebSocketPlayerSession(WebSocket socket, WebViewer viewer, StreamFrameSource source, ILogger logger)
    {
        _socket = socket;
        _viewer = viewer;
        _source = source;
        _logger = logger;
    }

    /// <summary>Sends until the stream ends or the browser goes; returns why it ended.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveUntilClosedAsync(closed);
        string reason = "stream ended";
        try
        {
            await SendHelloAsync(closed.Token);
            var frames = _viewer.Frames;
            while (await frames.WaitToReadAsync(closed.Token))
            {
                while (frames.TryRead(out var frame))
                {
                    try
                    {
                        await SendAsync(frame, closed.Token);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }

            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "stream ended", closed.Token);
            // Cancelling a receive aborts the socket: give the browser a moment to answer the close first.
            await Task.WhenAny(receive, Task.Delay(CloseHandshakeTimeout, closed.Token));
        }
        catch (OperationCanceledException)
        {
            reason = "browser closed the connection";
        }
        catch (WebSocketException ex)
        {
            reason = $"connection failed: {ex.Message}";
        }
        finally
        {
            _viewer.DrainAndRelease();
            await closed.CancelAsync();
            await receive;
        }

        return reason;
    }

    private async Task SendHelloAsync(CancellationToken cancellationToken)
    {
        var playback = _source.Playback;
        var stream = _source.Stream;
        byte[] hello = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "hello",
            path = stream.Path,
            mode = playback.Mode.ToString().ToLowerInvariant(),
            codecs = stream.CodecSummary,
            videoTrack = playback.VideoTrack,
            audioTrack = playback.AudioTrack,
            audioChannels = playback.AudioTrack >= 0 ? WebPlayback.AudioChannels(stream.Tracks[playback.AudioTrack]) : 0,
        });
        await _socket.SendAsync(hello, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    private async ValueTask SendAsync(WebFrame frame, CancellationToken cancellationToken)
    {
        if (frame.Kind != WebMessageKind.Mp4Media
            || !Mp4Segment.TryWriteHeader(frame.Payload, ++_sequenceNumber, _header.AsSpan(WebMessage.HeaderLength), out int headerLength))
        {
            await _socket.SendAsync(frame.Memory, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            return;
        }

        frame.Memory.Span[..WebMessage.HeaderLength].CopyTo(_header);
        await _socket.SendAsync(_header.AsMemory(0, WebMessage.HeaderLength + headerLength), WebSocketMessageType.Binary, endOfMessage: false, cancellationToken);
        await _socket.SendAsync(frame.Memory[(WebMessage.HeaderLength + headerLength)..], WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
    }

    // The browser sends nothing we need; reading is how a close (or a dead peer) is noticed.
    private async Task ReceiveUntilClosedAsync(CancellationTokenSource closed)
    {
        var buffer = new byte[512];
        try
        {
            while (!closed.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, closed.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            _logger.LogDebug("web viewer {Viewer}: receive ended: {Message}", _viewer.Description, ex.Message);
        }

        await closed.CancelAsync();
    }
}
