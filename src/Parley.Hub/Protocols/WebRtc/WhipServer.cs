using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Hub.Paths;
using Parley.Security.Dtls;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>
/// WHIP (RFC 9725) publishing to any path: answers a publisher's offer recvonly, reserves the path, and after the
/// DTLS-SRTP handshake starts the stream that RTSP, WHEP and browser readers play. The session ends when the peer
/// leaves (DTLS close, ICE consent), the resource is deleted, or another publisher takes the path over.
/// </summary>
public sealed class WhipServer : IAsyncDisposable
{
    private readonly IceServer _ice;
    private readonly PathManager _paths;
    private readonly ILogger _logger;
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate("parley-hub");
    private readonly ConcurrentDictionary<string, (WhipPublisher Publisher, CancellationTokenSource Stop, Task Run)> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the server over a started <paramref name="ice"/> server.</summary>
    public WhipServer(IceServer ice, PathManager paths, ILogger<WhipServer> logger)
    {
        _ice = ice;
        _paths = paths;
        _logger = logger;
    }

    /// <summary>Sessions open now.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Answers <paramref name="offerSdp"/> for publishing on <paramref name="path"/> and starts the session.</summary>
    /// <returns>201 with the answer; 400 for a bad offer, 406 without a receivable codec, 409 when the path is taken.</returns>
    public async Task<WhepResult> CreateAsync(string path, string offerSdp, string remote)
    {
        if (!WebRtcOffer.TryParse(offerSdp, out var offer, out string? parseError))
        {
            return new WhepResult(400, parseError, null);
        }

        if (!WebRtcAnswer.TryNegotiateReceive(offer, out var answer, out string? message))
        {
            return new WhepResult(406, $"path '{path}': {message}", null);
        }

        var ice = _ice.CreateSession();
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var publisher = new WhipPublisher(id, answer, ice, remote);
        var reservation = await _paths.ReserveAsync(path, publisher);
        if (reservation != PublishReservation.Reserved)
        {
            publisher.Dispose();
            return new WhepResult(409, $"path '{path}' is being published by someone else; pick another path or enable paths.allowTakeover", null);
        }

        ice.Agent.RemoteUfrag = offer.IceUfrag;
        var dtls = new DtlsSrtpTransport(offer.LocalRole, _certificate, offer.Fingerprint, ice);
        ice.DtlsReceived = dtls.Receive;
        var stop = new CancellationTokenSource();
        string sdp = answer.ToSdp(ice.LocalCredentials, _certificate.Fingerprint, _ice.Candidates, path);
        _sessions[id] = (publisher, stop, RunAsync(path, publisher, dtls, offer.LocalRole, stop));
        _logger.LogInformation("whip {Remote} offered for path '{Path}': receiving {Tracks}", remote, path,
            string.Join(", ", answer.AcceptedTracks.Select(t => $"{t.Offered.RtpMaps.First(m => m.PayloadType == t.PayloadType).EncodingName} as PT {t.PayloadType} mid {t.Mid}")));
        return new WhepResult(201, sdp, id);
    }

    /// <summary>Ends the session <paramref name="id"/> (HTTP DELETE on its resource); false when there is none.</summary>
    public bool Delete(string id)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return false;
        }

        session.Stop.Cancel();
        return true;
    }

    private async Task RunAsync(string path, WhipPublisher publisher, DtlsSrtpTransport dtls, DtlsRole role, CancellationTokenSource stop)
    {
        await Task.Yield();
        string reason = "peer left";
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, _stopping.Token, publisher.Kicked);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
            timeout.CancelAfter(WhepServer.HandshakeTimeout);
            var keys = await dtls.HandshakeAsync(timeout.Token);
            // The transport closes when the handshake's token is cancelled: without this the session died 15 s in.
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            publisher.Stream = await _paths.StartStreamAsync(path, publisher, publisher.StreamDescription);
            if (publisher.Stream is null)
            {
                reason = "the path was taken";
                return;
            }

            publisher.Activate(keys.CreateSendContext(role), keys.CreateReceiveContext(role));
            var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            publisher.Ice.Closed += (_, why) => closed.TrySetResult($"ICE {why}");
            using var registration = ended.Token.Register(() => closed.TrySetResult(publisher.Kicked.IsCancellationRequested ? "kicked" : "deleted"));
            var finished = await Task.WhenAny(dtls.Closed, closed.Task);
            reason = finished == dtls.Closed ? "peer closed DTLS" : await closed.Task;
        }
        catch (OperationCanceledException)
        {
            reason = stop.IsCancellationRequested ? "deleted" : "no DTLS handshake within " + WhepServer.HandshakeTimeout.TotalSeconds + " s";
        }
        catch (IOException ex)
        {
            // BouncyCastle's TlsFatalAlert and TlsTimeoutException are IOExceptions.
            reason = "DTLS failed: " + ex.Message;
        }
        finally
        {
            _sessions.TryRemove(publisher.Id, out _);
            await _paths.RemovePublisherAsync(path, publisher, reason);
            publisher.Dispose();
            dtls.Dispose();
            stop.Dispose();
            _logger.LogInformation("{Publisher} on path '{Path}' closed ({Reason}): {Failures} SRTP failures", publisher.Description, path, reason, publisher.UnprotectFailures);
        }
    }

    /// <summary>Ends every session.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_sessions.Values.Select(s => s.Run));
        _stopping.Dispose();
    }
}
