using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Parley.Rtsp.Server;

/// <summary>
/// One client's RTSP TCP connection: reads requests and interleaved frames in order, answers each request before
/// reading the next, and serialises every write (responses and interleaved media) through one lock. On the RTSPS
/// port the same engine runs over an <see cref="SslStream"/> (TLS 1.2 or 1.3) after the handshake.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "CloseAsync releases the socket; the lock and token source live as long as writers may hold them.")]
internal sealed class RtspServerConnection
{
    private readonly RtspServer _server;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly X509Certificate2? _certificate;
    private SslStream? _tls;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _aborted = new();
    private readonly InterleavedRoute?[] _channels = new InterleavedRoute?[256];
    private readonly List<RtspServerSession> _sessions = [];
    private readonly HashSet<string> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SrtpSendGroup> _offeredKeys = new(StringComparer.Ordinal);
    private readonly byte[] _frameScratch = new byte[ushort.MaxValue];
    private readonly ILogger _logger;
    private int _closed;

    public RtspServerConnection(RtspServer server, Socket socket, X509Certificate2? certificate, ILogger logger)
    {
        _server = server;
        _certificate = certificate;
        _socket = socket;
        _logger = logger;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        RemoteEndPoint = remote.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(remote.Address.MapToIPv4(), remote.Port) : remote;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        LocalAddress = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
        LastRequest = server.Time.GetTimestamp();
    }

    /// <summary>When the last complete request was handled (or the connection opened), a TimeProvider timestamp.</summary>
    public long LastRequest { get; private set; }

    /// <summary>True when access "action:path" was allowed earlier on this connection.</summary>
    public bool HasGrant(string grant)
    {
        lock (_grants)
        {
            return _grants.Contains(grant);
        }
    }

    /// <summary>Remembers an allowed "action:path" (at most 64, a client reads or publishes a few paths).</summary>
    public void AddGrant(string grant)
    {
        lock (_grants)
        {
            if (_grants.Count < 64)
            {
                _grants.Add(grant);
            }
        }
    }

    /// <summary>
    /// Remembers the per-reader SRTP key a DESCRIBE of <paramref name="path"/> offered on this connection, so the
    /// SETUP that follows keys the session with the key the client read (at most 8 paths; a client reads a few).
    /// </summary>
    public void OfferKey(string path, SrtpSendGroup group)
    {
        lock (_offeredKeys)
        {
            if (_offeredKeys.Count >= 8 && !_offeredKeys.ContainsKey(path))
            {
                _offeredKeys.Clear();
            }

            _offeredKeys[path] = group;
        }
    }

    /// <summary>The per-reader key the last DESCRIBE of <paramref name="path"/> offered here, or null.</summary>
    public SrtpSendGroup? OfferedKey(string path)
    {
        lock (_offeredKeys)
        {
            return _offeredKeys.GetValueOrDefault(path);
        }
    }

    /// <summary>True while a session is bound to this connection.</summary>
    public bool HasSessions
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.Count > 0;
            }
        }
    }

    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The hub address the client connected to (what it would put in a URL for this hub).</summary>
    public IPAddress LocalAddress { get; }

    /// <summary>True on the RTSPS port: requests, responses and interleaved media are inside TLS.</summary>
    public bool IsSecure => _certificate is not null;

    /// <summary>Cancelled when the connection closes; pending writes abort with it.</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>The session an ANNOUNCE created on this connection, adopted by the SETUP that follows.</summary>
    public RtspServerSession? PendingAnnounce { get; set; }

    public void AddSession(RtspServerSession session)
    {
        lock (_sessions)
        {
            _sessions.Add(session);
        }
    }

    public void RemoveSession(RtspServerSession session)
    {
        lock (_sessions)
        {
            _sessions.Remove(session);
        }

        for (int i = 0; i < _channels.Length; i++)
        {
            if (_channels[i] is { } route && ReferenceEquals(route.Session, session))
            {
                _channels[i] = null;
            }
        }

        if (ReferenceEquals(PendingAnnounce, session))
        {
            PendingAnnounce = null;
        }
    }

    /// <summary>True when interleaved channel <paramref name="channel"/> is free or already belongs to <paramref name="session"/>.</summary>
    public bool IsChannelFree(int channel, RtspServerSession session) =>
        _channels[channel] is not { } route || ReferenceEquals(route.Session, session);

    public void RouteChannel(int channel, RtspServerSession session, int mediaIndex, bool isRtcp) =>
        _channels[channel] = new InterleavedRoute(session, mediaIndex, isRtcp);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token);
        if (_certificate is not null && !await AuthenticateAsync(_certificate, linked.Token))
        {
            await CloseAsync("TLS handshake failed");
            return;
        }

        var reader = PipeReader.Create((Stream?)_tls ?? _stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        string closeReason = "connection closed by client";
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(linked.Token);
                var buffer = result.Buffer;
                var (stop, reason) = await ProcessAsync(buffer, reader, linked.Token);
                if (stop)
                {
                    closeReason = reason!;
                    break;
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            closeReason = cancellationToken.IsCancellationRequested ? "server stopping" : "connection aborted";
        }
        catch (IOException ex)
        {
            closeReason = $"connection error: {ex.InnerException?.Message ?? ex.Message}";
        }
        catch (SocketException ex)
        {
            closeReason = $"connection error: {ex.Message}";
        }
        finally
        {
            await reader.CompleteAsync();
            await CloseAsync(closeReason);
        }
    }

    private async Task<bool> AuthenticateAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_server.Options.TlsHandshakeTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
            }, timeout.Token);
            _tls = tls;
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            _logger.LogDebug("{Remote}: TLS handshake failed: {Error}", RemoteEndPoint, ex.Message);
            await tls.DisposeAsync();
            return false;
        }
    }

    // Consumes every complete item in the buffer; returns (true, reason) when the connection must close.
    private async ValueTask<(bool Stop, string? Reason)> ProcessAsync(ReadOnlySequence<byte> buffer, PipeReader reader,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var before = buffer;
            var kind = RtspMessageReader.TryRead(ref buffer, _server.Options.Limits, out var request, out _,
                out byte channel, out var payload, out var error);
            switch (kind)
            {
                case RtspParseResult.Incomplete:
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return (false, null);
                case RtspParseResult.InterleavedFrame:
                    OnInterleavedFrame(channel, payload);
                    break;
                case RtspParseResult.Request:
                    // Handling awaits; the request owns copies of what it needs, so release the pipe first.
                    reader.AdvanceTo(buffer.Start);
                    var response = await _server.Dispatcher.HandleAsync(this, request!, cancellationToken);
                    await WriteAsync(response.Message.ToArray(), cancellationToken);
                    response.AfterWrite?.Invoke();
                    LastRequest = _server.Time.GetTimestamp();
                    return (false, null);
                case RtspParseResult.Response:
                    // Clients answer our nothing; a stray response is ignored.
                    break;
                default:
                    _server.CountMalformedRequest();
                    _logger.LogDebug("{Remote}: bad request ({Status} {Reason}); closing", RemoteEndPoint, error.StatusCode, error.Reason);
                    var refusal = RtspResponse.Create(error.StatusCode, null);
                    refusal.Headers["Connection"] = "close";
                    reader.AdvanceTo(before.End);
                    await WriteAsync(refusal.ToArray(), cancellationToken);
                    return (true, $"bad request: {error.Reason}");
            }
        }
    }

    private void OnInterleavedFrame(byte channel, ReadOnlySequence<byte> payload)
    {
        if (_channels[channel] is not { } route)
        {
            _server.CountUnroutedFrame();
            return;
        }

        route.Session.Touch();
        ReadOnlySpan<byte> span;
        if (payload.IsSingleSegment)
        {
            span = payload.FirstSpan;
        }
        else
        {
            payload.CopyTo(_frameScratch);
            span = _frameScratch.AsSpan(0, (int)payload.Length);
        }

        _server.Handler.PacketReceived(route.Session, route.MediaIndex, route.IsRtcp, span);
    }

    /// <summary>Writes bytes in order with every other write on this connection.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_tls is { } tls)
            {
                await tls.WriteAsync(data, cancellationToken);
            }
            else
            {
                await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes now if no other write is in progress; false otherwise (the caller drops the data).</summary>
    public bool TryWriteNow(ReadOnlySpan<byte> data)
    {
        if (Volatile.Read(ref _closed) != 0 || !_writeLock.Wait(0))
        {
            return false;
        }

        try
        {
            if (_tls is { } tls)
            {
                tls.Write(data);
            }
            else
            {
                _socket.Send(data, SocketFlags.None);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the socket and every session bound to this connection. Idempotent.</summary>
    public async ValueTask CloseAsync(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        await _aborted.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        if (_tls is { } tls)
        {
            await tls.DisposeAsync();
        }

        await _stream.DisposeAsync();
        RtspServerSession[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
            _sessions.Clear();
        }

        foreach (var session in sessions)
        {
            await _server.CloseSessionAsync(session, reason, closeConnection: false);
        }

        _server.RemoveConnection(this);
    }

    private sealed record InterleavedRoute(RtspServerSession Session, int MediaIndex, bool IsRtcp);
}
