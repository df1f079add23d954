using Microsoft.Extensions.Logging;
using Parley.Endpoint.Trust;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Send;

/// <summary>
/// Publishes to a hub path over RTSP (ANNOUNCE, SETUP with mode=record, RECORD; RFC 2326 §10.3, §10.11) and keeps
/// publishing: when the connection drops (the hub restarted), it reconnects with back-off (1 s doubling to 10 s) and
/// announces again, while the capture threads go on and their packets are counted as dropped meanwhile.
/// Receivers' key-frame requests (RTCP PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1) reach <c>onKeyFrameRequest</c>.
/// </summary>
internal sealed class RtspPublication : IRtspMediaReceiver, IAsyncDisposable
{
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);
    private const byte PayloadSpecificFeedback = 206;
    private const int PliFormat = 1;
    private const int FirFormat = 4;

    private readonly Uri _url;
    private readonly RtspClientTransport _transport;
    private readonly ILogger _logger;
    private readonly HubTrust _trust;
    private readonly string? _token;
    private readonly Action<int> _onKeyFrameRequest;
    private SdpSession? _sdp;
    private volatile RtspClient? _client;
    private TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reconnects;

    public RtspPublication(Uri url, RtspClientTransport transport, HubTrust trust, ILogger logger, Action<int> onKeyFrameRequest, string? token = null)
    {
        _token = token;
        _trust = trust;
        _url = url;
        // The hub takes no SRTP from publishers: over rtsps:// media goes interleaved inside the TLS connection.
        _transport = url.Scheme == "rtsps" ? RtspClientTransport.Tcp : transport;
        if (_transport != transport)
        {
            logger.LogInformation("publishing over rtsps:// carries media interleaved inside TLS (TCP), not UDP");
        }

        _logger = logger;
        _onKeyFrameRequest = onKeyFrameRequest;
    }

    public bool IsConnected => _client is not null;

    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Connects and starts recording; the first failure is the caller's to report.</summary>
    /// <exception cref="RtspClientException">Unreachable hub, refused path (403 taken, 401 credentials), bad answer.</exception>
    public async Task StartAsync(SdpSession sdp, CancellationToken cancellationToken)
    {
        _sdp = sdp;
        _client = await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Watches the connection and reconnects until <paramref name="cancellationToken"/> fires.</summary>
    public async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = _client;
            if (client is not null)
            {
                var failed = _failed.Task;
                try
                {
                    await Task.WhenAny(client.Completion, failed).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _client = null;
                _logger.LogWarning("connection to {Url} lost ({Reason}); reconnecting", _url, client.Completion.Exception?.InnerException?.Message ?? "send failed");
                await DisposeQuietlyAsync(client).ConfigureAwait(false);
            }

            var delay = TimeSpan.FromSeconds(1);
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    _failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _client = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _reconnects);
                    _logger.LogInformation("publishing to {Url} again", _url);
                    break;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (RtspClientException ex)
                {
                    _logger.LogWarning("reconnect to {Url} failed: {Error}; next try in {Seconds} s", _url, ex.Message, Math.Min(delay.TotalSeconds * 2, MaxBackOff.TotalSeconds));
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackOff.Ticks));
                }
            }
        }
    }

    /// <summary>Sends one RTP packet for media <paramref name="mediaIndex"/>, waiting for the connection to take it.</summary>
    /// <returns>False when not connected or the send failed (which starts a reconnect).</returns>
    public bool TrySendRtp(int mediaIndex, ReadOnlyMemory<byte> packet) => TrySend(mediaIndex, packet, rtcp: false);

    /// <summary>Sends one RTCP compound packet for media <paramref name="mediaIndex"/>.</summary>
    public bool TrySendRtcp(int mediaIndex, ReadOnlyMemory<byte> packet) => TrySend(mediaIndex, packet, rtcp: true);

    private bool TrySend(int mediaIndex, ReadOnlyMemory<byte> packet, bool rtcp)
    {
        var client = _client;
        if (client is null)
        {
            return false;
        }

        try
        {
            var send = rtcp ? client.SendRtcpAsync(mediaIndex, packet) : client.SendRtpAsync(mediaIndex, packet);
            if (!send.IsCompletedSuccessfully)
            {
                // Capture threads are dedicated threads: waiting here is back-pressure from the network, by design.
                send.AsTask().GetAwaiter().GetResult();
            }

            return true;
        }
        catch (Exception ex) when (ex is RtspClientException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _failed.TrySetResult();
            return false;
        }
    }

    private async Task<RtspClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = await _trust.ConnectAsync(_url, new RtspClientOptions { Transport = _transport, Receiver = this, Logger = _logger, BearerToken = _token }, _logger, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.AnnounceAsync(_sdp!.Clone(), cancellationToken).ConfigureAwait(false);
            await client.SetupAsync(cancellationToken).ConfigureAwait(false);
            await client.RecordAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await DisposeQuietlyAsync(client).ConfigureAwait(false);
            throw;
        }
    }

    // A dead connection must not hold up the next one: closing it gets two seconds.
    private async Task DisposeQuietlyAsync(RtspClient client)
    {
        try
        {
            await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogDebug("closing the lost connection to {Url} took over 2 s; going on", _url);
        }
    }

    public void OnRtp(int mediaIndex, ReadOnlySpan<byte> packet)
    {
    }

    public void OnRtcp(int mediaIndex, ReadOnlySpan<byte> packet)
    {
        var reader = new RtcpCompoundReader(packet);
        while (reader.TryReadNext(out var rtcp))
        {
            if (rtcp.PacketType == PayloadSpecificFeedback && rtcp.Count is PliFormat or FirFormat)
            {
                _onKeyFrameRequest(mediaIndex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var client = _client;
        _client = null;
        if (client is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.TeardownAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RtspClientException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The hub may be gone already.
        }

        await client.DisposeAsync().ConfigureAwait(false);
    }
}
