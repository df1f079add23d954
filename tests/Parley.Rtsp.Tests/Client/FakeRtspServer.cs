using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Parley.Rtsp.Client;

namespace Parley.Rtsp.Tests.Client;

/// <summary>
/// A scripted loopback RTSP server for client tests: answers each request with a handler, records requests and
/// interleaved frames, and can push frames to the client.
/// </summary>
public sealed class FakeRtspServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RtspRequest, RtspResponse?> _handler;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private PipeWriter? _writer;
    private Socket? _client;

    public FakeRtspServer(Func<RtspRequest, RtspResponse?> handler)
    {
        _handler = handler;
        _listener.Start();
        _loop = Task.Run(RunAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url(string path) => $"rtsp://127.0.0.1:{Port}/{path}";

    public ConcurrentQueue<RtspRequest> Requests { get; } = new();

    public ConcurrentQueue<(byte Channel, byte[] Payload)> Frames { get; } = new();

    /// <summary>Responses the client sent to requests the server pushed.</summary>
    public ConcurrentQueue<RtspResponse> Responses { get; } = new();

    /// <summary>Waits until the client has answered <paramref name="count"/> pushed requests, or the timeout passes.</summary>
    public async Task WaitForResponsesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Responses.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    public async Task SendFrameAsync(byte channel, byte[] payload)
    {
        await _writeLock.WaitAsync();
        try
        {
            var span = _writer!.GetSpan(4 + payload.Length);
            span[0] = (byte)'$';
            span[1] = channel;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)payload.Length);
            payload.CopyTo(span[4..]);
            _writer.Advance(4 + payload.Length);
            await _writer.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _writer!.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the connection to the client.</summary>
    public void Drop()
    {
        _client?.Shutdown(SocketShutdown.Both);
        _client?.Close();
    }

    private async Task RunAsync()
    {
        try
        {
            _client = await _listener.AcceptSocketAsync(_cts.Token);
            var stream = new NetworkStream(_client, ownsSocket: true);
            var reader = PipeReader.Create(stream);
            _writer = PipeWriter.Create(stream);
            while (true)
            {
                var result = await reader.ReadAsync(_cts.Token);
                var buffer = result.Buffer;
                while (true)
                {
                    var kind = RtspMessageReader.TryRead(ref buffer, RtspParseLimits.Default, out var request, out var clientResponse, out var channel, out var payload, out _);
                    if (kind == RtspParseResult.Request)
                    {
                        Requests.Enqueue(request!);
                        var response = _handler(request!);
                        if (response is not null)
                        {
                            await _writeLock.WaitAsync();
                            try
                            {
                                response.WriteTo(_writer);
                                await _writer.FlushAsync();
                            }
                            finally
                            {
                                _writeLock.Release();
                            }
                        }
                    }
                    else if (kind == RtspParseResult.Response)
                    {
                        Responses.Enqueue(clientResponse!);
                    }
                    else if (kind == RtspParseResult.InterleavedFrame)
                    {
                        Frames.Enqueue((channel, payload.ToArray()));
                    }
                    else
                    {
                        break;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        _client?.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }

        _cts.Dispose();
    }
}

/// <summary>Collects packets delivered to the client, copying them (the span is only valid during the call).</summary>
public sealed class CollectingReceiver : IRtspMediaReceiver
{
    private readonly List<(int Media, byte[] Packet)> _rtp = [];
    private readonly List<(int Media, byte[] Packet)> _rtcp = [];

    public int RtpCount { get { lock (_rtp) { return _rtp.Count; } } }

    public int RtcpCount { get { lock (_rtcp) { return _rtcp.Count; } } }

    public List<(int Media, byte[] Packet)> Rtp { get { lock (_rtp) { return [.. _rtp]; } } }

    public List<(int Media, byte[] Packet)> Rtcp { get { lock (_rtcp) { return [.. _rtcp]; } } }

    public Action<int, byte[]>? OnRtpCopy { get; set; }

    public void OnRtp(int mediaIndex, ReadOnlySpan<byte> packet)
    {
        var copy = packet.ToArray();
        lock (_rtp)
        {
            _rtp.Add((mediaIndex, copy));
        }

        OnRtpCopy?.Invoke(mediaIndex, copy);
    }

    public void OnRtcp(int mediaIndex, ReadOnlySpan<byte> packet)
    {
        lock (_rtcp)
        {
            _rtcp.Add((mediaIndex, packet.ToArray()));
        }
    }

    public async Task WaitForRtpAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (RtpCount < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
