using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Hub.Auth;
using Parley.Hub.Protocols.WebRtc;
using Parley.Hub.Rooms;

namespace Parley.Hub.Web;

/// <summary>
/// One client on <c>/r/&lt;room&gt;/ws</c> (docs/rooms-protocol.md): reads its messages, checks them and the
/// chat limits, and hands them to the room. Everything it is sent goes through its <see cref="RoomConnection"/>
/// queue and one writer task, so the room never waits on this socket. A client silent for rooms.idleTimeoutSeconds
/// is removed (reason timeout), one whose socket fails at once (reason disconnected).
/// </summary>
internal sealed class RoomSocketSession : IDisposable
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(1);

    // A webrtc-offer with a recvonly section per track of 16 participants is about 100 KiB; chat frames stay small.
    private const int MaxOfferBytes = 256 * 1024;
    private readonly WebSocket _socket;
    private readonly string _room;
    private readonly RoomManager _rooms;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RoomConnection _connection;
    private readonly ChatRateLimiter _rate;
    private readonly TimeSpan _idleTimeout;
    private readonly int _maxMessageBytes;
    private readonly RoomAccess _access;
    private byte[] _buffer;
    private RoomJoinResult? _joined;
    private RoomPeer? _peer;

    public RoomSocketSession(WebSocket socket, string room, RoomManager rooms, string description, TimeProvider time, ILogger logger,
        RoomAccess? access = null)
    {
        _access = access ?? RoomAccess.Full;
        _socket = socket;
        _room = room;
        _rooms = rooms;
        _time = time;
        _logger = logger;
        _connection = new RoomConnection(description);
        var options = rooms.Options;
        _rate = new ChatRateLimiter(options.ChatMessagesPerSecond, options.ChatBurst, time);
        _idleTimeout = TimeSpan.FromSeconds(options.IdleTimeoutSeconds);
        // Room for a chat of maxChatBytes even when every character arrives as a six-byte \u escape.
        _buffer = new byte[(options.MaxChatBytes * 6) + 1024];
        _maxMessageBytes = Math.Max(_buffer.Length, MaxOfferBytes);
    }

    /// <summary>Where webrtc-offer goes; null answers it with webrtc-unavailable.</summary>
    public RoomPeerServer? Peers { get; init; }

    /// <summary>Runs until the client leaves, fails, falls silent, is refused, or the hub stops.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stopping, _connection.Aborted);
        var writer = WriteAsync(ended.Token);
        string reason = "disconnected";
        bool closeNormally = false;
        try
        {
            while (true)
            {
                (WebSocketMessageType Type, int Length) received;
                // Cancelling a receive aborts the socket, which is what a silent client gets.
                using (var silence = new CancellationTokenSource(_idleTimeout, _time))
                using (var receive = CancellationTokenSource.CreateLinkedTokenSource(ended.Token, silence.Token))
                {
                    try
                    {
                        received = await ReceiveMessageAsync(receive.Token);
                    }
                    catch (OperationCanceledException) when (silence.IsCancellationRequested && !ended.IsCancellationRequested)
                    {
                        reason = "timeout";
                        break;
                    }
                }

                if (received.Type == WebSocketMessageType.Close)
                {
                    reason = "left";
                    closeNormally = true;
                    break;
                }

                var (keepGoing, leaving) = await HandleAsync(received.Type, received.Length);
                if (!keepGoing)
                {
                    reason = leaving ? "left" : reason;
                    closeNormally = true;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            _logger.LogDebug("room '{Room}': {Connection} ended: {Message}", _room, _connection.Description, _connection.AbortReason ?? ex.Message);
        }
        finally
        {
            if (_joined is { Participant: { } participant, Room: { } room })
            {
                room.Leave(participant, reason);
                if (_peer is not null)
                {
                    await _peer.DisposeAsync();
                }

                if (_connection.AbortReason is { } abort && !stopping.IsCancellationRequested)
                {
                    _logger.LogInformation("room '{Room}': {Id} disconnected by the hub: {Reason}", _room, participant.Id, abort);
                }
            }

            _connection.Complete();
            await Observe(writer);
            if (closeNormally && !ended.IsCancellationRequested)
            {
                await CloseAsync();
            }
        }
    }

    /// <summary>Releases the connection's cancellation source; call after <see cref="RunAsync"/> returned.</summary>
    public void Dispose() => _connection.Dispose();

    // Returns (false, leaving) when the connection should close after what is queued.
    private async Task<(bool KeepGoing, bool Leaving)> HandleAsync(WebSocketMessageType type, int length)
    {
        if (type != WebSocketMessageType.Text)
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.BadMessage, "Binary frames are not part of the protocol; send JSON in text frames."));
            return (true, false);
        }

        if (length > _buffer.Length)
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.BadMessage, $"The message is over {_maxMessageBytes} bytes and was dropped."));
            return (true, false);
        }

        if (!ClientMessage.TryParse(_buffer.AsSpan(0, length), out var message, out string? problem, out string? reference))
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.BadMessage, problem!, reference));
            return (true, false);
        }

        if (message!.Type == ClientMessageType.Join)
        {
            return (await JoinAsync(message.Name!, reference), false);
        }

        if (_joined is not { Participant: { } participant, Room: { } room })
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.NotJoined, "Send join first: {\"type\":\"join\",\"name\":\"Your Name\"}.", reference));
            return (true, false);
        }

        switch (message.Type)
        {
            case ClientMessageType.Chat:
                Chat(room, participant, message.Text!, reference);
                return (true, false);
            case ClientMessageType.Mute:
                room.Mute(participant, message.Audio, message.Video);
                return (true, false);
            case ClientMessageType.Ping:
                _connection.Send(RoomEvents.Pong);
                return (true, false);
            case ClientMessageType.WebRtcOffer:
                await OfferAsync(room, participant, message, reference);
                return (true, false);
            default:
                return (false, true);
        }
    }

    private async Task<bool> JoinAsync(string name, string? reference)
    {
        if (_joined is not null)
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.AlreadyJoined, "This connection has joined already; open another to join again.", reference));
            return true;
        }

        string? displayName = RoomNames.NormalizeDisplayName(_access.FixedName ?? name);
        if (displayName is null)
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.BadName,
                $"A display name is 1 to {RoomNames.MaxLength} characters without control characters; choose another.", reference));
            return true;
        }

        var result = await _rooms.JoinAsync(_room, displayName, _connection);
        if (result.Participant is null)
        {
            // room-full and too-many-rooms: the error, then the connection closes.
            _connection.Send(RoomEvents.Error(result.ErrorCode!, result.ErrorMessage!, reference));
            return false;
        }

        _joined = result;
        return true;
    }

    private async Task OfferAsync(Room room, Participant participant, ClientMessage message, string? reference)
    {
        if (Peers is null)
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.WebRtcUnavailable,
                "This hub has WebRTC turned off (webrtc.enabled); the page plays everyone over WebSocket instead.", reference));
            return;
        }

        if (_peer is not null && _peer.IsOtherConnection(message.Sdp!))
        {
            // The page opened a new RTCPeerConnection (to send a camera it was not sending, or after a failure): the
            // new one replaces the old, whose published stream ends and whose readers stop.
            _logger.LogInformation("room '{Room}': {Id} replaced its WebRTC connection", _room, participant.Id);
            await _peer.DisposeAsync();
            _peer = null;
        }
        else if (_peer is { HasEnded: true })
        {
            // ICE consent or DTLS ended it: this offer, on the same connection, is refused (its DTLS association is
            // gone); the next one, from the new RTCPeerConnection the page opens, starts a new peer.
            await _peer.DisposeAsync();
            _peer = null;
            _connection.Send(RoomEvents.Error(RoomErrorCodes.WebRtcFailed,
                "The WebRTC connection to the hub ended; open a new RTCPeerConnection and offer again.", reference));
            return;
        }

        if (_peer is null)
        {
            _peer = Peers.Create(room.Name, participant.Id, _connection.Description, _access.Permits(AccessAction.Publish, participant.PublishPath));
            room.UseWebRtc(participant);
        }

        var mids = (message.Mids ?? new Dictionary<string, string>())
            .Where(m => _access.Permits(AccessAction.Read, room.Name + "/" + m.Value))
            .ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        var answer = await _peer.NegotiateAsync(message.Sdp!, mids);
        _connection.Send(answer.Sdp is { } sdp
            ? RoomEvents.WebRtcAnswer(sdp, answer.Mids, reference)
            : RoomEvents.Error(RoomErrorCodes.WebRtcFailed, $"The hub could not answer the WebRTC offer: {answer.Error}", reference));
    }

    private void Chat(Room room, Participant participant, string text, string? reference)
    {
        if (!_access.MayChat)
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.NotAllowed, "Your credentials do not include chat in this room.", reference));
            return;
        }

        int bytes = Encoding.UTF8.GetByteCount(text);
        int max = _rooms.Options.MaxChatBytes;
        if (bytes > max)
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.ChatTooLong, $"The message is {bytes} bytes; the limit is {max} bytes (UTF-8). Split it or shorten it.", reference));
        }
        else if (string.IsNullOrWhiteSpace(text))
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.ChatEmpty, "The message is empty; write something.", reference));
        }
        else if (!_rate.TryTake())
        {
            _connection.Send(RoomEvents.Error(RoomErrorCodes.RateLimited,
                $"Too many messages: at most {_rooms.Options.ChatMessagesPerSecond} a second (bursts of {_rooms.Options.ChatBurst}); this one was dropped. Wait a moment.", reference));
        }
        else
        {
            room.Chat(participant, text, reference);
        }
    }

    // One whole message into _buffer; the length counts all of it, so a message longer than the buffer is noticed and skipped.
    private async Task<(WebSocketMessageType Type, int Length)> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            if (length == _buffer.Length && _buffer.Length < _maxMessageBytes)
            {
                // Only offers grow past the chat bound; the buffer grows for them, up to the offer bound.
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxMessageBytes));
            }

            var segment = length < _buffer.Length ? _buffer.AsMemory(length) : _buffer.AsMemory(0, Math.Min(_buffer.Length, 4096));
            var result = await _socket.ReceiveAsync(segment, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, 0);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (result.MessageType, length);
            }
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _connection.Outbound.ReadAllAsync(cancellationToken))
            {
                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            _connection.Abort($"sending failed: {ex.Message}");
        }
    }

    private async Task CloseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(CloseHandshakeTimeout, _time);
            if (_socket.State == WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                return;
            }

            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                // Wait for the client's close so the connection ends cleanly rather than by reset.
                while (_socket.State == WebSocketState.CloseSent)
                {
                    await _socket.ReceiveAsync(_buffer, timeout.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            _logger.LogDebug("room '{Room}': {Connection}: close handshake incomplete: {Message}", _room, _connection.Description, ex.Message);
        }
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The socket was aborted on purpose; what the pending operation says about it adds nothing.
        }
    }
}
