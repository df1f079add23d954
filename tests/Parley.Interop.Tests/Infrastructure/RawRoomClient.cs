using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>
/// A participant that speaks the room control protocol (docs/rooms-protocol.md) by hand over a bare
/// <see cref="ClientWebSocket"/>: JSON text frames out, every hub message kept in arrival order, and a ping every
/// 3 s so the hub does not time it out while a test waits on something else.
/// </summary>
public sealed class RawRoomClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _received = Channel.CreateUnbounded<JsonElement>();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private Task _pinger = Task.CompletedTask;

    /// <summary>Connects to ws://localhost:<paramref name="httpPort"/>/r/<paramref name="room"/>/ws[?<paramref name="query"/>].</summary>
    public static async Task<RawRoomClient> ConnectAsync(int httpPort, string room, string? query = null)
    {
        var client = new RawRoomClient();
        string suffix = query is null ? "" : "?" + query;
        await client._socket.ConnectAsync(new Uri($"ws://localhost:{httpPort}/r/{room}/ws{suffix}"), CancellationToken.None);
        client._reader = client.ReadAsync();
        client._pinger = client.PingAsync();
        return client;
    }

    /// <summary>Connects, sends <c>join</c> and returns the <c>welcome</c>.</summary>
    public static async Task<(RawRoomClient Client, JsonElement Welcome)> JoinAsync(int httpPort, string room, string name)
    {
        var client = await ConnectAsync(httpPort, room);
        await client.SendAsync(new { type = "join", name });
        return (client, await client.WaitForAsync("welcome", TimeSpan.FromSeconds(10)));
    }

    /// <summary>Sends one message as a JSON text frame (property names as given: use camelCase).</summary>
    public async Task SendAsync(object message)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next message of <paramref name="type"/> (matching <paramref name="match"/>); earlier others are skipped.</summary>
    public async Task<JsonElement> WaitForAsync(string type, TimeSpan timeout, Func<JsonElement, bool>? match = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(cts.Token);
                if (message.GetProperty("type").GetString() == type && (match is null || match(message)))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no '{type}' message from the hub within {timeout.TotalSeconds} s");
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length < buffer.Length);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, length));
                _received.Writer.TryWrite(document.RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The hub went away; the channel completes below.
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }

    private async Task PingAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), _stop.Token);
                await SendAsync(new { type = "ping" });
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or InvalidOperationException)
        {
        }
    }

    /// <summary>Closes the connection (the hub reports the participant as left or disconnected).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pinger;
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
            }
        }

        if (await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(2))) != _reader)
        {
            _socket.Abort();
        }

        await _reader;
        _socket.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }
}
