using System.Net.Sockets;
using System.Text;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>A bare TCP connection to speak RTSP by hand: exact bytes out, the raw status line and headers back.</summary>
public sealed class RawRtspConnection : IDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream? _stream;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _length;

    public static async Task<RawRtspConnection> OpenAsync(int port)
    {
        var connection = new RawRtspConnection();
        await connection._client.ConnectAsync("127.0.0.1", port);
        connection._stream = connection._client.GetStream();
        return connection;
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        try
        {
            await _stream!.WriteAsync(bytes);
        }
        catch (IOException)
        {
            // The server may close while we still write a hostile request; the reply is what counts.
        }
    }

    /// <summary>Reads one response (status line, headers, body by Content-Length); null when the server closed.</summary>
    public async Task<RawResponse?> ReadResponseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            string text = Encoding.ASCII.GetString(_buffer, 0, _length);
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0 && text.StartsWith("RTSP/1.0 ", StringComparison.Ordinal))
            {
                var lines = text[..end].Split("\r\n");
                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                    .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
                int bodyLength = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl) : 0;
                if (_length >= end + 4 + bodyLength)
                {
                    int status = int.Parse(lines[0].Split(' ')[1]);
                    string body = Encoding.UTF8.GetString(_buffer, end + 4, bodyLength);
                    int consumed = end + 4 + bodyLength;
                    Buffer.BlockCopy(_buffer, consumed, _buffer, 0, _length - consumed);
                    _length -= consumed;
                    return new RawResponse(status, headers, body);
                }
            }

            int read;
            try
            {
                read = await _stream!.ReadAsync(_buffer.AsMemory(_length), cts.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _length += read;
        }
    }

    /// <summary>True when the server closed the connection (EOF) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                int read = await _stream!.ReadAsync(_buffer.AsMemory(0), cts.Token);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}

public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
