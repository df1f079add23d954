using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Endpoint.Trust;

namespace Parley.Endpoint.Rooms;

/// <summary>
/// The native client of the room control protocol (docs/rooms-protocol.md): a WebSocket to
/// <c>ws://host:port/r/ROOM/ws</c> that joins, turns the hub's messages into <see cref="Events"/>, sends chat and
/// mute state, and pings every <see cref="PingInterval"/> (the hub drops a client silent for 10 s). When the
/// connection is lost after joining (a hub restart), it says so with <see cref="RoomDisconnected"/>, reconnects with
/// back-off (1 s doubling to 10 s) and joins again under the same name; the new <c>welcome</c> arrives as a
/// <see cref="RoomWelcomed"/> event, from which the caller reconciles its view of the room.
/// </summary>
public sealed class RoomControlClient : IAsyncDisposable
{
    /// <summary>Keep-alive interval: well inside the hub's 5 s liveness rule.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan WelcomeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);
    private const int MaxMessageBytes = 4 << 20; // a welcome with a long chat history

    private readonly string _name;
    private readonly ILogger _logger;
    private readonly HubTrust _trust;
    private readonly Channel<RoomEvent> _events = Channel.CreateUnbounded<RoomEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private ClientWebSocket? _socket;
    private Task? _loop;
    private volatile bool _leaving;
    private bool _warnedPlain;

    /// <summary>Creates a client; nothing is opened until <see cref="JoinAsync"/>.</summary>
    /// <param name="roomUrl">The room's page, http(s)://host:port/r/ROOM (see <see cref="TryParseRoomUrl"/>).</param>
    /// <param name="name">The display name to join with (1 to 64 characters).</param>
    /// <param name="logger">Connection trouble; null logs nothing.</param>
    /// <param name="trust">How an https:// hub's certificate is checked (pinned on first use when self-signed); null
    /// uses <see cref="HubTrust.Default"/>.</param>
    /// <exception cref="ArgumentException">The URL is not a room URL.</exception>
    public RoomControlClient(Uri roomUrl, string name, ILogger? logger = null, HubTrust? trust = null)
    {
        ArgumentNullException.ThrowIfNull(roomUrl);
        if (!TryParseRoomUrl(roomUrl, out string? room))
        {
            throw new ArgumentException($"{roomUrl} is not a room URL (http://host:port/r/ROOM)", nameof(roomUrl));
        }

        RoomUrl = roomUrl;
        Room = room!;
        _name = name ?? throw new ArgumentNullException(nameof(name));
        _logger = logger ?? NullLogger.Instance;
        _trust = trust ?? HubTrust.Default;
    }

    /// <summary>
    /// A join token sent as <c>Authorization: Bearer</c> (RFC 6750 §2.1) in the WebSocket handshake; null sends none.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>The room's page URL.</summary>
    public Uri RoomUrl { get; }

    /// <summary>The room name from the URL.</summary>
    public string Room { get; }

    /// <summary>The control socket's URL: ws(s)://host:port/r/ROOM/ws.</summary>
    public Uri WebSocketUrl => new UriBuilder(RoomUrl) { Scheme = RoomUrl.Scheme == "https" ? "wss" : "ws", Path = $"/r/{Uri.EscapeDataString(Room)}/ws", Query = "", Fragment = "" }.Uri;

    /// <summary>Everything the hub says after the first <c>welcome</c> (which <see cref="JoinAsync"/> returns), and the client's reconnections. Completes when the client is disposed.</summary>
    public ChannelReader<RoomEvent> Events => _events.Reader;

    /// <summary>The latest welcome: this client's id and publish path after the last (re)join.</summary>
    public RoomWelcome? Welcome { get; private set; }

    /// <summary>Whether the control connection is up now.</summary>
    public bool IsConnected => _socket?.State == WebSocketState.Open;

    /// <summary>Messages from the hub that did not parse (malformed or of an unknown type); ignored otherwise.</summary>
    public long MalformedMessages { get; private set; }

    /// <summary>Whether <paramref name="url"/> is a room page, http(s)://host[:port]/r/ROOM[/], and which room.</summary>
    public static bool TryParseRoomUrl(Uri url, out string? room)
    {
        ArgumentNullException.ThrowIfNull(url);
        room = null;
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            return false;
        }

        string[] segments = url.AbsolutePath.Trim('/').Split('/');
        if (segments.Length != 2 || segments[0] != "r" || segments[1].Length == 0)
        {
            return false;
        }

        room = Uri.UnescapeDataString(segments[1]);
        return true;
    }

    /// <summary>Connects, joins and starts the receive and keep-alive loop.</summary>
    /// <returns>The hub's welcome: this client's id and publish path, who else is here, the chat history.</returns>
    /// <exception cref="RoomException">The hub is unreachable, has no rooms (404), refused the room name (400), or
    /// answered <c>join</c> with an error (its message is in the exception's).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the welcome.</exception>
    /// <exception cref="InvalidOperationException">Already joined.</exception>
    public async Task<RoomWelcome> JoinAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("already joined");
        }

        var (socket, welcome) = await ConnectAndJoinAsync(cancellationToken).ConfigureAwait(false);
        _socket = socket;
        Welcome = welcome;
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return welcome;
    }

    /// <summary>Sends a chat message; the hub echoes it as a <see cref="RoomChatReceived"/> with the same <paramref name="reference"/>.</summary>
    /// <returns>False when the connection is down (reconnecting); the message was not sent.</returns>
    public Task<bool> SendChatAsync(string text, string? reference = null, CancellationToken cancellationToken = default) =>
        SendAsync(RoomMessages.Chat(text, reference), cancellationToken);

    /// <summary>Sets this participant's mute state; null leaves a field as it is.</summary>
    /// <returns>False when the connection is down.</returns>
    public Task<bool> SetMuteAsync(bool? audio, bool? video, CancellationToken cancellationToken = default) =>
        SendAsync(RoomMessages.Mute(audio, video), cancellationToken);

    /// <summary>Leaves the room (<c>leave</c>, then a close handshake, at most about a second) and stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        // Leave while the loop still receives: cancelling a pending receive aborts a ClientWebSocket, and the hub
        // would then see a dropped connection ("disconnected") instead of "left".
        _leaving = true;
        if (_socket is { State: WebSocketState.Open } socket && _loop is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await SendAsync(RoomMessages.Leave(), timeout.Token).ConfigureAwait(false);
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "leaving", timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }

                await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                _logger.LogDebug("room: leaving without a clean close ({Reason})", e.Message);
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _socket?.Dispose();
        _events.Writer.TryComplete();
        _sendLock.Dispose();
        _stop.Dispose();
    }

    private async Task<bool> SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        var socket = _socket;
        if (socket is null || socket.State != WebSocketState.Open)
        {
            return false;
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogDebug("room: not sent ({Reason})", e.Message);
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    // One connection's life, then reconnections, until stopped.
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason = await ServeAsync(_socket!, cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested || _leaving)
            {
                return;
            }

            _logger.LogWarning("room: lost the connection to {Url} ({Reason}); reconnecting", WebSocketUrl, reason);
            _events.Writer.TryWrite(new RoomDisconnected(reason));
            var backOff = TimeSpan.FromSeconds(1);
            while (true)
            {
                try
                {
                    await Task.Delay(backOff, cancellationToken).ConfigureAwait(false);
                    var (socket, welcome) = await ConnectAndJoinAsync(cancellationToken).ConfigureAwait(false);
                    var old = _socket;
                    _socket = socket;
                    old?.Dispose();
                    Welcome = welcome;
                    _logger.LogInformation("room: rejoined {Room} as {Id}", welcome.Room, welcome.Self.Id);
                    _events.Writer.TryWrite(new RoomWelcomed(welcome));
                    break;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (RoomException e)
                {
                    backOff = backOff * 2 > MaxBackOff ? MaxBackOff : backOff * 2;
                    _logger.LogWarning("room: rejoining failed ({Reason}); next try in {Seconds} s", e.Message, backOff.TotalSeconds);
                }
            }
        }
    }

    // Receives until the connection ends; pings alongside. Returns why it ended.
    private async Task<string> ServeAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pinger = PingLoopAsync(connection.Token);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var (message, length) = await ReceiveAsync(socket, buffer, connection.Token).ConfigureAwait(false);
                buffer = message;
                if (length < 0)
                {
                    return socket.CloseStatusDescription is { Length: > 0 } why ? $"the hub closed it: {why}" : "the hub closed it";
                }

                Dispatch(message.AsSpan(0, length));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return "stopped";
        }
        catch (Exception e) when (e is WebSocketException or IOException or InvalidDataException)
        {
            return e.Message;
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            await pinger.ConfigureAwait(false);
        }
    }

    private async Task PingLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PingInterval, cancellationToken).ConfigureAwait(false);
                await SendAsync(RoomMessages.Ping(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Dispatch(ReadOnlySpan<byte> message)
    {
        if (!RoomMessages.TryParse(message, out var parsed))
        {
            MalformedMessages++;
            _logger.LogDebug("room: ignoring a message that is not part of the protocol ({Length} bytes)", message.Length);
            return;
        }

        if (parsed is not RoomPong)
        {
            _events.Writer.TryWrite(parsed!);
        }
    }

    private async Task<(ClientWebSocket Socket, RoomWelcome Welcome)> ConnectAndJoinAsync(CancellationToken cancellationToken)
    {
        string where = $"{RoomUrl.Host}:{RoomUrl.Port}";
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // the protocol's own ping keeps the hub's idle timer happy
        HubCertificateCheck? check = null;
        if (RoomUrl.Scheme == Uri.UriSchemeHttps)
        {
            check = _trust.Check(where, _logger);
            socket.Options.RemoteCertificateValidationCallback = check.Validate;
        }
        else if (!RoomUrl.IsLoopback && !_warnedPlain)
        {
            _warnedPlain = true;
            _logger.LogWarning("chat and room control to {Host} travel unencrypted over http://; use https://{Host}:8443{Path} (the hub's HTTPS port) to encrypt them", RoomUrl.Host, RoomUrl.Host, RoomUrl.AbsolutePath);
        }

        if (Token is { Length: > 0 } token)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }
        try
        {
            try
            {
                await socket.ConnectAsync(WebSocketUrl, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e) when (check?.Rejection is { } rejection)
            {
                throw new RoomException(rejection, new HubCertificateException(rejection, e));
            }
            catch (WebSocketException e) when (socket.HttpStatusCode == HttpStatusCode.NotFound)
            {
                throw new RoomException($"the hub at {where} has no room '{Room}' endpoint (404 at {WebSocketUrl.AbsolutePath}). Is it a Parley hub with rooms?", e);
            }
            catch (WebSocketException e) when (socket.HttpStatusCode == HttpStatusCode.BadRequest)
            {
                throw new RoomException($"the hub refused the room name '{Room}' (400). Room names are 1-64 of letters, digits, '-', '_', '.', not starting with '.'.", e);
            }
            catch (WebSocketException e) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                // The hub says why in X-Parley-Error: an expired or foreign token, a missing permission, plain HTTP from another machine.
                string reason = socket.HttpResponseHeaders?.TryGetValue("X-Parley-Error", out var values) == true ? string.Join("; ", values) : "no reason given";
                string hint = socket.HttpStatusCode == HttpStatusCode.Unauthorized
                    ? (Token is null ? " Ask for an invitation and pass its join token with --token." : " Ask for a new invitation (join token).")
                    : "";
                throw new RoomException($"the hub at {where} refused to let you into room '{Room}' ({(int)socket.HttpStatusCode}: {reason}).{hint}", e);
            }
            catch (WebSocketException e) when (socket.HttpStatusCode != 0)
            {
                throw new RoomException($"the hub at {where} answered {(int)socket.HttpStatusCode} instead of opening the room's control connection.", e);
            }
            catch (WebSocketException e)
            {
                throw new RoomException($"cannot reach the hub at {where} ({(e.InnerException ?? e).Message}). Is 'parley serve' running there, and is the HTTP port right?", e);
            }

            await socket.SendAsync(RoomMessages.Join(_name), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(WelcomeTimeout);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                int length;
                try
                {
                    (buffer, length) = await ReceiveAsync(socket, buffer, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new RoomException($"the hub at {where} did not answer 'join' within {WelcomeTimeout.TotalSeconds} s.");
                }
                catch (Exception e) when (e is WebSocketException or IOException or InvalidDataException)
                {
                    throw new RoomException($"the hub at {where} dropped the room connection while joining ({e.Message}).", e);
                }

                if (length < 0)
                {
                    throw new RoomException($"the hub at {where} closed the room connection before welcoming ({socket.CloseStatusDescription ?? "no reason given"}).");
                }

                if (!RoomMessages.TryParse(buffer.AsSpan(0, length), out var message))
                {
                    MalformedMessages++;
                    continue;
                }

                switch (message)
                {
                    case RoomWelcomed welcomed:
                        var result = (socket, welcomed.Welcome);
                        socket = null;
                        return result;
                    case RoomErrorReceived error:
                        throw new RoomException(error.Code, $"cannot join room '{Room}': {error.Message} ({error.Code})");
                    default:
                        continue; // presence that raced the welcome; the welcome's list is the truth
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            throw new RoomException($"the room connection to {where} failed ({e.Message}).", e);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    // One whole message into the buffer (grown as needed); length -1 when the hub closed the connection.
    private static async Task<(byte[] Buffer, int Length)> ReceiveAsync(ClientWebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= MaxMessageBytes)
                {
                    throw new InvalidDataException($"a message from the hub is over {MaxMessageBytes} bytes");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (buffer, -1);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (buffer, length);
            }
        }
    }
}
