using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Rtp.Sdp;
using Parley.Security.Access;

namespace Parley.Rtsp.Server;

/// <summary>A response and what to do once it is on the wire (start sending media after a PLAY answer).</summary>
internal readonly record struct DispatchResult(RtspResponse Message, Action? AfterWrite = null);

/// <summary>
/// The RTSP 1.0 method table and session state machine (RFC 2326 §10 and Appendix A), with the status code RFC 2326
/// §11 gives each wrong request. Media indices in control URLs are "trackID=N" for readers; publishers keep the
/// control attributes they announced.
/// </summary>
internal sealed class RtspRequestDispatcher
{
    private static readonly string[] PublicMethods =
    [
        RtspMethods.Options, RtspMethods.Describe, RtspMethods.Announce, RtspMethods.Setup, RtspMethods.Play,
        RtspMethods.Record, RtspMethods.Pause, RtspMethods.Teardown, RtspMethods.GetParameter, RtspMethods.SetParameter,
    ];

    private const string TrackPrefix = "trackID=";
    private readonly RtspServer _server;
    private readonly ILogger _logger;
    private readonly RtspAccessGate _gate;

    public RtspRequestDispatcher(RtspServer server, ILogger logger)
    {
        _server = server;
        _logger = logger;
        _gate = new RtspAccessGate(server);
    }

    private int TimeoutSeconds => (int)Math.Ceiling(_server.Options.SessionTimeout.TotalSeconds);

    public async ValueTask<DispatchResult> HandleAsync(RtspServerConnection connection, RtspRequest request,
        CancellationToken cancellationToken)
    {
        _logger.LogDebug("{Remote}: {Request}", connection.RemoteEndPoint, request);
        DispatchResult result;
        if (request.CSeq is not int cseq)
        {
            // RFC 2326 §12.17: CSeq must be present in every request.
            result = new(Error(400, null, "missing or invalid CSeq header"));
        }
        else if (!connection.IsSecure && !PlaintextPolicy.Permits(_server.Options.Plaintext, connection.RemoteEndPoint.Address))
        {
            result = new(PlaintextRefusal(connection, request, cseq));
        }
        else if (request.Headers["Require"] is { } require)
        {
            // RFC 2326 §12.32: we support no extension options.
            var response = RtspResponse.Create(551, cseq);
            response.Headers["Unsupported"] = require;
            result = new(response);
        }
        else if (await _gate.CheckAsync(connection, request, cseq, cancellationToken) is { } refusal)
        {
            result = new(refusal);
        }
        else
        {
            result = request.Method switch
            {
                RtspMethods.Options => Options(request, cseq),
                RtspMethods.Describe => await DescribeAsync(connection, request, cseq, cancellationToken),
                RtspMethods.Announce => await AnnounceAsync(connection, request, cseq, cancellationToken),
                RtspMethods.Setup => await SetupAsync(connection, request, cseq, cancellationToken),
                RtspMethods.Play => await PlayAsync(request, cseq, cancellationToken),
                RtspMethods.Record => await RecordAsync(request, cseq, cancellationToken),
                RtspMethods.Pause => await PauseAsync(request, cseq, cancellationToken),
                RtspMethods.Teardown => await TeardownAsync(request, cseq),
                RtspMethods.GetParameter or RtspMethods.SetParameter => KeepAlive(request, cseq),
                _ => new(Error(501, cseq, $"method {request.Method} is not implemented")),
            };
        }

        result.Message.Headers["Server"] = _server.Options.ServerName;
        return result;
    }

    private static DispatchResult Options(RtspRequest request, int cseq)
    {
        var response = RtspResponse.Create(200, cseq);
        response.Headers["Public"] = RtspHeaderValues.FormatPublic(PublicMethods);
        return new(response);
    }

    private async ValueTask<DispatchResult> DescribeAsync(RtspServerConnection connection, RtspRequest request, int cseq,
        CancellationToken cancellationToken)
    {
        if (!TryGetPath(request, out string path, out string baseUri))
        {
            return new(Error(400, cseq, "the request URL is not an rtsp:// URL with a path"));
        }

        var described = await _server.Handler.DescribeAsync(path, withSrtp: connection.IsSecure, cancellationToken);
        if (described.StatusCode != 200 || described.Description is null)
        {
            return new(Error(described.StatusCode == 200 ? 404 : described.StatusCode, cseq, described.Reason));
        }

        var srtp = described.Srtp;
        if (srtp is { IsPerReader: true })
        {
            connection.OfferKey(path, srtp);
        }

        var sdp = ForReaders(described.Description, srtp);
        var response = RtspResponse.Create(200, cseq);
        response.Headers["Content-Base"] = baseUri + "/";
        response.Headers["Content-Type"] = "application/sdp";
        response.Body = Encoding.UTF8.GetBytes(sdp.ToString());
        return new(response);
    }

    // The stream's SDP as readers see it: our control URLs, no publisher addresses or ports. On RTSPS with an SRTP
    // group, every media is offered as RTP/SAVP with its MIKEY key (RFC 4567 §3.1); clients that ask for
    // RTP/AVP/TCP still get plain interleaved media, inside TLS.
    private static SdpSession ForReaders(SdpSession published, SrtpSendGroup? srtp = null)
    {
        var sdp = published.Clone();
        sdp.Connection = "IN IP4 0.0.0.0";
        sdp.Attributes.Set("control", "*");
        sdp.Attributes.Set("range", "npt=0-");
        for (int i = 0; i < sdp.Media.Count; i++)
        {
            var media = sdp.Media[i];
            media.Port = 0;
            media.PortCount = 1;
            media.Connection = null;
            media.Control = TrackPrefix + i.ToString(CultureInfo.InvariantCulture);
            media.Direction = null;
            media.Attributes.Remove("key-mgmt");
            media.Attributes.Remove("crypto");
            if (srtp is not null)
            {
                media.Protocol = "RTP/SAVP";
                media.Attributes.Add("key-mgmt", srtp.CreateKeyManagement(i));
            }
            else
            {
                media.Protocol = "RTP/AVP";
            }
        }

        return sdp;
    }

    private async ValueTask<DispatchResult> AnnounceAsync(RtspServerConnection connection, RtspRequest request, int cseq,
        CancellationToken cancellationToken)
    {
        if (!TryGetPath(request, out string path, out string baseUri))
        {
            return new(Error(400, cseq, "the request URL is not an rtsp:// URL with a path"));
        }

        string? contentType = request.Headers["Content-Type"];
        if (contentType is null || !contentType.StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            return new(Error(415, cseq, "ANNOUNCE needs a Content-Type: application/sdp body"));
        }

        if (!SdpSession.TryParse(Encoding.UTF8.GetString(request.Body.Span), out var sdp, out string? sdpError) || sdp is null)
        {
            return new(Error(400, cseq, $"invalid SDP: {sdpError}"));
        }

        if (sdp.Media.Count == 0)
        {
            return new(Error(400, cseq, "the SDP has no media"));
        }

        if (connection.PendingAnnounce is { } previous)
        {
            await _server.CloseSessionAsync(previous, "replaced by a new ANNOUNCE", closeConnection: false);
        }

        var session = _server.CreateSession(connection, RtspSessionMode.Record, path, sdp, request.Headers["Content-Base"] ?? baseUri);
        var status = await _server.Handler.AnnounceAsync(session, cancellationToken);
        if (status.StatusCode != 200)
        {
            await _server.CloseSessionAsync(session, "announce refused", closeConnection: false);
            return new(Error(status.StatusCode, cseq, status.Reason));
        }

        connection.PendingAnnounce = session;
        var response = RtspResponse.Create(200, cseq);
        response.Headers["Session"] = RtspHeaderValues.FormatSession(session.Id, TimeoutSeconds);
        return new(response);
    }

    private async ValueTask<DispatchResult> SetupAsync(RtspServerConnection connection, RtspRequest request, int cseq,
        CancellationToken cancellationToken)
    {
        if (!RtspUri.TryParse(request.Uri, out RtspUriParts? url))
        {
            return new(Error(400, cseq, "the request URL is not an rtsp:// URL"));
        }

        RtspServerSession? session = null;
        if (request.Session is { } id)
        {
            session = _server.FindSession(id);
            if (session is null)
            {
                return new(Error(454, cseq, null));
            }
        }
        else if (connection.PendingAnnounce is { } pending && pending.State == RtspSessionState.Init)
        {
            session = pending;
        }

        if (session is { State: RtspSessionState.Playing or RtspSessionState.Recording })
        {
            // RFC 2326 §10.4 allows changing transport while playing; we do not.
            return new(Error(455, cseq, "SETUP is not allowed while playing or recording"));
        }

        int mediaIndex;
        if (session is { Mode: RtspSessionMode.Record })
        {
            mediaIndex = FindAnnouncedMedia(session, url.Path);
            if (mediaIndex < 0)
            {
                return new(Error(url.Path.StartsWith(session.Path, StringComparison.Ordinal) ? 404 : 459, cseq,
                    "the URL matches no media of the announced stream"));
            }
        }
        else
        {
            SplitTrack(url.Path, out string path, out int track);
            if (session is null)
            {
                // A per-reader key must be the one this connection's DESCRIBE put in the SDP the client read.
                var offered = connection.IsSecure ? connection.OfferedKey(path) : null;
                var described = await _server.Handler.DescribeAsync(path, withSrtp: connection.IsSecure && offered is null, cancellationToken);
                if (described.StatusCode != 200 || described.Description is null)
                {
                    return new(Error(described.StatusCode == 200 ? 404 : described.StatusCode, cseq, described.Reason));
                }

                if (track < 0 && described.Description.Media.Count != 1)
                {
                    return new(Error(459, cseq, "SETUP names the whole stream; set up each track by its control URL"));
                }

                if (track >= described.Description.Media.Count)
                {
                    return new(Error(404, cseq, "no such track"));
                }

                string baseUri = BaseOf(request.Uri, url, path);
                var srtp = offered ?? described.Srtp;
                session = _server.CreateSession(connection, RtspSessionMode.Play, path, ForReaders(described.Description, srtp), baseUri);
                session.OfferedSrtp = srtp;
            }
            else if (!string.Equals(session.Path, path, StringComparison.Ordinal))
            {
                return new(Error(459, cseq, "one session cannot span two paths"));
            }
            else if (track < 0 && session.Description.Media.Count != 1)
            {
                return new(Error(459, cseq, "SETUP names the whole stream; set up each track by its control URL"));
            }

            mediaIndex = Math.Max(track, 0);
            if (mediaIndex >= session.Description.Media.Count)
            {
                return new(Error(404, cseq, "no such track"));
            }
        }

        bool created = session.State == RtspSessionState.Init && !session.MediaSetUp.Contains(true);
        var transportResult = ConfigureTransport(connection, session, mediaIndex, request.Headers["Transport"], out var reply);
        if (transportResult != 200)
        {
            if (created && session.Mode == RtspSessionMode.Play)
            {
                await _server.CloseSessionAsync(session, "transport refused", closeConnection: false);
            }

            return new(Error(transportResult, cseq, reply?.ToString()));
        }

        session.MediaSetUpMutable[mediaIndex] = true;
        session.State = RtspSessionState.Ready;
        session.Touch();
        var response = RtspResponse.Create(200, cseq);
        response.Headers["Transport"] = reply!.ToString();
        response.Headers["Session"] = RtspHeaderValues.FormatSession(session.Id, TimeoutSeconds);
        return new(response);
    }

    // Picks the first transport spec we support (RFC 2326 §12.39) and binds media to it. Returns a status code.
    private int ConfigureTransport(RtspServerConnection connection, RtspServerSession session, int mediaIndex,
        string? header, out RtspTransport? reply)
    {
        reply = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            return 461;
        }

        foreach (var spec in RtspTransport.ParseList(header))
        {
            // RTP/SAVP (SRTP keyed by the SDP's MIKEY) is for RTSPS readers over UDP; plain UDP is refused on
            // RTSPS, since the point of the TLS session is that the media is protected too.
            bool savp = string.Equals(spec.Profile, "RTP/SAVP", StringComparison.OrdinalIgnoreCase);
            if (spec.Multicast || !(savp || string.Equals(spec.Profile, "RTP/AVP", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (!spec.IsTcp && connection.IsSecure != savp)
            {
                continue;
            }

            if (savp && (spec.IsTcp || session.Mode != RtspSessionMode.Play || session.OfferedSrtp is null))
            {
                continue;
            }

            if (spec.Mode is { } mode && (mode is "RECORD" or "RECEIVE") != (session.Mode == RtspSessionMode.Record))
            {
                continue;
            }

            if (spec.IsTcp)
            {
                if (session.Transport is RtspUdpMediaTransport)
                {
                    continue;
                }

                var channels = spec.Interleaved ?? FreeChannelPair(connection, session);
                if (channels.Rtp is < 0 or > 255 || channels.Rtcp is < 0 or > 255
                    || !connection.IsChannelFree(channels.Rtp, session) || !connection.IsChannelFree(channels.Rtcp, session))
                {
                    continue;
                }

                var tcp = session.Transport as RtspTcpMediaTransport
                    ?? new RtspTcpMediaTransport(connection, session.Description.Media.Count, _server.Options.WriteTimeout);
                session.Transport = tcp;
                tcp.SetChannels(mediaIndex, channels.Rtp, channels.Rtcp);
                connection.RouteChannel(channels.Rtp, session, mediaIndex, isRtcp: false);
                connection.RouteChannel(channels.Rtcp, session, mediaIndex, isRtcp: true);
                reply = new RtspTransport { Profile = "RTP/AVP", LowerTransport = "TCP", Interleaved = channels, Mode = spec.Mode };
                return 200;
            }

            if (spec.ClientPort is not { } ports || session.Transport is RtspTcpMediaTransport)
            {
                continue;
            }

            var udp = session.Transport as RtspUdpMediaTransport
                ?? new RtspUdpMediaTransport(_server.Udp, session, session.Description.Media.Count);
            session.Transport = udp;
            session.Srtp = savp ? session.OfferedSrtp : null;
            udp.SetClientPorts(mediaIndex, connection.RemoteEndPoint.Address, ports.Rtp, ports.Rtcp,
                receivesRtp: session.Mode == RtspSessionMode.Record);
            reply = new RtspTransport
            {
                Profile = savp ? "RTP/SAVP" : "RTP/AVP",
                LowerTransport = "UDP",
                ClientPort = ports,
                ServerPort = (_server.RtpPort, _server.RtcpPort),
                Mode = spec.Mode,
            };
            return 200;
        }

        return 461;
    }

    private static (int Rtp, int Rtcp) FreeChannelPair(RtspServerConnection connection, RtspServerSession session)
    {
        for (int channel = 0; channel < 255; channel += 2)
        {
            if (connection.IsChannelFree(channel, session) && connection.IsChannelFree(channel + 1, session))
            {
                return (channel, channel + 1);
            }
        }

        return (-1, -1);
    }

    private async ValueTask<DispatchResult> PlayAsync(RtspRequest request, int cseq, CancellationToken cancellationToken)
    {
        if (!TryGetSession(request, cseq, out var session, out var error))
        {
            return new(error!);
        }

        if (session.Mode != RtspSessionMode.Play)
        {
            return new(Error(455, cseq, "PLAY on a recording session"));
        }

        if (session.State == RtspSessionState.Playing)
        {
            // A repeated PLAY (some players send one to resume) changes nothing on a live stream.
            return new(PlayResponse(session, cseq, null));
        }

        if (session.State != RtspSessionState.Ready)
        {
            return new(Error(455, cseq, "PLAY before SETUP"));
        }

        var result = await _server.Handler.PlayAsync(session, cancellationToken);
        if (result.StatusCode != 200)
        {
            return new(Error(result.StatusCode, cseq, result.Reason));
        }

        session.State = RtspSessionState.Playing;
        return new(PlayResponse(session, cseq, result.RtpInfo), () => _server.Handler.PlayStarted(session));
    }

    private static RtspResponse PlayResponse(RtspServerSession session, int cseq, IReadOnlyList<RtpInfoEntry?>? rtpInfo)
    {
        var response = RtspResponse.Create(200, cseq);
        response.Headers["Session"] = session.Id;
        response.Headers["Range"] = "npt=0.000-";
        if (rtpInfo is not null)
        {
            var entries = new List<(string Url, ushort Seq, uint RtpTime)>();
            for (int i = 0; i < rtpInfo.Count && i < session.MediaSetUp.Count; i++)
            {
                if (session.MediaSetUp[i] && rtpInfo[i] is { } entry)
                {
                    string url = RtspUri.Combine(session.BaseUri + "/", TrackPrefix + i.ToString(CultureInfo.InvariantCulture));
                    entries.Add((url, entry.SequenceNumber, entry.RtpTime));
                }
            }

            if (entries.Count > 0)
            {
                response.Headers["RTP-Info"] = RtspHeaderValues.FormatRtpInfo(entries);
            }
        }

        return response;
    }

    private async ValueTask<DispatchResult> RecordAsync(RtspRequest request, int cseq, CancellationToken cancellationToken)
    {
        if (!TryGetSession(request, cseq, out var session, out var error))
        {
            return new(error!);
        }

        if (session.Mode != RtspSessionMode.Record)
        {
            return new(Error(455, cseq, "RECORD needs an ANNOUNCE first"));
        }

        if (session.State == RtspSessionState.Recording)
        {
            return new(SessionResponse(session, cseq));
        }

        if (session.State != RtspSessionState.Ready)
        {
            return new(Error(455, cseq, "RECORD before SETUP"));
        }

        var status = await _server.Handler.RecordAsync(session, cancellationToken);
        if (status.StatusCode != 200)
        {
            return new(Error(status.StatusCode, cseq, status.Reason));
        }

        session.Connection.PendingAnnounce = null;
        session.State = RtspSessionState.Recording;
        return new(SessionResponse(session, cseq));
    }

    private async ValueTask<DispatchResult> PauseAsync(RtspRequest request, int cseq, CancellationToken cancellationToken)
    {
        if (!TryGetSession(request, cseq, out var session, out var error))
        {
            return new(error!);
        }

        if (session.State == RtspSessionState.Init)
        {
            return new(Error(455, cseq, "PAUSE before SETUP"));
        }

        if (session.State is RtspSessionState.Playing or RtspSessionState.Recording)
        {
            await _server.Handler.PauseAsync(session, cancellationToken);
            session.State = RtspSessionState.Ready;
        }

        return new(SessionResponse(session, cseq));
    }

    private async ValueTask<DispatchResult> TeardownAsync(RtspRequest request, int cseq)
    {
        if (!TryGetSession(request, cseq, out var session, out var error))
        {
            return new(error!);
        }

        await _server.CloseSessionAsync(session, "teardown", closeConnection: false);
        return new(RtspResponse.Create(200, cseq));
    }

    // GET_PARAMETER / SET_PARAMETER as keep-alive (RFC 2326 §10.8, §10.9).
    private DispatchResult KeepAlive(RtspRequest request, int cseq)
    {
        if (request.Session is not null && !TryGetSession(request, cseq, out _, out var error))
        {
            return new(error!);
        }

        if (request.Method == RtspMethods.SetParameter && !request.Body.IsEmpty)
        {
            return new(Error(451, cseq, "no parameters can be set"));
        }

        return new(RtspResponse.Create(200, cseq));
    }

    private bool TryGetSession(RtspRequest request, int cseq, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RtspServerSession? session,
        out RtspResponse? error)
    {
        if (request.Session is not { } id)
        {
            // No session yet means the Init state, where only SETUP creates one (RFC 2326 Appendix A).
            session = null;
            error = Error(455, cseq, $"{request.Method} needs a session: SETUP first");
            return false;
        }

        session = _server.FindSession(id);
        if (session is null)
        {
            error = Error(454, cseq, null);
            return false;
        }

        session.Touch();
        error = null;
        return true;
    }

    private static RtspResponse SessionResponse(RtspServerSession session, int cseq)
    {
        var response = RtspResponse.Create(200, cseq);
        response.Headers["Session"] = session.Id;
        return response;
    }

    // 403 to a client plain RTSP does not serve, naming the rtsps:// URL of the same resource on this host.
    private RtspResponse PlaintextRefusal(RtspServerConnection connection, RtspRequest request, int cseq)
    {
        string whom = _server.Options.Plaintext == PlaintextMode.Off ? "no client (rtsp.plaintext: off)"
            : "clients on the hub's own machine (rtsp.plaintext: loopback)";
        string detail;
        if (_server.TlsPort != 0)
        {
            // OPTIONS may name "*"; then the address the client dialled stands in for the host.
            bool parsed = RtspUri.TryParse(request.Uri, out RtspUriParts? url);
            string host = parsed ? url!.Host : connection.LocalAddress.ToString();
            string secure = $"rtsps://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{_server.TlsPort}/{(parsed ? url!.Path : "")}";
            detail = $"plain RTSP is served to {whom} only; use {secure}";
            var response = Error(403, cseq, detail);
            response.Headers["Location"] = secure;
            response.Headers["Content-Type"] = "text/plain; charset=utf-8";
            response.Body = Encoding.UTF8.GetBytes(detail + "\r\n");
            return response;
        }

        detail = $"plain RTSP is served to {whom} only and RTSPS is off; ask the hub's operator to turn rtsp.tls on, or to set rtsp.plaintext: allow on a trusted network";
        var refusal = Error(403, cseq, detail);
        refusal.Headers["Content-Type"] = "text/plain; charset=utf-8";
        refusal.Body = Encoding.UTF8.GetBytes(detail + "\r\n");
        return refusal;
    }

    private RtspResponse Error(int statusCode, int? cseq, string? detail)
    {
        var response = RtspResponse.Create(statusCode, cseq);
        if (!string.IsNullOrEmpty(detail))
        {
            // Not a standard header, but ffmpeg and curl print unknown headers, which is what a user needs.
            response.Headers["X-Parley-Error"] = detail;
        }

        _logger.LogDebug("answer {Status}: {Detail}", statusCode, detail);
        return response;
    }

    private static bool TryGetPath(RtspRequest request, out string path, out string baseUri)
    {
        path = "";
        baseUri = "";
        if (!RtspUri.TryParse(request.Uri, out RtspUriParts? url) || url.Path.Length == 0)
        {
            return false;
        }

        path = url.Path;
        baseUri = request.Uri.TrimEnd('/');
        int query = baseUri.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            baseUri = baseUri[..query];
        }

        return true;
    }

    // "cam/trackID=1" → ("cam", 1); "cam" → ("cam", -1).
    internal static void SplitTrack(string urlPath, out string path, out int track)
    {
        int slash = urlPath.LastIndexOf('/');
        string last = slash >= 0 ? urlPath[(slash + 1)..] : urlPath;
        if (slash > 0 && last.StartsWith(TrackPrefix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(last.AsSpan(TrackPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out track))
        {
            path = urlPath[..slash];
            return;
        }

        path = urlPath;
        track = -1;
    }

    private static string BaseOf(string requestUri, RtspUriParts url, string path)
    {
        // The base is the request URL up to the stream path, keeping the scheme, host and port the client used.
        int at = requestUri.IndexOf(url.Path, StringComparison.Ordinal);
        return at > 0 ? requestUri[..(at + path.Length)] : requestUri;
    }

    // Publishers' SETUP URLs are their announce URL combined with the control attribute they announced.
    private static int FindAnnouncedMedia(RtspServerSession session, string urlPath)
    {
        var media = session.Description.Media;
        for (int i = 0; i < media.Count; i++)
        {
            string control = media[i].Control ?? "";
            string combined = RtspUri.Combine(session.BaseUri, control);
            if (RtspUri.TryParse(combined, out RtspUriParts? parts) && string.Equals(parts.Path, urlPath, StringComparison.Ordinal))
            {
                return i;
            }
        }

        // Publishers that announce "trackID=N" or no control at all with one media.
        SplitTrack(urlPath, out string path, out int track);
        if (string.Equals(path, session.Path, StringComparison.Ordinal) && track >= 0 && track < media.Count)
        {
            return track;
        }

        return media.Count == 1 && string.Equals(urlPath, session.Path, StringComparison.Ordinal) ? 0 : -1;
    }
}
