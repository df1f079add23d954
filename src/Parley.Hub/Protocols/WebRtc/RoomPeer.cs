using System.Globalization;
using Microsoft.Extensions.Logging;
using Parley.Hub.Paths;
using Parley.Hub.Rooms;
using Parley.Hub.Streams;
using Parley.Rtp.Sdp;
using Parley.Security.Dtls;
using Parley.Security.Srtp;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>What the hub answers to a room participant's offer.</summary>
/// <param name="Sdp">The answer SDP; null when the offer was refused.</param>
/// <param name="Mids">The answered recvonly sections that carry a participant's track: mid to participant id.</param>
/// <param name="Error">A user-facing sentence when the offer was refused; null otherwise.</param>
public sealed record RoomPeerAnswer(string? Sdp, IReadOnlyDictionary<string, string> Mids, string? Error);

/// <summary>
/// One browser participant's RTCPeerConnection: one ICE session and one DTLS-SRTP association carrying the
/// browser's own camera and microphone to <c>&lt;room&gt;/&lt;participantId&gt;</c> (a <see cref="WhipPublisher"/>)
/// and, for each other participant it receives, that participant's stream (a <see cref="WhepSession"/> reader per
/// forwarded stream, each with its own SSRCs and SRTP contexts derived from the same keys). Every offer after the
/// first renegotiates the forwarded set on the same transport; groups whose sections did not change keep their
/// answered sections and their reader.
/// </summary>
/// <remarks>
/// The ICE session has one packet callback, shared by an <see cref="IceReceiveFanOut"/>: the publisher reads RTP and
/// SRs, the readers PLI and FIR. Offers are handled one at a time; attaching and detaching readers runs after the answer, off the signalling path.
/// </remarks>
internal sealed class RoomPeer : IAsyncDisposable
{
    private readonly RoomPeerServer _server;
    private readonly string _room;
    private readonly string _participantId;
    private readonly string _publishPath;
    private readonly string _remote;
    private readonly bool _mayPublish;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource<(DtlsSrtpKeys Keys, DtlsRole Role)> _keys = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Forward> _forwards = new(StringComparer.Ordinal);
    // Every reader this peer made. A detached one is released (WhepSession.Release) but not closed until the peer
    // ends, because closing a WhepSession closes the ICE session it sends on, which is shared here.
    private readonly List<Forward> _allForwards = [];
    private readonly List<Task> _pending = [];
    private readonly List<SrtpContext> _contexts = [];
    private IceReceiveFanOut? _fanOut;
    private Dictionary<string, SdpMedia> _publishSections = new(StringComparer.Ordinal);
    private WebRtcOffer? _first;
    private IceSession? _ice;
    private DtlsSrtpTransport? _dtls;
    private WhipPublisher? _publisher;
    private Task? _run;
    private bool _ended;
    private int _sessionNumber;

    public RoomPeer(RoomPeerServer server, string room, string participantId, string remote, bool mayPublish)
    {
        _server = server;
        _room = room;
        _participantId = participantId;
        _publishPath = room + "/" + participantId;
        _remote = remote;
        _mayPublish = mayPublish;
    }

    /// <summary>True once the peer started and ended (ICE or DTLS closed, handshake timeout, or disposal).</summary>
    public bool HasEnded => _run is { IsCompleted: true };

    /// <summary>
    /// True when <paramref name="offerSdp"/> comes from another RTCPeerConnection than the one this peer serves: its
    /// ICE ufrag or DTLS fingerprint differs from the first offer's. The page opens a new connection to start
    /// sending a camera it was not sending, or to recover from a failed one; it is not an offer to this peer.
    /// An offer that does not parse is not another connection (<see cref="NegotiateAsync"/> refuses it).
    /// </summary>
    public bool IsOtherConnection(string offerSdp)
    {
        var first = Volatile.Read(ref _first);
        return first is not null && WebRtcOffer.TryParse(offerSdp, out var offer, out _)
            && (offer.IceUfrag != first.IceUfrag || offer.Fingerprint.ToString() != first.Fingerprint.ToString());
    }

    /// <summary>
    /// Answers an offer. The first one sets up ICE and DTLS and the browser's published tracks (its sendonly and
    /// sendrecv sections); every offer maps its recvonly sections to participants by <paramref name="mids"/> and
    /// answers those whose participant has a live stream with a codec the section offers.
    /// </summary>
    /// <param name="offerSdp">The browser's offer.</param>
    /// <param name="mids">mid to participant id for the sections the browser wants to receive.</param>
    public async Task<RoomPeerAnswer> NegotiateAsync(string offerSdp, IReadOnlyDictionary<string, string> mids)
    {
        await _gate.WaitAsync();
        try
        {
            if (_ended)
            {
                return Refuse("the media connection ended; close the RTCPeerConnection and start a new one");
            }

            if (!WebRtcOffer.TryParse(offerSdp, out var offer, out string? error))
            {
                return Refuse(error);
            }

            if (_first is null)
            {
                await StartAsync(offer);
            }
            else if (offer.IceUfrag != _first.IceUfrag || offer.Fingerprint.ToString() != _first.Fingerprint.ToString())
            {
                return Refuse("ICE restarts and new DTLS certificates are not supported on a room connection; close the RTCPeerConnection and start a new one");
            }

            var answered = new Dictionary<string, SdpMedia>(_publishSections, StringComparer.Ordinal);
            var wanted = Wanted(offer, mids);
            foreach (var forward in _forwards.Values.Where(f => !wanted.ContainsKey(f.ParticipantId)).ToList())
            {
                Detach(forward, "no longer received");
            }

            var carried = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (participant, sectionMids) in wanted)
            {
                if (await ForwardAsync(offer, participant, sectionMids) is not { } forward)
                {
                    continue;
                }

                foreach (var (mid, section) in forward.Sections)
                {
                    answered[mid] = section;
                    carried[mid] = participant;
                }
            }

            return new RoomPeerAnswer(WebRtcBundleAnswer.Compose(offer, answered), carried, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static RoomPeerAnswer Refuse(string message) => new(null, new Dictionary<string, string>(), message);

    // The recvonly (or sendrecv) sections per participant, without the browser's own published sections.
    private Dictionary<string, HashSet<string>> Wanted(WebRtcOffer offer, IReadOnlyDictionary<string, string> mids)
    {
        var wanted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        for (int i = 0; i < offer.Session.Media.Count; i++)
        {
            var media = offer.Session.Media[i];
            string mid = WebRtcBundleAnswer.Mid(media, i);
            if (media.Port == 0 || _publishSections.ContainsKey(mid) || !mids.TryGetValue(mid, out string? participant)
                || participant == _participantId || !RoomNames.IsValidParticipantId(participant))
            {
                continue;
            }

            if (!wanted.TryGetValue(participant, out var set))
            {
                wanted[participant] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.Add(mid);
        }

        return wanted;
    }

    private async Task StartAsync(WebRtcOffer offer)
    {
        _first = offer;
        var ice = _server.Ice.CreateSession();
        ice.Agent.RemoteUfrag = offer.IceUfrag;
        _ice = ice;
        _dtls = new DtlsSrtpTransport(offer.LocalRole, _server.Certificate, offer.Fingerprint, ice);
        ice.DtlsReceived = _dtls.Receive;
        _fanOut = new IceReceiveFanOut(ice);
        if (_mayPublish && WebRtcAnswer.TryNegotiateReceive(offer, out var receive, out _))
        {
            var publisher = new WhipPublisher("room-" + _participantId, receive, ice, _remote);
            if (await _server.Paths.ReserveAsync(_publishPath, publisher) == PublishReservation.Reserved)
            {
                _publisher = publisher;
                // Only the accepted sections: the rejected ones of this answer are the offer's recvonly sections.
                _publishSections = AcceptedSections(receive.ToSdp(ice.LocalCredentials, _server.Certificate.Fingerprint, _server.Ice.Candidates, _publishPath));
            }
            else
            {
                _server.Logger.LogWarning("room '{Room}': {Id} cannot publish on '{Path}': another publisher holds the path", _room, _participantId, _publishPath);
            }
        }

        _run = RunAsync(offer.LocalRole);
    }

    // The forward for one participant: the current one when its stream and sections are unchanged, else a new one.
    private async Task<Forward?> ForwardAsync(WebRtcOffer offer, string participant, HashSet<string> mids)
    {
        string path = _room + "/" + participant;
        var stream = await _server.Paths.FindStreamAsync(path);
        if (_forwards.TryGetValue(participant, out var current))
        {
            if (ReferenceEquals(current.Stream, stream) && current.Mids.SetEquals(mids) && !current.Removed)
            {
                return current;
            }

            Detach(current, "renegotiated");
        }

        if (stream is null || !WebRtcBundleAnswer.TrySelect(offer, mids, out var part))
        {
            return null;
        }

        var sources = stream.Tracks.Select(t => new WebRtcSourceTrack(t.Index, t.MediaType, t.EncodingName, t.ClockRate,
            t.Media.Formats.Count > 0 && int.TryParse(t.Media.Formats[0], CultureInfo.InvariantCulture, out int pt)
                ? t.Media.GetFormatParameterMap(pt) : new Dictionary<string, string>())).ToList();
        if (!WebRtcAnswer.TryNegotiate(part, sources, out var answer, out _, out string? message))
        {
            _server.Logger.LogInformation("room '{Room}': {Id} cannot receive {Participant}: {Message}", _room, _participantId, participant, message);
            return null;
        }

        var ice = _ice!;
        string id = $"room-{_participantId}-{++_sessionNumber}";
        var session = new WhepSession(id, stream, answer, ice, _remote);
        var sections = AcceptedSections(answer.ToSdp(ice.LocalCredentials, _server.Certificate.Fingerprint, _server.Ice.Candidates, participant));
        var forward = new Forward(participant, path, stream, session, mids, sections);
        _forwards[participant] = forward;
        _allForwards.Add(forward);
        forward.Attached = AttachAsync(forward);
        return forward;
    }

    private static Dictionary<string, SdpMedia> AcceptedSections(string answerSdp) =>
        WebRtcBundleAnswer.SectionsByMid(answerSdp).Where(s => s.Value.Port != 0).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    private async Task<bool> AttachAsync(Forward forward)
    {
        (DtlsSrtpKeys Keys, DtlsRole Role) keys;
        try
        {
            keys = await _keys.Task;
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        if (forward.Removed)
        {
            return false;
        }

        forward.Handler = _fanOut!.Activate(() => forward.Session.Activate(keys.Keys.CreateSendContext(keys.Role), keys.Keys.CreateReceiveContext(keys.Role)));

        if (await _server.Paths.AddReaderAsync(forward.Path, forward.Session) is not { } stream)
        {
            return false;
        }

        if (!ReferenceEquals(stream, forward.Stream))
        {
            // The participant's stream restarted in between; the next offer (the hub asks for one) picks the new one.
            await _server.Paths.RemoveReaderAsync(stream, forward.Session, "the stream restarted");
            return false;
        }

        stream.OfferLastSenderReports(forward.Session);

        _server.Logger.LogInformation("room '{Room}': {Id} receives {Participant} ({Codecs}) over WebRTC, mids {Mids}",
            _room, _participantId, forward.ParticipantId, stream.CodecSummary, string.Join(' ', forward.Mids));
        return true;
    }

    private void Detach(Forward forward, string reason)
    {
        forward.Removed = true;
        if (_forwards.TryGetValue(forward.ParticipantId, out var current) && ReferenceEquals(current, forward))
        {
            _forwards.Remove(forward.ParticipantId);
        }

        _pending.RemoveAll(t => t.IsCompleted);
        _pending.Add(DetachAsync(forward, reason));
    }

    private async Task DetachAsync(Forward forward, string reason)
    {
        bool attached = forward.Attached is { } task && await task;
        if (forward.Handler is { } handler)
        {
            _fanOut!.Remove(handler);
        }

        if (attached)
        {
            await _server.Paths.RemoveReaderAsync(forward.Stream, forward.Session, reason);
        }

        // Off the stream and the fan-out: its SRTP contexts and NACK cache (up to 512 packets a track) go now, not
        // when the browser leaves, so people coming and going in a long call do not pile them up.
        forward.Session.Release();
    }

    private async Task RunAsync(DtlsRole role)
    {
        await Task.Yield();
        var dtls = _dtls!;
        var ice = _ice!;
        string reason = "left";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(WhepServer.HandshakeTimeout);
            var keys = await dtls.HandshakeAsync(timeout.Token);
            // The transport closes when the handshake's token is cancelled: only leaving may do that from now on.
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            if (_publisher is { } publisher)
            {
                publisher.Stream = await _server.Paths.StartStreamAsync(_publishPath, publisher, publisher.StreamDescription);
                if (publisher.Stream is not null)
                {
                    var send = keys.CreateSendContext(role);
                    var receive = keys.CreateReceiveContext(role);
                    _contexts.Add(send);
                    _contexts.Add(receive);
                    _fanOut!.Activate(() => publisher.Activate(send, receive));
                }
            }

            _keys.TrySetResult((keys, role));
            var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            ice.Closed += (_, why) => closed.TrySetResult($"ICE {why}");
            using var stopped = _stop.Token.Register(() => closed.TrySetResult("left"));
            using var kicked = _publisher is { } p ? p.Kicked.Register(() => closed.TrySetResult("kicked")) : default;
            var finished = await Task.WhenAny(dtls.Closed, closed.Task);
            reason = finished == dtls.Closed ? "peer closed DTLS" : await closed.Task;
        }
        catch (OperationCanceledException)
        {
            reason = _stop.IsCancellationRequested ? "left" : "no DTLS handshake within " + WhepServer.HandshakeTimeout.TotalSeconds + " s";
        }
        catch (IOException ex)
        {
            // BouncyCastle's TlsFatalAlert and TlsTimeoutException are IOExceptions.
            reason = "DTLS failed: " + ex.Message;
        }
        finally
        {
            _keys.TrySetCanceled();
            await EndAsync(reason);
        }
    }

    private async Task EndAsync(string reason)
    {
        await _gate.WaitAsync();
        try
        {
            _ended = true;
            foreach (var forward in _forwards.Values.ToList())
            {
                Detach(forward, reason);
            }

            await Task.WhenAll(_pending);
            if (_publisher is { } publisher)
            {
                await _server.Paths.RemovePublisherAsync(_publishPath, publisher, reason);
                publisher.Dispose();
            }

            foreach (var forward in _allForwards)
            {
                forward.Session.Close();
            }

            _ice?.Close();
            _dtls?.Dispose();
            foreach (var context in _contexts)
            {
                context.Dispose();
            }

            _server.Forget(this);
            _server.Logger.LogInformation("room '{Room}': {Id}'s WebRTC connection ({Remote}) closed ({Reason}): published {Published}, {Forwards} stream(s) forwarded, {Failures} SRTP failures",
                _room, _participantId, _remote, reason, _publisher?.Stream is not null, _allForwards.Count, _publisher?.UnprotectFailures ?? 0);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the peer: the published stream ends, forwarding stops, ICE and DTLS close.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stop.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        if (_run is { } run)
        {
            await run;
        }
        else
        {
            _server.Forget(this);
        }
    }

    private sealed class Forward(string participantId, string path, MediaStream stream, WhepSession session, HashSet<string> mids,
        IReadOnlyDictionary<string, SdpMedia> sections)
    {
        public string ParticipantId { get; } = participantId;

        public string Path { get; } = path;

        public MediaStream Stream { get; } = stream;

        public WhepSession Session { get; } = session;

        public HashSet<string> Mids { get; } = mids;

        public IReadOnlyDictionary<string, SdpMedia> Sections { get; } = sections;

        public Task<bool>? Attached { get; set; }

        public IcePacketHandler? Handler { get; set; }

        public volatile bool Removed;
    }
}
