using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Endpoint.Send;
using Parley.Endpoint.View;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Call;

/// <summary>
/// `parley call`: sends this side's camera and microphone to <c>hub/name</c> with a <see cref="SendSession"/> and
/// plays <c>hub/peer</c> with a <see cref="ViewSession"/>, both at once. The peer may join later: while its path
/// answers 404 the view retries with back-off (0.5 s doubling to 2 s); once playing, a lost peer is the
/// <see cref="ViewSession"/>'s own reconnection. A failure of either direction (hub unreachable, name taken,
/// no camera) ends the other and is rethrown. For a call with no hub the caller runs one in-process and passes
/// its loopback URL; this type knows nothing of hubs.
/// </summary>
public sealed class CallSession
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private readonly CallOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a call; nothing is opened until <see cref="RunAsync"/>.</summary>
    /// <exception cref="ArgumentException">A name is not a valid path segment, or the peer is this side.</exception>
    public CallSession(CallOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!CallOptions.IsValidName(options.Name) || (options.Peer is not null && !CallOptions.IsValidName(options.Peer)))
        {
            throw new ArgumentException("names are 1-64 letters, digits, '-', '_' or '.'", nameof(options));
        }

        if (options.Peer == options.Name)
        {
            throw new ArgumentException($"the peer's name must differ from this side's ('{options.Name}')", nameof(options));
        }

        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
    }

    /// <summary>Where this side publishes.</summary>
    public Uri SendUrl => CallOptions.PathOf(_options.Hub, _options.Name);

    /// <summary>Where the peer is played from; null when only sending.</summary>
    public Uri? PeerUrl => _options.Peer is { } peer ? CallOptions.PathOf(_options.Hub, peer) : null;

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the duration ends; both directions' figures come back.</summary>
    /// <exception cref="RtspClientException">Publishing failed at the start: hub unreachable, name taken, credentials refused.</exception>
    /// <exception cref="ViewException">Playing the peer failed for another reason than its absence.</exception>
    /// <exception cref="Parley.Codecs.CodecException">A capture device, encoder, decoder or output could not be opened.</exception>
    public async Task<CallReport> RunAsync(CancellationToken cancellationToken)
    {
        var deadline = _options.Duration is { } duration ? DateTime.UtcNow + duration : (DateTime?)null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var send = new SendSession(SendOptions.For(SendUrl, _options, _logger) with { Duration = _options.Duration });
        if (_options.Status is { } status)
        {
            send.Status += line => status("send: " + line);
        }

        var sending = EndOtherOnFailure(RunSendAsync(send, stop.Token), stop);
        var viewing = PeerUrl is { } peer ? EndOtherOnFailure(ViewPeerAsync(peer, deadline, stop.Token), stop) : Task.FromResult<ViewReport?>(null);
        try
        {
            await Task.WhenAll(sending, viewing).ConfigureAwait(false);
        }
        catch (Exception) when (sending.IsCompletedSuccessfully && viewing.IsFaulted && !sending.IsFaulted)
        {
            await viewing.ConfigureAwait(false); // the view's own error, not an aggregate
        }

        return new CallReport(_options.Name, _options.Peer, await sending.ConfigureAwait(false), await viewing.ConfigureAwait(false));
    }

    private static async Task<T> EndOtherOnFailure<T>(Task<T> task, CancellationTokenSource stop)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<SendReport?> RunSendAsync(SendSession send, CancellationToken cancellationToken)
    {
        try
        {
            return await send.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null; // ended before RECORD
        }
    }

    private async Task<ViewReport?> ViewPeerAsync(Uri peer, DateTime? deadline, CancellationToken cancellationToken)
    {
        var wait = FirstWait;
        bool told = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var remaining = deadline is { } end ? end - DateTime.UtcNow : (TimeSpan?)null;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            var view = new ViewSession(new ViewOptions
            {
                Url = peer,
                Transport = _options.Transport,
                Trust = _options.Trust,
                Token = _options.Token,
                Duration = remaining,
                MaxDuration = remaining is { } r && r > ViewOptions.DefaultMaxDuration ? r : ViewOptions.DefaultMaxDuration,
                OutputPath = _options.OutputPath,
                VideoOutput = _options.VideoOutput,
                AudioOutput = _options.AudioOutput,
                Status = _options.Status is { } status ? line => status("view: " + line) : null,
                Logger = _logger,
            });
            try
            {
                return await view.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ViewException) when (cancellationToken.IsCancellationRequested)
            {
                break; // stopped while connecting
            }
            catch (ViewException e) when (e.InnerException is RtspClientException { StatusCode: 404 })
            {
                if (!told)
                {
                    _logger.LogInformation("call: waiting for {Peer} to join at {Url}", _options.Peer, peer);
                    told = true;
                }
            }

            try
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            wait = wait * 2 > MaxWait ? MaxWait : wait * 2;
        }

        _logger.LogInformation("call: {Peer} did not join", _options.Peer);
        return null;
    }
}
