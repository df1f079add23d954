using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Hub.Paths;
using Parley.Hub.Streams;
using Parley.Security.Dtls;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>The outcome of a WHEP request: HTTP status, body (answer SDP or a message) and the session id if created.</summary>
/// <param name="StatusCode">201 with an answer, or 400, 404, 406, 415, 503.</param>
/// <param name="Body">The answer SDP (201) or a user-facing message.</param>
/// <param name="SessionId">The new session's id for the Location header (201 only).</param>
public readonly record struct WhepResult(int StatusCode, string Body, string? SessionId);

/// <summary>
/// WHEP (RFC 9725) playback of any stream: answers a browser's offer, then runs the session (DTLS-SRTP handshake on
/// the shared <see cref="IceServer"/>, attach as a stream reader, send until the stream ends, the peer leaves, ICE
/// consent expires or the resource is deleted). One DTLS certificate per hub process (RFC 8827 §6.5 allows reuse).
/// </summary>
public sealed class WhepServer : IAsyncDisposable
{
    /// <summary>How long the browser has to finish ICE and the DTLS handshake after the answer.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    private readonly IceServer _ice;
    private readonly PathManager _paths;
    private readonly ILogger _logger;
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate("parley-hub");
    private readonly ConcurrentDictionary<string, Running> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the server over a started <paramref name="ice"/> server.</summary>
    public WhepServer(IceServer ice, PathManager paths, ILogger<WhepServer> logger)
    {
        _ice = ice;
        _paths = paths;
        _logger = logger;
    }

    /// <summary>Sessions open now.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>The certificate fingerprint put in every answer.</summary>
    public DtlsFingerprint Fingerprint => _certificate.Fingerprint;

    /// <summary>Answers <paramref name="offerSdp"/> for the stream on <paramref name="path"/> and starts the session.</summary>
    /// <param name="path">The stream path.</param>
    /// <param name="offerSdp">The application/sdp request body.</param>
    /// <param name="remote">The client's address, for logs.</param>
    public async Task<WhepResult> CreateAsync(string path, string offerSdp, string remote)
    {
        var stream = await _paths.FindStreamAsync(path);
        if (stream is null)
        {
            return new WhepResult(404, $"no stream is live on path '{path}'; publish one first (RTSP, WHIP)", null);
        }

        if (!WebRtcOffer.TryParse(offerSdp, out var offer, out string? parseError))
        {
            return new WhepResult(400, parseError, null);
        }

        var sources = stream.Tracks.Select(t => new WebRtcSourceTrack(t.Index, t.MediaType, t.EncodingName, t.ClockRate,
            t.Media.Formats.Count > 0 && int.TryParse(t.Media.Formats[0], out int pt) ? t.Media.GetFormatParameterMap(pt) : new Dictionary<string, string>())).ToList();
        if (!WebRtcAnswer.TryNegotiate(offer, sources, out var answer, out var error, out string? message))
        {
            return new WhepResult(error == WebRtcNegotiationError.UnsupportedSource ? 415 : 406, $"path '{path}': {message}", null);
        }

        var ice = _ice.CreateSession();
        ice.Agent.RemoteUfrag = offer.IceUfrag;
        var dtls = new DtlsSrtpTransport(offer.LocalRole, _certificate, offer.Fingerprint, ice);
        ice.DtlsReceived = dtls.Receive;
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var session = new WhepSession(id, stream, answer, ice, remote);
        var running = new Running(session, dtls);
        _sessions[id] = running;
        string sdp = answer.ToSdp(ice.LocalCredentials, _certificate.Fingerprint, _ice.Candidates, path);
        running.Task = RunAsync(path, running, offer.LocalRole);
        _logger.LogInformation("whep {Remote} offered for path '{Path}': sending {Tracks}", remote, path,
            string.Join(", ", answer.AcceptedTracks.Select(t => $"{stream.Tracks[t.SourceIndex].CodecDescription} as PT {t.PayloadType} mid {t.Mid}")));
        return new WhepResult(201, sdp, id);
    }

    /// <summary>Ends the session <paramref name="id"/> (HTTP DELETE on its resource); false when there is none.</summary>
    public bool Delete(string id)
    {
        // A second DELETE of the same resource finds nothing, even while the first one's cleanup runs.
        if (!_sessions.TryGetValue(id, out var running) || Interlocked.Exchange(ref running.Deleted, 1) != 0)
        {
            return false;
        }

        try
        {
            running.Stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session ended on its own meanwhile.
        }

        return true;
    }

    private async Task RunAsync(string path, Running running, DtlsRole role)
    {
        var session = running.Session;
        string reason = "stream ended";
        bool attached = false;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(running.Stop.Token, _stopping.Token);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
            timeout.CancelAfter(HandshakeTimeout);
            var keys = await running.Dtls.HandshakeAsync(timeout.Token);
            // The transport closes when the handshake's token is cancelled: without this the session died 15 s in.
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            session.Activate(keys.CreateSendContext(role), keys.CreateReceiveContext(role));
            if (await _paths.AddReaderAsync(path, session) is not { } stream)
            {
                reason = "the stream ended before the handshake completed";
                return;
            }

            attached = true;
            stream.OfferLastSenderReports(session);

            var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            // ICE consent expiry or server shutdown.
            session.Ice.Closed += (_, why) => closed.TrySetResult($"ICE {why}");
            using var registration = ended.Token.Register(() => closed.TrySetResult("deleted"));
            var finished = await Task.WhenAny(session.Ended, running.Dtls.Closed, closed.Task);
            reason = finished == session.Ended ? "stream ended" : finished == running.Dtls.Closed ? "peer closed DTLS" : await closed.Task;
        }
        catch (OperationCanceledException)
        {
            reason = running.Stop.IsCancellationRequested ? "deleted" : "no DTLS handshake within " + HandshakeTimeout.TotalSeconds + " s";
        }
        catch (IOException ex)
        {
            // BouncyCastle's TlsFatalAlert and TlsTimeoutException are IOExceptions.
            reason = "DTLS failed: " + ex.Message;
        }
        finally
        {
            _sessions.TryRemove(session.Id, out _);
            if (attached)
            {
                await _paths.RemoveReaderAsync(session.Stream, session, reason);
            }

            session.Close();
            running.Dtls.Dispose();
            running.Stop.Dispose();
            _logger.LogInformation("{Session} on path '{Path}' closed ({Reason}): {Requests} key frame requests, {Inserted} SPS/PPS inserted",
                session.Description, path, reason, session.KeyFrameRequests, session.ParameterSetsInserted);
        }
    }

    /// <summary>Ends every session.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_sessions.Values.Select(r => r.Task ?? Task.CompletedTask));
        _stopping.Dispose();
    }

    private sealed class Running(WhepSession session, DtlsSrtpTransport dtls)
    {
        public WhepSession Session { get; } = session;

        public DtlsSrtpTransport Dtls { get; } = dtls;

        public CancellationTokenSource Stop { get; } = new();

        public Task? Task { get; set; }

        public int Deleted;
    }
}
