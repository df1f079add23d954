using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Rtp.Sdp;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Bench;

/// <summary>Settings of a <see cref="ReaderLoad"/> run.</summary>
public sealed class ReaderLoadOptions
{
    /// <summary>The streams to read, rtsp://host:port/path; at least one.</summary>
    public required IReadOnlyList<Uri> Urls { get; init; }

    /// <summary>Number of concurrent readers of each stream, at least 1 (a room of P participants: P - 1).</summary>
    public int Count { get; init; } = 1;

    /// <summary>Media transport each reader asks for.</summary>
    public RtspClientTransport Transport { get; init; } = RtspClientTransport.Tcp;

    /// <summary>
    /// For rtsps:// URLs: accept any server certificate (a benchmark against a hub with a self-signed one). Never
    /// for real viewing; there the certificate must chain to a trusted root or match a pinned fingerprint.
    /// </summary>
    public bool AcceptAnyCertificate { get; init; }

    /// <summary>How long every reader plays once all have started.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Pause between starting two readers, so a large count does not arrive as one burst of connections. Default 5 ms.
    /// </summary>
    public TimeSpan StartInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Progress and failures; null logs nothing.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>What one reader of a <see cref="ReaderLoad"/> run received.</summary>
/// <param name="Index">Reader number, from 0.</param>
/// <param name="Url">The stream it read.</param>
/// <param name="Media">Per media of the SDP: media type ("video", "audio") and totals.</param>
/// <param name="Error">Why the reader stopped early (or never started); null when it played to the end.</param>
public sealed record ReaderResult(int Index, Uri Url, IReadOnlyList<(string MediaType, ReaderMediaTotals Totals)> Media, string? Error);

/// <summary>The outcome of a <see cref="ReaderLoad"/> run.</summary>
/// <param name="Readers">One result per reader.</param>
/// <param name="Measured">Time from the last reader's PLAY to the end of the run.</param>
public sealed record ReaderLoadReport(IReadOnlyList<ReaderResult> Readers, TimeSpan Measured)
{
    /// <summary>Readers that failed or stopped early.</summary>
    public int Failed => Readers.Count(r => r.Error is not null);

    /// <summary>Sum over all readers of packets lost (RFC 3550 A.3).</summary>
    public long TotalLost => Readers.Sum(r => r.Media.Sum(m => Math.Max(0, m.Totals.Lost)));
}

/// <summary>
/// A light RTSP load generator: N readers (DESCRIBE, SETUP every media, PLAY) of each of one or more streams that
/// count what they receive without decoding, so the cost measured is the server's, not the clients'. Used by
/// <c>parley bench readers</c> and the fan-out benchmark script.
/// </summary>
public static class ReaderLoad
{
    /// <summary>Starts the readers one after another, lets them play for the duration, then tears them down.</summary>
    /// <param name="options">What to read and how many times.</param>
    /// <param name="cancellationToken">Ends the run early; the readers are still torn down and reported.</param>
    /// <returns>Per-reader totals. A reader that cannot connect or play is reported with its error, not thrown.</returns>
    public static async Task<ReaderLoadReport> RunAsync(ReaderLoadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Count, 1);
        ArgumentOutOfRangeException.ThrowIfZero(options.Urls.Count);
        var logger = options.Logger ?? NullLogger.Instance;
        var readers = new Reader[options.Count * options.Urls.Count];
        try
        {
            for (int i = 0; i < readers.Length; i++)
            {
                readers[i] = new Reader(i, options.Urls[i % options.Urls.Count]);
                await readers[i].StartAsync(options, cancellationToken).ConfigureAwait(false);
                logger.LogDebug("reader {Index}: {State}", i, readers[i].Error ?? "playing");
                if (options.StartInterval > TimeSpan.Zero && i + 1 < readers.Length)
                {
                    await Task.Delay(options.StartInterval, cancellationToken).ConfigureAwait(false);
                }
            }

            logger.LogInformation("{Count} readers playing over {Transport}; measuring for {Seconds} s", readers.Count(r => r.Error is null), options.Transport, options.Duration.TotalSeconds);
            foreach (var reader in readers)
            {
                reader.ResetBaseline();
            }

            var clock = Stopwatch.StartNew();
            try
            {
                await Task.Delay(options.Duration, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                logger.LogInformation("Stopped early after {Seconds:F1} s", clock.Elapsed.TotalSeconds);
            }

            var results = readers.Select(r => r.Result()).ToList();
            return new ReaderLoadReport(results, clock.Elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ReaderLoadReport(readers.Where(r => r is not null).Select(r => r.Result()).ToList(), TimeSpan.Zero);
        }
        finally
        {
            await Task.WhenAll(readers.Where(r => r is not null).Select(r => r.StopAsync())).ConfigureAwait(false);
        }
    }

    private sealed class Reader(int index, Uri url)
    {
        private readonly ReaderCounters _counters = new();
        private RtspClient? _client;
        private string[] _mediaTypes = [];
        private ReaderMediaTotals[] _baseline = [];

        public string? Error { get; private set; }

        public async Task StartAsync(ReaderLoadOptions options, CancellationToken cancellationToken)
        {
            try
            {
                _client = await RtspClient.ConnectAsync(url.ToString(), new RtspClientOptions
                {
                    Transport = options.Transport,
                    Receiver = _counters,
                    PlayRange = null,
#pragma warning disable CA5359 // Opt-in for benchmarks against a self-signed hub (AcceptAnyCertificate's doc says so).
                    ServerCertificateValidation = options.AcceptAnyCertificate ? (_, _, _, _) => true : null,
#pragma warning restore CA5359
                }, cancellationToken).ConfigureAwait(false);
                var sdp = await _client.DescribeAsync(cancellationToken).ConfigureAwait(false);
                _mediaTypes = sdp.Media.Select(m => m.MediaType).ToArray();
                _counters.Configure(sdp.Media.Select(ClockRate).ToArray());
                await _client.SetupAsync(cancellationToken).ConfigureAwait(false);
                await _client.PlayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RtspClientException or IOException or System.Net.Sockets.SocketException)
            {
                Error = ex.Message;
            }
        }

        public void ResetBaseline() =>
            _baseline = Enumerable.Range(0, _counters.MediaCount).Select(_counters.Snapshot).ToArray();

        public ReaderResult Result()
        {
            string? error = Error;
            if (error is null && _client is { Completion.IsCompleted: true })
            {
                error = _client.Completion.Exception?.InnerException?.Message ?? "connection closed";
            }

            var media = new List<(string, ReaderMediaTotals)>();
            for (int i = 0; i < _counters.MediaCount; i++)
            {
                var now = _counters.Snapshot(i);
                var start = i < _baseline.Length ? _baseline[i] : default;
                media.Add((_mediaTypes[i], new ReaderMediaTotals(now.Packets - start.Packets, now.PayloadBytes - start.PayloadBytes, now.Lost - start.Lost, now.Frames - start.Frames, now.RtcpPackets - start.RtcpPackets)));
            }

            return new ReaderResult(index, url, media, error);
        }

        public async Task StopAsync()
        {
            if (_client is null)
            {
                return;
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.TeardownAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RtspClientException or IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The server may already be gone; the reader's totals are what matters.
            }

            await _client.DisposeAsync().ConfigureAwait(false);
        }

        private static int ClockRate(SdpMedia media)
        {
            var payloadTypes = media.PayloadTypes;
            if (payloadTypes.Count > 0 && (media.TryGetRtpMap(payloadTypes[0], out var map) || SdpRtpMap.TryGetStatic(payloadTypes[0], out map)))
            {
                return map.ClockRate;
            }

            return 90000;
        }
    }
}
