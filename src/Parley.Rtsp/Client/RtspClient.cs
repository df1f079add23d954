using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Rtp.Sdp;

namespace Parley.Rtsp.Client;

/// <summary>
/// An RTSP 1.0 client (RFC 2326) over one TCP (or TLS, for rtsps://) connection: plays a presentation
/// (DESCRIBE, SETUP, PLAY) or publishes one (ANNOUNCE, SETUP with mode=record, RECORD), with media interleaved
/// on the connection (RFC 2326 §10.12) or on UDP port pairs.
/// </summary>
/// <remarks>
/// <para>Typical use for playing:</para>
/// <code>
/// await using var client = await RtspClient.ConnectAsync("rtsp://host:8554/cam", new() { Receiver = receiver }, ct);
/// var sdp = await client.DescribeAsync(ct);
/// await client.SetupAsync(ct);      // every media of the SDP
/// await client.PlayAsync(ct);       // packets now reach receiver.OnRtp / OnRtcp
/// ...
/// await client.TeardownAsync(ct);
/// </code>
/// <para>Every request gets the next CSeq, the session id once SETUP returned one, User-Agent and, after a 401
/// challenge when the URL carries user:password, an Authorization header (Basic or Digest). Requests are sent one
/// at a time; concurrent calls wait their turn. While playing or recording the client sends a keep-alive every
/// half session timeout. Non-2xx answers to the high-level methods raise <see cref="RtspClientException"/>.</para>
/// </remarks>
public sealed class RtspClient : IAsyncDisposable
{
    private const int DefaultSessionTimeoutSeconds = 60;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly RtspClientOptions _options;
    private readonly ILogger _logger;
    private readonly RtspAuthenticator? _authenticator;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _requestLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _pendingGate = new();
    private readonly List<RtspClientMedia> _media = [];
    private readonly List<Task> _udpLoops = [];

    // Interleaved channel -> (media index << 1 | isRtcp) + 1; 0 means not mapped.
    private readonly int[] _channelMap = new int[256];
    private readonly byte[] _frameScratch = new byte[ushort.MaxValue];

    private readonly Task _readLoop;
    private TaskCompletionSource<RtspResponse>? _pending;
    private int _pendingCSeq;
    private int _cseq;
    private Task? _keepAlive;
    private bool _publishing;
    private bool _tornDown;
    private bool _keepAliveUsesOptions;
    private volatile Exception? _failure;
    private int _disposed;
    private long _keepAlivesSent;
    private long _unknownChannelFrames;

    private RtspClient(Socket socket, Stream stream, string url, RtspUriParts parts, RtspClientOptions options)
    {
        _socket = socket;
        _stream = stream;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        Url = url;
        AggregateControlUrl = url;
        if (parts.User is not null)
        {
            _authenticator = new RtspAuthenticator(parts.User, parts.Password ?? string.Empty);
        }

        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 16384, leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _readLoop = Task.Run(() => ReadLoopAsync(_lifetime.Token));
    }

    /// <summary>The presentation URL without user information, as used in requests.</summary>
    [SuppressMessage("Design", "CA1056:URI-like properties should not be strings", Justification = "Wire text.")]
    public string Url { get; }

    /// <summary>
    /// URL for aggregate requests (PLAY, RECORD, PAUSE, TEARDOWN, keep-alive): the session-level a=control resolved
    /// against Content-Base (RFC 2326 §C.1.1), else the Content-Base, else <see cref="Url"/>.
    /// </summary>
    [SuppressMessage("Design", "CA1056:URI-like properties should not be strings", Justification = "Wire text.")]
    public string AggregateControlUrl { get; private set; }

    /// <summary>The session description from DESCRIBE, or the one sent with ANNOUNCE; null before either.</summary>
    public SdpSession? Sdp { get; private set; }

    /// <summary>The media of <see cref="Sdp"/>, in m= line order, with their control URLs and negotiated transports.</summary>
    public IReadOnlyList<RtspClientMedia> Media => _media;

    /// <summary>The session id the server assigned in SETUP (RFC 2326 §12.37); null before.</summary>
    public string? SessionId { get; private set; }

    /// <summary>The session timeout the server announced (";timeout=", default 60 s, RFC 2326 §12.37).</summary>
    public TimeSpan SessionTimeout { get; private set; } = TimeSpan.FromSeconds(DefaultSessionTimeoutSeconds);

    /// <summary>The server's RTSP endpoint.</summary>
    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    /// <summary>Number of keep-alive requests answered so far.</summary>
    public long KeepAlivesSent => Interlocked.Read(ref _keepAlivesSent);

    /// <summary>Interleaved frames received on channels no SETUP assigned (ignored).</summary>
    public long UnknownChannelFrames => Interlocked.Read(ref _unknownChannelFrames);

    /// <summary>
    /// Completes when the connection ends: faulted with <see cref="RtspClientException"/> when the server closed it or
    /// sent something unparseable, successfully after <see cref="DisposeAsync"/>.
    /// </summary>
    public Task Completion => _readLoop;

    /// <summary>
    /// Opens the RTSP connection (TCP, or TLS for rtsps://). No request is sent yet.
    /// </summary>
    /// <param name="url">rtsp://[user:password@]host[:port]/path; default ports 554 (rtsp) and 322 (rtsps).</param>
    /// <param name="options">Client settings; the object is used as is (not copied), do not change it afterwards.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="ArgumentException">The URL is not an rtsp:// or rtsps:// URL.</exception>
    /// <exception cref="RtspClientException">The connection (or TLS handshake) failed or timed out.</exception>
    [SuppressMessage("Design", "CA1054:URI-like parameters should not be strings", Justification = "Wire text.")]
    public static async Task<RtspClient> ConnectAsync(string url, RtspClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        if (!RtspUri.TryParse(url, out RtspUriParts? parts))
        {
            throw new ArgumentException($"'{url}' is not an RTSP URL; expected rtsp://host[:port]/path or rtsps://...", nameof(url));
        }

        var requestUrl = StripUserInfo(url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(parts.Host, parts.Port, timeout.Token);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (parts.Scheme == "rtsps")
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, options.ServerCertificateValidation);
                stream = ssl;
                // TLS 1.3 first; 1.2 only with the platform's forward-secret (ECDHE) suites, which is all OpenSSL offers by default.
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = parts.Host,
                    EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13 | System.Security.Authentication.SslProtocols.Tls12,
                }, timeout.Token);
            }

            return new RtspClient(socket, stream, requestUrl, parts, options);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            socket.Dispose();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var what = ex is OperationCanceledException ? $"timed out after {options.ConnectTimeout.TotalSeconds:0.#} s" : ex.Message;
            throw new RtspClientException(
                $"Cannot connect to {parts.Host}:{parts.Port} for {requestUrl} ({what}). Check that the server is running and the host and port are right.", ex);
        }
    }

    /// <summary>
    /// Sends a request and waits for its response, whatever its status. Sets CSeq (always), Session (once known,
    /// unless present), User-Agent (unless present) and Authorization (after a challenge). A 401 answer is retried
    /// once with credentials when the URL carried them.
    /// </summary>
    /// <param name="request">The request; its headers are modified as described.</param>
    /// <param name="cancellationToken">Cancels waiting (the request may already be on the wire).</param>
    /// <returns>The response, 2xx or not.</returns>
    /// <exception cref="RtspClientException">No response within <see cref="RtspClientOptions.RequestTimeout"/>, or the
    /// connection failed or was closed.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public async Task<RtspResponse> SendAsync(RtspRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _requestLock.WaitAsync(cancellationToken);
        try
        {
            var response = await ExchangeAsync(request, cancellationToken);
            if (response.StatusCode == 401 && _authenticator is not null && !request.Headers.Contains("Authorization")
                && _authenticator.TryAccept(response))
            {
                response = await ExchangeAsync(request, cancellationToken);
            }

            return response;
        }
        finally
        {
            _requestLock.Release();
        }
    }

    /// <summary>Sends OPTIONS (RFC 2326 §10.1) for the presentation URL.</summary>
    /// <returns>The response; its Public header lists the server's methods.</returns>
    /// <exception cref="RtspClientException">Non-2xx status, timeout or connection failure.</exception>
    public async Task<RtspResponse> OptionsAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendCheckedAsync(new RtspRequest(RtspMethods.Options, Url), cancellationToken);
        if (response.Headers["Public"] is { } methods && !methods.Contains(RtspMethods.GetParameter, StringComparison.OrdinalIgnoreCase))
        {
            _keepAliveUsesOptions = true;
        }

        return response;
    }

    /// <summary>
    /// Sends DESCRIBE (RFC 2326 §10.2) and parses the SDP; sets <see cref="Sdp"/>, <see cref="Media"/> (control URLs
    /// resolved against Content-Base, RFC 2326 §C.1.1) and <see cref="AggregateControlUrl"/>.
    /// </summary>
    /// <exception cref="RtspClientException">Non-2xx status (e.g. 404 when the path does not exist, 401 without valid
    /// credentials), a body that is not SDP, timeout or connection failure.</exception>
    public async Task<SdpSession> DescribeAsync(CancellationToken cancellationToken = default)
    {
        var request = new RtspRequest(RtspMethods.Describe, Url);
        request.Headers.Add("Accept", "application/sdp");
        var response = await SendCheckedAsync(request, cancellationToken);
        var text = Encoding.UTF8.GetString(response.Body.Span);
        if (!SdpSession.TryParse(text, out var sdp, out var error))
        {
            throw new RtspClientException(
                $"DESCRIBE {Url}: the server's answer is not a valid SDP ({error}); Content-Type was '{response.Headers["Content-Type"] ?? "(none)"}'.",
                response.StatusCode, response);
        }

        var baseUrl = response.Headers["Content-Base"] ?? response.Headers["Content-Location"] ?? Url;
        UseSession(sdp!, baseUrl);
        return sdp!;
    }

    /// <summary>
    /// Sends ANNOUNCE (RFC 2326 §10.3) with the SDP of the presentation to publish. Media without a=control get
    /// "trackID=&lt;index&gt;" (the caller's object is not modified: <see cref="Sdp"/> is the copy that was sent).
    /// </summary>
    /// <param name="sdp">The presentation: one m= line per track to publish.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <exception cref="ArgumentException">The SDP has no media.</exception>
    /// <exception cref="RtspClientException">Non-2xx status, timeout or connection failure.</exception>
    public async Task AnnounceAsync(SdpSession sdp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        if (sdp.Media.Count == 0)
        {
            throw new ArgumentException("The SDP to announce has no media (m=) lines; add one per track to publish.", nameof(sdp));
        }

        var copy = sdp.Clone();
        for (var i = 0; i < copy.Media.Count; i++)
        {
            copy.Media[i].Control ??= "trackID=" + i.ToString(CultureInfo.InvariantCulture);
        }

        var request = new RtspRequest(RtspMethods.Announce, Url)
        {
            Body = Encoding.UTF8.GetBytes(copy.ToString()),
        };
        request.Headers.Add("Content-Type", "application/sdp");
        await SendCheckedAsync(request, cancellationToken);
        _publishing = true;
        UseSession(copy, Url);
    }

    /// <summary>Sends SETUP (RFC 2326 §10.4) for every media of <see cref="Sdp"/> that is not set up yet.</summary>
    /// <exception cref="InvalidOperationException">Neither DESCRIBE nor ANNOUNCE was done.</exception>
    /// <exception cref="RtspClientException">Non-2xx status (461 when the server refuses the transport), an unusable
    /// Transport answer, timeout or connection failure.</exception>
    public async Task SetupAsync(CancellationToken cancellationToken = default)
    {
        RequireSession();
        for (var i = 0; i < _media.Count; i++)
        {
            if (!_media[i].IsSetUp)
            {
                await SetupAsync(i, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Sends SETUP (RFC 2326 §10.4) for one media: over TCP asking for interleaved channels 2i and 2i+1, over UDP
    /// binding an even/odd local port pair and asking the server to send there; adds mode=record when publishing.
    /// </summary>
    /// <param name="mediaIndex">Index into <see cref="Media"/>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The Transport the server chose (channels or server ports may differ from the request).</returns>
    /// <exception cref="InvalidOperationException">Neither DESCRIBE nor ANNOUNCE was done.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No media with that index.</exception>
    /// <exception cref="RtspClientException">Non-2xx status, an unusable Transport answer, timeout or connection failure.</exception>
    public async Task<RtspTransport> SetupAsync(int mediaIndex, CancellationToken cancellationToken = default)
    {
        RequireSession();
        ArgumentOutOfRangeException.ThrowIfNegative(mediaIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(mediaIndex, _media.Count);
        var media = _media[mediaIndex];
        var profile = media.Description.Protocol.StartsWith("RTP/", StringComparison.OrdinalIgnoreCase)
            ? string.Join('/', media.Description.Protocol.Split('/').Take(2)).ToUpperInvariant()
            : "RTP/AVP";
        bool savp = profile == "RTP/SAVP";
        if (savp && _options.Transport == RtspClientTransport.Tcp)
        {
            // Interleaved media rides inside the RTSPS connection's TLS: plain RTP there, as ffmpeg asks too.
            profile = "RTP/AVP";
            savp = false;
        }

        RtspClientSrtp? srtp = null;
        if (savp && !RtspClientSrtp.TryCreate(media.Description, Sdp, out srtp, out string? keyError))
        {
            throw new RtspClientException($"SETUP {media.ControlUrl}: {keyError}.");
        }

        var wanted = new RtspTransport { Profile = profile, Mode = _publishing ? "RECORD" : null };
        Socket? rtp = null;
        Socket? rtcp = null;
        if (_options.Transport == RtspClientTransport.Tcp)
        {
            if (mediaIndex > 127)
            {
                throw new RtspClientException($"Media {mediaIndex} has no free interleaved channel pair (only 128 media fit on TCP).");
            }

            wanted.LowerTransport = "TCP";
            wanted.Interleaved = (2 * mediaIndex, (2 * mediaIndex) + 1);
        }
        else
        {
            (rtp, rtcp) = BindUdpPair(UdpAddress());
            var port = ((IPEndPoint)rtp.LocalEndPoint!).Port;
            wanted.ClientPort = (port, port + 1);
        }

        var request = new RtspRequest(RtspMethods.Setup, media.ControlUrl);
        request.Headers.Add("Transport", wanted.ToString());
        try
        {
            var response = await SendCheckedAsync(request, cancellationToken);
            var transportHeader = response.Headers["Transport"];
            var answers = transportHeader is null ? [] : RtspTransport.ParseList(transportHeader);
            var answer = answers.Count > 0 ? answers[0] : null;
            if (answer is null)
            {
                throw new RtspClientException(
                    $"SETUP {media.ControlUrl}: the server's Transport header '{transportHeader ?? "(missing)"}' is not usable; expected e.g. '{wanted}'.",
                    response.StatusCode, response);
            }

            if (response.Session is { } session)
            {
                SessionId = session;
                SessionTimeout = TimeSpan.FromSeconds(
                    RtspHeaderValues.TryParseSessionTimeout(response.Headers["Session"]!, out var seconds) ? seconds : DefaultSessionTimeoutSeconds);
            }

            if (_options.Transport == RtspClientTransport.Tcp)
            {
                if (!answer.IsTcp)
                {
                    throw new RtspClientException(
                        $"SETUP {media.ControlUrl}: asked for TCP interleaving but the server answered '{transportHeader}'. Use RtspClientTransport.Udp for this server.",
                        response.StatusCode, response);
                }

                var (rtpChannel, rtcpChannel) = answer.Interleaved ?? wanted.Interleaved!.Value;
                media.RtpChannel = (byte)rtpChannel;
                media.RtcpChannel = (byte)rtcpChannel;
                Volatile.Write(ref _channelMap[rtpChannel], (mediaIndex << 1) + 1);
                Volatile.Write(ref _channelMap[rtcpChannel], (mediaIndex << 1) + 2);
            }
            else
            {
                if (answer.IsTcp)
                {
                    throw new RtspClientException(
                        $"SETUP {media.ControlUrl}: asked for UDP but the server answered '{transportHeader}'. Use RtspClientTransport.Tcp for this server.",
                        response.StatusCode, response);
                }

                var serverAddress = ServerAddress(answer);
                if (answer.ServerPort is { } serverPort)
                {
                    media.ServerRtpAddress = new IPEndPoint(serverAddress, serverPort.Rtp).Serialize();
                    media.ServerRtcpAddress = new IPEndPoint(serverAddress, serverPort.Rtcp).Serialize();
                }

                media.RtpSocket = rtp;
                media.RtcpSocket = rtcp;
                media.Srtp = srtp;
                srtp = null;
                var (rtpSocket, rtcpSocket, lifetime) = (rtp!, rtcp!, _lifetime.Token);
                _udpLoops.Add(Task.Run(() => UdpReceiveLoopAsync(rtpSocket, mediaIndex, rtcp: false, lifetime), CancellationToken.None));
                _udpLoops.Add(Task.Run(() => UdpReceiveLoopAsync(rtcpSocket, mediaIndex, rtcp: true, lifetime), CancellationToken.None));
                (rtp, rtcp) = (null, null);
                await PunchAsync(media, cancellationToken);
            }

            media.Transport = answer;
            return answer;
        }
        finally
        {
            rtp?.Dispose();
            rtcp?.Dispose();
            srtp?.Dispose();
        }
    }

    /// <summary>
    /// Sends PLAY (RFC 2326 §10.5) for the whole presentation with the Range of <see cref="RtspClientOptions.PlayRange"/>,
    /// then starts keep-alives.
    /// </summary>
    /// <returns>The response; its RTP-Info header (RFC 2326 §12.33) gives each stream's first sequence number and timestamp.</returns>
    /// <exception cref="InvalidOperationException">No media was set up.</exception>
    /// <exception cref="RtspClientException">Non-2xx status, timeout or connection failure.</exception>
    public Task<RtspResponse> PlayAsync(CancellationToken cancellationToken = default) =>
        StartAsync(RtspMethods.Play, cancellationToken);

    /// <summary>Sends RECORD (RFC 2326 §10.11) after ANNOUNCE and SETUP, then starts keep-alives; send media with <see cref="SendRtpAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">No media was set up.</exception>
    /// <exception cref="RtspClientException">Non-2xx status, timeout or connection failure.</exception>
    public Task<RtspResponse> RecordAsync(CancellationToken cancellationToken = default) =>
        StartAsync(RtspMethods.Record, cancellationToken);

    /// <summary>Sends PAUSE (RFC 2326 §10.6) for the whole presentation. Keep-alives continue.</summary>
    /// <exception cref="RtspClientException">Non-2xx status, timeout or connection failure.</exception>
    public Task<RtspResponse> PauseAsync(CancellationToken cancellationToken = default) =>
        SendCheckedAsync(new RtspRequest(RtspMethods.Pause, AggregateControlUrl), cancellationToken);

    /// <summary>
    /// Sends TEARDOWN (RFC 2326 §10.7) for the whole presentation and stops keep-alives. The connection stays open;
    /// dispose the client to close it.
    /// </summary>
    /// <exception cref="RtspClientException">Non-2xx status, timeout or connection failure.</exception>
    public async Task TeardownAsync(CancellationToken cancellationToken = default)
    {
        _tornDown = true;
        await SendCheckedAsync(new RtspRequest(RtspMethods.Teardown, AggregateControlUrl), cancellationToken);
        SessionId = null;
    }

    /// <summary>
    /// Sends one RTP packet of a published media (after RECORD): as an interleaved frame on the connection, or
    /// over UDP to the server's RTP port. Allocation-free.
    /// </summary>
    /// <param name="mediaIndex">Index into <see cref="Media"/>.</param>
    /// <param name="packet">A complete RTP packet, at most 65535 bytes.</param>
    /// <param name="cancellationToken">Cancels waiting for the connection's send lock.</param>
    /// <exception cref="InvalidOperationException">The media is not set up (or, over UDP, the server gave no server_port).</exception>
    /// <exception cref="ArgumentException">The packet is larger than an interleaved frame can carry.</exception>
    /// <exception cref="RtspClientException">The connection failed.</exception>
    public ValueTask SendRtpAsync(int mediaIndex, ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default) =>
        SendMediaAsync(mediaIndex, rtcp: false, packet, cancellationToken);

    /// <summary>Sends one RTCP compound packet for a media; see <see cref="SendRtpAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The media is not set up (or, over UDP, the server gave no server_port).</exception>
    /// <exception cref="ArgumentException">The packet is larger than an interleaved frame can carry.</exception>
    /// <exception cref="RtspClientException">The connection failed.</exception>
    public ValueTask SendRtcpAsync(int mediaIndex, ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default) =>
        SendMediaAsync(mediaIndex, rtcp: true, packet, cancellationToken);

    /// <summary>
    /// Sends TEARDOWN if a session is active (best effort, within one second), then closes the connection and the
    /// UDP sockets and stops the receive loops. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (SessionId is not null && !_tornDown && _failure is null)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _requestLock.WaitAsync(quick.Token);
                try
                {
                    await ExchangeAsync(new RtspRequest(RtspMethods.Teardown, AggregateControlUrl), quick.Token);
                }
                finally
                {
                    _requestLock.Release();
                }
            }
            catch (Exception ex) when (ex is RtspClientException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                _logger.LogDebug(ex, "RTSP client: TEARDOWN on dispose failed for {Url}", Url);
            }
        }

        await _lifetime.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer.
        }

        foreach (var media in _media)
        {
            media.RtpSocket?.Dispose();
            media.RtcpSocket?.Dispose();
        }

        await AwaitQuietly(_readLoop);
        if (_keepAlive is not null)
        {
            await AwaitQuietly(_keepAlive);
        }

        foreach (var loop in _udpLoops)
        {
            await AwaitQuietly(loop);
        }

        foreach (var media in _media)
        {
            media.Srtp?.Dispose();
        }

        await _reader.CompleteAsync();
        // A publisher's thread may be inside SendRtpAsync: the pipe writer is not thread-safe, so complete it
        // under the write lock. Its last flush meets a shut-down socket; that failure is expected here.
        bool locked = await _writeLock.WaitAsync(TimeSpan.FromSeconds(1));
        try
        {
            await _writer.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogDebug(ex, "RTSP client: closing the connection to {Url} dropped unsent bytes", Url);
        }
        finally
        {
            if (locked)
            {
                _writeLock.Release();
            }
        }

        await _stream.DisposeAsync();
        _socket.Dispose();
        _lifetime.Dispose();
        FailPending(new ObjectDisposedException(nameof(RtspClient)));
    }

    private static async Task AwaitQuietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or RtspClientException or IOException or SocketException or ObjectDisposedException)
        {
            // The loops end with these when the connection is torn down; nothing left to report.
        }
    }

    private async Task<RtspResponse> StartAsync(string method, CancellationToken cancellationToken)
    {
        if (!_media.Any(m => m.IsSetUp))
        {
            throw new InvalidOperationException($"{method} needs at least one media set up first: call SetupAsync after DescribeAsync or AnnounceAsync.");
        }

        var request = new RtspRequest(method, AggregateControlUrl);
        if (_options.PlayRange is { } range)
        {
            request.Headers.Add("Range", range);
        }

        var response = await SendCheckedAsync(request, cancellationToken);
        _tornDown = false;
        _keepAlive ??= Task.Run(() => KeepAliveLoopAsync(_lifetime.Token), CancellationToken.None);
        return response;
    }

    private async Task<RtspResponse> SendCheckedAsync(RtspRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccess)
        {
            throw new RtspClientException(DescribeFailure(request, response), response.StatusCode, response);
        }

        return response;
    }

    private static string DescribeFailure(RtspRequest request, RtspResponse response)
    {
        var hint = response.StatusCode switch
        {
            401 => " Put valid credentials in the URL (rtsp://user:password@host/path).",
            403 => " The server refuses this client or path; check its access rules.",
            404 => " Check the path: the server has no presentation there (is the publisher running?).",
            454 => " The session expired or was closed; start again with DESCRIBE or ANNOUNCE.",
            455 => " The server is not in the right state for this method (e.g. PLAY before SETUP).",
            459 => " The server wants per-media requests for this method.",
            461 => " The server refuses this transport; try the other RtspClientTransport (Tcp or Udp).",
            _ => string.Empty,
        };
        // A Parley hub explains its refusals in X-Parley-Error ("path 'cam' already has a publisher").
        string detail = response.Headers.TryGetValue("X-Parley-Error", out string explanation) ? $" ({explanation})" : string.Empty;
        return $"RTSP {request.Method} {request.Uri} failed: the server answered {response.StatusCode} {response.Reason}{detail}.{hint}";
    }

    private async Task<RtspResponse> ExchangeAsync(RtspRequest request, CancellationToken cancellationToken)
    {
        if (_failure is { } failure)
        {
            throw new RtspClientException($"RTSP {request.Method} {request.Uri}: the connection is closed ({failure.Message}).", failure);
        }

        var cseq = Interlocked.Increment(ref _cseq);
        request.CSeq = cseq;
        if (SessionId is not null && !request.Headers.Contains("Session"))
        {
            request.Headers.Add("Session", SessionId);
        }

        if (!request.Headers.Contains("User-Agent") && !string.IsNullOrEmpty(_options.UserAgent))
        {
            request.Headers.Add("User-Agent", _options.UserAgent);
        }

        if (_authenticator is { HasChallenge: true } && _authenticator.Authorize(request.Method, request.Uri) is { } authorization)
        {
            request.Headers["Authorization"] = authorization;
        }
        else if (_options.BearerToken is { Length: > 0 } token && !request.Headers.Contains("Authorization"))
        {
            request.Headers["Authorization"] = "Bearer " + token;
        }

        var tcs = new TaskCompletionSource<RtspResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pendingGate)
        {
            _pending = tcs;
            _pendingCSeq = cseq;
        }

        // The read loop may have ended after the check above; it publishes _failure before failing the pending request.
        if (_failure is { } late)
        {
            tcs.TrySetException(late);
        }

        try
        {
            _logger.LogDebug("RTSP client -> {Request} CSeq {CSeq}", request, cseq);
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                request.WriteTo(_writer);
                await _writer.FlushAsync(cancellationToken);
            }
            finally
            {
                _writeLock.Release();
            }

            try
            {
                var response = await tcs.Task.WaitAsync(_options.RequestTimeout, _options.TimeProvider, cancellationToken);
                _logger.LogDebug("RTSP client <- {Response} CSeq {CSeq}", response, cseq);
                return response;
            }
            catch (TimeoutException ex)
            {
                throw new RtspClientException(
                    $"RTSP {request.Method} {request.Uri}: no response within {_options.RequestTimeout.TotalSeconds:0.#} s. The server may be overloaded or not speak RTSP on this port.",
                    ex);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            throw new RtspClientException($"RTSP {request.Method} {request.Uri}: sending failed ({ex.Message}).", ex);
        }
        finally
        {
            lock (_pendingGate)
            {
                if (ReferenceEquals(_pending, tcs))
                {
                    _pending = null;
                }
            }
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var stop = false;
                while (!stop)
                {
                    var kind = RtspMessageReader.TryRead(ref buffer, _options.ParseLimits, out var request, out var response, out var channel, out var payload, out var error);
                    switch (kind)
                    {
                        case RtspParseResult.InterleavedFrame:
                            DeliverFrame(channel, payload);
                            break;
                        case RtspParseResult.Response:
                            CompletePending(response!);
                            break;
                        case RtspParseResult.Request:
                            await AnswerServerRequestAsync(request!, cancellationToken);
                            break;
                        case RtspParseResult.Invalid:
                            throw new RtspClientException($"The server {_socket.RemoteEndPoint} sent invalid RTSP ({error.Reason}); the connection was closed.");
                        default:
                            stop = true;
                            break;
                    }
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    failure = new RtspClientException($"The server {_socket.RemoteEndPoint} closed the RTSP connection.");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            failure = new ObjectDisposedException(nameof(RtspClient));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or RtspClientException or InvalidOperationException)
        {
            failure = ex as RtspClientException ?? new RtspClientException($"The RTSP connection to {Url} failed ({ex.Message}).", ex);
        }

        _failure = failure;
        FailPending(failure!);
        if (failure is RtspClientException && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("RTSP client: {Reason}", failure.Message);
            throw failure;
        }
    }

    private void CompletePending(RtspResponse response)
    {
        TaskCompletionSource<RtspResponse>? pending;
        lock (_pendingGate)
        {
            pending = _pending;
            if (pending is null || (response.CSeq is { } cseq && cseq != _pendingCSeq))
            {
                _logger.LogDebug("RTSP client: ignoring unexpected response {Response} CSeq {CSeq}", response, response.CSeq);
                return;
            }

            _pending = null;
        }

        pending.TrySetResult(response);
    }

    private void FailPending(Exception failure)
    {
        TaskCompletionSource<RtspResponse>? pending;
        lock (_pendingGate)
        {
            pending = _pending;
            _pending = null;
        }

        pending?.TrySetException(failure);
    }

    // Servers may send requests too (RFC 2326 §10: OPTIONS, ANNOUNCE, REDIRECT, GET/SET_PARAMETER).
    private async Task AnswerServerRequestAsync(RtspRequest request, CancellationToken cancellationToken)
    {
        var response = RtspResponse.Create(request.Method == RtspMethods.Options ? 200 : 501, request.CSeq);
        if (request.Session is { } session)
        {
            response.Headers.Add("Session", session);
        }

        _logger.LogDebug("RTSP client: server sent {Request}, answering {Status}", request, response.StatusCode);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            response.WriteTo(_writer);
            await _writer.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void DeliverFrame(byte channel, ReadOnlySequence<byte> payload)
    {
        var mapped = Volatile.Read(ref _channelMap[channel]);
        if (mapped == 0)
        {
            Interlocked.Increment(ref _unknownChannelFrames);
            return;
        }

        var receiver = _options.Receiver;
        if (receiver is null)
        {
            return;
        }

        ReadOnlySpan<byte> packet;
        if (payload.IsSingleSegment)
        {
            packet = payload.FirstSpan;
        }
        else
        {
            payload.CopyTo(_frameScratch);
            packet = _frameScratch.AsSpan(0, (int)payload.Length);
        }

        Deliver(receiver, (mapped - 1) >> 1, ((mapped - 1) & 1) != 0, packet);
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "A faulty receiver must not tear down the RTSP connection; the failure is logged.")]
    private void Deliver(IRtspMediaReceiver receiver, int mediaIndex, bool rtcp, ReadOnlySpan<byte> packet)
    {
        try
        {
            if (rtcp)
            {
                receiver.OnRtcp(mediaIndex, packet);
            }
            else
            {
                receiver.OnRtp(mediaIndex, packet);
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "RTSP client: the media receiver threw for media {Media}", mediaIndex);
        }
    }

    private async Task UdpReceiveLoopAsync(Socket socket, int mediaIndex, bool rtcp, CancellationToken cancellationToken)
    {
        var buffer = new byte[ushort.MaxValue];
        var from = new SocketAddress(socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, cancellationToken);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_media[mediaIndex].Srtp is { } srtp && received > 0)
            {
                received = srtp.Unprotect(rtcp, buffer.AsSpan(0, received));
            }

            if (_options.Receiver is { } receiver && received > 0)
            {
                Deliver(receiver, mediaIndex, rtcp, buffer.AsSpan(0, received));
            }
        }
    }

    private async ValueTask SendMediaAsync(int mediaIndex, bool rtcp, ReadOnlyMemory<byte> packet, CancellationToken cancellationToken)
    {
        if ((uint)mediaIndex >= (uint)_media.Count || _media[mediaIndex].Transport is not { } transport)
        {
            throw new InvalidOperationException($"Media {mediaIndex} is not set up; call SetupAsync first.");
        }

        var media = _media[mediaIndex];
        if (transport.IsTcp)
        {
            if (packet.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"An interleaved frame carries at most 65535 bytes; the packet has {packet.Length}.", nameof(packet));
            }

            if (_failure is { } failure)
            {
                throw new RtspClientException($"Cannot send media: the RTSP connection is closed ({failure.Message}).", failure);
            }

            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                var span = _writer.GetSpan(4 + packet.Length);
                span[0] = (byte)'$';
                span[1] = rtcp ? media.RtcpChannel : media.RtpChannel;
                BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)packet.Length);
                packet.Span.CopyTo(span[4..]);
                _writer.Advance(4 + packet.Length);
                await _writer.FlushAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
            {
                throw new RtspClientException($"Cannot send media: the RTSP connection failed ({ex.Message}).", ex);
            }
            finally
            {
                _writeLock.Release();
            }

            return;
        }

        var socket = rtcp ? media.RtcpSocket : media.RtpSocket;
        var target = rtcp ? media.ServerRtcpAddress : media.ServerRtpAddress;
        if (socket is null || target is null)
        {
            throw new InvalidOperationException($"Media {mediaIndex}: the server gave no server_port in its SETUP answer, so there is nowhere to send UDP.");
        }

        await socket.SendToAsync(packet, SocketFlags.None, target, cancellationToken);
    }

    // A few empty-ish packets from the client ports open NAT and stateful-firewall pinholes for the server's media
    // (what ffmpeg and GStreamer do); over loopback they are harmless. RTP: version 2, no payload.
    private static async Task PunchAsync(RtspClientMedia media, CancellationToken cancellationToken)
    {
        if (media.ServerRtpAddress is null || media.RtpSocket is null || media.RtcpSocket is null)
        {
            return;
        }

        byte[] rtp = [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] rtcpReceiverReport = [0x80, 201, 0, 1, 0, 0, 0, 0];
        try
        {
            await media.RtpSocket.SendToAsync(rtp, SocketFlags.None, media.ServerRtpAddress, cancellationToken);
            await media.RtcpSocket.SendToAsync(rtcpReceiverReport, SocketFlags.None, media.ServerRtcpAddress!, cancellationToken);
        }
        catch (SocketException)
        {
            // Best effort only.
        }
    }

    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var interval = _options.KeepAliveInterval ?? SessionTimeout / 2;
            try
            {
                await Task.Delay(interval, _options.TimeProvider, cancellationToken);
                if (_tornDown || _failure is not null)
                {
                    continue;
                }

                var method = _keepAliveUsesOptions ? RtspMethods.Options : RtspMethods.GetParameter;
                var response = await SendAsync(new RtspRequest(method, AggregateControlUrl), cancellationToken);
                if (response.StatusCode is 405 or 501 or 551 && !_keepAliveUsesOptions)
                {
                    _keepAliveUsesOptions = true;
                }
                else
                {
                    Interlocked.Increment(ref _keepAlivesSent);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RtspClientException ex)
            {
                _logger.LogWarning("RTSP client: keep-alive failed: {Reason}", ex.Message);
                if (_failure is not null)
                {
                    return;
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void RequireSession()
    {
        if (Sdp is null)
        {
            throw new InvalidOperationException("SETUP needs a session description: call DescribeAsync (to play) or AnnounceAsync (to publish) first.");
        }
    }

    private void UseSession(SdpSession sdp, string baseUrl)
    {
        foreach (var old in _media)
        {
            old.RtpSocket?.Dispose();
            old.RtcpSocket?.Dispose();
        }

        _media.Clear();
        Array.Clear(_channelMap);
        Sdp = sdp;
        AggregateControlUrl = sdp.Control is { } control ? RtspUri.Combine(baseUrl, control) : baseUrl;
        for (var i = 0; i < sdp.Media.Count; i++)
        {
            var description = sdp.Media[i];
            _media.Add(new RtspClientMedia(i, description, RtspUri.Combine(baseUrl, description.Control ?? string.Empty)));
        }
    }

    private IPAddress UdpAddress()
    {
        var address = _options.UdpBindAddress ?? ((IPEndPoint)_socket.LocalEndPoint!).Address;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private IPAddress ServerAddress(RtspTransport answer)
    {
        if (answer.Source is { } source && IPAddress.TryParse(source, out var parsed))
        {
            return parsed;
        }

        var address = ((IPEndPoint)_socket.RemoteEndPoint!).Address;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private (Socket Rtp, Socket Rtcp) BindUdpPair(IPAddress address)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var rtp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            Socket? rtcp = null;
            try
            {
                rtp.Bind(new IPEndPoint(address, 0));
                var port = ((IPEndPoint)rtp.LocalEndPoint!).Port;
                if (port % 2 == 0 && port < ushort.MaxValue)
                {
                    rtcp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    rtcp.Bind(new IPEndPoint(address, port + 1));
                    rtp.ReceiveBufferSize = _options.UdpReceiveBufferSize;
                    rtcp.ReceiveBufferSize = 64 * 1024;
                    return (rtp, rtcp);
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // The odd neighbour is taken; try another pair.
            }

            rtp.Dispose();
            rtcp?.Dispose();
        }

        throw new RtspClientException($"Cannot find a free even/odd UDP port pair on {address} for RTP/RTCP; use RtspClientTransport.Tcp.");
    }

    private static string StripUserInfo(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var authorityEnd = url.AsSpan(schemeEnd).IndexOfAny('/', '?', '#');
        var authority = authorityEnd < 0 ? url.AsSpan(schemeEnd) : url.AsSpan(schemeEnd, authorityEnd);
        var at = authority.LastIndexOf('@');
        return at < 0 ? url : string.Concat(url.AsSpan(0, schemeEnd), url.AsSpan(schemeEnd + at + 1));
    }
}
