using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Parley.Hub.Tests.Rooms;

/// <summary>A real WebSocket client of the room protocol, as a test drives it.</summary>
public sealed class RoomClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    private readonly ClientWebSocket _socket;
    private readonly byte[] _buffer = new byte[1 << 20];

    private RoomClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    public static async Task<RoomClient> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        // The test sends pings itself where it wants liveness; no protocol-level keep-alive muddles the idle test.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new RoomClient(socket);
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    public async Task SendBinaryAsync(byte[] data)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(data, WebSocketMessageType.Binary, true, timeout.Token);
    }

    /// <summary>The next message, or null when the hub closed the connection.</summary>
    public async Task<JsonElement?> ReceiveAnyAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        int length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                Assert.Equal(WebSocketMessageType.Text, result.MessageType);
                return JsonDocument.Parse(_buffer.AsMemory(0, length)).RootElement.Clone();
            }
        }
    }

    /// <summary>The next message; it must have <paramref name="type"/>.</summary>
    public async Task<JsonElement> ReceiveAsync(string type, TimeSpan? timeout = null)
    {
        var message = await ReceiveAnyAsync(timeout) ?? throw new InvalidOperationException($"connection closed while waiting for '{type}'");
        Assert.True(message.GetProperty("type").GetString() == type, $"expected '{type}', got {message}");
        return message;
    }

    /// <summary>Skips messages until one of <paramref name="type"/> that satisfies <paramref name="match"/>.</summary>
    public async Task<JsonElement> ReceiveUntilAsync(string type, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"no '{type}' arrived in time");
            var message = await ReceiveAnyAsync(left) ?? throw new InvalidOperationException($"connection closed while waiting for '{type}'");
            if (message.GetProperty("type").GetString() == type && (match is null || match(message)))
            {
                return message;
            }
        }
    }

    /// <summary>An error with <paramref name="code"/>, then proof the connection still works (ping, pong).</summary>
    public async Task ExpectErrorAndStillUsableAsync(string code, bool joined = true)
    {
        var error = await ReceiveAsync("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        await SendAsync(new { type = "ping" });
        await ReceiveAsync(joined ? "pong" : "error");
    }

    /// <summary>Tears the TCP connection down without a close handshake, as a crashed client would.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
    }
}
