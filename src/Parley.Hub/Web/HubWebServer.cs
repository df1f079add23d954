using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Hub.Auth;
using Parley.Hub.Configuration;
using Parley.Hub.Paths;
using Parley.Hub.Protocols.WebRtc;
using Parley.Hub.Rooms;

namespace Parley.Hub.Web;

/// <summary>
/// The hub's HTTP side on Kestrel (default port 8080): the web UI from embedded assets, the JSON API and its
/// events, and the browser players.
/// <list type="table">
/// <item><term>GET /</term><description>the stream list page</description></item>
/// <item><term>GET /api/streams</term><description><c>{"streams":[StreamSummary...]}</c></description></item>
/// <item><term>GET /api/events</term><description>the same list as Server-Sent Events, on every change</description></item>
/// <item><term>GET /assets/&lt;file&gt;</term><description>embedded files; <c>/assets/parley-player.js</c> is the embeddable player</description></item>
/// <item><term>GET /r/&lt;room&gt;</term><description>the room page (room.html; it checks the name and joins over /r/&lt;room&gt;/ws)</description></item>
/// <item><term>GET /&lt;path&gt;</term><description>the player page of a stream</description></item>
/// <item><term>GET /&lt;path&gt;/ws</term><description>WebSocket: JSON hello, then <see cref="WebMessage"/> binary messages</description></item>
/// <item><term>GET /&lt;path&gt;/mjpeg</term><description>multipart/x-mixed-replace JPEG frames (JPEG streams only)</description></item>
/// <item><term>POST /&lt;path&gt;/whep</term><description>WHEP (RFC 9725): application/sdp offer in, 201 with the answer and a Location</description></item>
/// <item><term>DELETE /&lt;path&gt;/whep/&lt;session&gt;</term><description>ends that WHEP session</description></item>
/// <item><term>POST /&lt;path&gt;/whip, DELETE /&lt;path&gt;/whip/&lt;session&gt;</term><description>WHIP publishing, the same way</description></item>
/// <item><term>GET /r/&lt;room&gt;/ws</term><description>WebSocket: the room control protocol (docs/rooms-protocol.md)</description></item>
/// </list>
/// </summary>
public sealed class HubWebServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HubOptions.HttpSection _options;
    private readonly PathManager _paths;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly EmbeddedAssets _assets = new();
    private readonly OriginPolicy _origins;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _time;
    private readonly HttpAccess _access;
    private readonly SecurityHeaders _securityHeaders;
    private readonly PlaintextGate _plaintext;
    private WebApplication? _app;

    /// <summary>Creates the server; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Address, port, origins, queues.</param>
    /// <param name="paths">The hub's streams.</param>
    /// <param name="loggerFactory">Where the server logs.</param>
    /// <param name="time">The clock.</param>
    /// <param name="rooms">The rooms behind <c>/r/&lt;room&gt;/ws</c>; null answers that route with 404.</param>
    /// <param name="auth">Access control for players, API and rooms; null allows everyone.</param>
    public HubWebServer(HubOptions.HttpSection options, PathManager paths, ILoggerFactory loggerFactory, TimeProvider time, RoomManager? rooms = null,
        HubAuthorizer? auth = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _paths = paths;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<HubWebServer>();
        _origins = new OriginPolicy(options.AllowedOrigins);
        _time = time;
        _access = new HttpAccess(auth);
        _securityHeaders = new SecurityHeaders(options.AllowedOrigins);
        _plaintext = new PlaintextGate(options.Plaintext, () => TlsPort);
        Rooms = rooms;
        Sources = new WebSourceRegistry(paths, time, loggerFactory.CreateLogger<WebSourceRegistry>());
        Catalog = new StreamCatalog(paths, Sources, time);
    }

    /// <summary>The per-stream frame sources of browser viewers.</summary>
    public WebSourceRegistry Sources { get; }

    /// <summary>The stream list behind the API.</summary>
    public StreamCatalog Catalog { get; }

    /// <summary>The rooms served on <c>/r/&lt;room&gt;/ws</c>, or null.</summary>
    public RoomManager? Rooms { get; }

    /// <summary>The port listened on (the chosen one when configured as 0); 0 before start.</summary>
    public int Port { get; private set; }

    /// <summary>When set, HTTPS (and WSS) is served with it on http.tlsPort beside plain HTTP.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    /// <summary>WHEP playback behind POST /&lt;path&gt;/whep; null answers those requests with 404.</summary>
    public WhepServer? Whep { get; init; }

    /// <summary>WHIP publishing behind POST /&lt;path&gt;/whip; null answers those requests with 404.</summary>
    public WhipServer? Whip { get; init; }

    /// <summary>Browser room participants' WebRTC connections (webrtc-offer on /r/&lt;room&gt;/ws); null when WebRTC is off.</summary>
    public RoomPeerServer? RoomPeers { get; init; }

    /// <summary>The HTTPS port listened on; 0 without a <see cref="Certificate"/> or before start.</summary>
    public int TlsPort { get; private set; }

    /// <summary>Binds the port and starts serving.</summary>
    /// <exception cref="SocketException">The port is taken (SocketError.AddressAlreadyInUse).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // VP8 plays in the page over WHEP, so only where this hub serves it.
        Sources.WebRtc = Whep is not null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(_loggerFactory));
        // Per-request lines at information would drown the hub's own log.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            KestrelHardening.Apply(kestrel.Limits);
            kestrel.Listen(new IPEndPoint(_options.Address, _options.Port));
            if (Certificate is { } certificate)
            {
                kestrel.Listen(new IPEndPoint(_options.Address, _options.TlsPort), listen => listen.UseHttps(certificate));
            }
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            _securityHeaders.Apply(context);
            if (!await _plaintext.TryAnswerAsync(context))
            {
                await next(context);
            }
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await app.DisposeAsync();
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        }

        _app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal)))
            .ToList();
        Port = addresses.First(a => a.Scheme == Uri.UriSchemeHttp).Port;
        TlsPort = addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps)?.Port ?? 0;
        _logger.LogInformation("web UI: http://localhost:{Port}/ (plain HTTP for {Whom})", Port, _options.Plaintext switch
        {
            Parley.Security.Access.PlaintextMode.Allow => "every client (http.plaintext: allow)",
            Parley.Security.Access.PlaintextMode.Off => "no client (http.plaintext: off)",
            _ => "this machine only; others are sent to HTTPS",
        });
        if (TlsPort != 0)
        {
            _logger.LogInformation("web UI: https://localhost:{Port}/ (from other machines: https://<this host>:{Port}/)", TlsPort, TlsPort);
        }
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/", context => _assets.ServeAsync(context, "index.html"));
        app.MapGet("/assets/{*file}", (HttpContext context, string file) =>
        {
            _origins.AddCorsHeaders(context);
            return _assets.ServeAsync(context, file);
        });
        app.MapGet("/api/streams", async context =>
        {
            _origins.AddCorsHeaders(context);
            // The list shows only what the caller may read.
            if (await _access.AuthorizeAsync(context, null, "") is not { } identity)
            {
                return;
            }

            context.Response.Headers.CacheControl = "no-store";
            var streams = (await Catalog.ListAsync()).Where(s => identity.Permits(AccessAction.Read, s.Path)).ToArray();
            await context.Response.WriteAsJsonAsync(new { streams }, Json, context.RequestAborted);
        });
        app.MapGet("/api/events", async context =>
        {
            _origins.AddCorsHeaders(context);
            if (await _access.AuthorizeAsync(context, null, "") is not { } identity)
            {
                return;
            }

            await StreamEventsSession.RunAsync(context, _paths, Catalog, Json, _stopping.Token, path => identity.Permits(AccessAction.Read, path));
        });
        app.MapGet("/r/{room}", context => _assets.ServeAsync(context, "room.html"));
        app.MapGet("/r/{room}/ws", ServeRoomSocketAsync);
        app.MapGet("/{**path}", HandlePathAsync);
        app.MapPost("/{**path}", HandleWhepOfferAsync);
        app.MapDelete("/{**path}", HandleWhepDeleteAsync);
        app.MapMethods("/{**path}", [HttpMethods.Options], HandleWhepPreflight);
    }

    // CORS preflight of a WHEP player on another (allowed) origin: POST with application/sdp, then DELETE.
    private void HandleWhepPreflight(HttpContext context)
    {
        string path = (context.Request.Path.Value ?? "").Trim('/');
        if (Whep is null || !(path.EndsWith("/whep", StringComparison.Ordinal) || path.Contains("/whep/", StringComparison.Ordinal)
            || path.EndsWith("/whip", StringComparison.Ordinal) || path.Contains("/whip/", StringComparison.Ordinal)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        _origins.AddCorsHeaders(context);
        context.Response.Headers.AccessControlAllowMethods = "POST, DELETE, OPTIONS";
        context.Response.Headers.AccessControlAllowHeaders = "Content-Type, Authorization";
        context.Response.Headers.AccessControlExposeHeaders = "Location";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    // POST /<path>/whep (RFC 9725 §4.2): the offer in, the answer out, the session resource in Location.
    private async Task HandleWhepOfferAsync(HttpContext context)
    {
        string path = (context.Request.Path.Value ?? "").Trim('/');
        bool publish = path.EndsWith("/whip", StringComparison.Ordinal);
        if (Whep is null || Whip is null || !(publish || path.EndsWith("/whep", StringComparison.Ordinal)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        path = path[..^5];
        if (!_origins.IsAllowed(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        _origins.AddCorsHeaders(context);
        if (await _access.AuthorizeAsync(context, publish ? AccessAction.Publish : AccessAction.Read, path) is null)
        {
            return;
        }

        if (!string.Equals(context.Request.ContentType?.Split(';')[0].Trim(), "application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.Response.WriteAsync("a WHEP offer is sent with Content-Type: application/sdp (RFC 9725 §4.2)", context.RequestAborted);
            return;
        }

        string offer;
        using (var reader = new StreamReader(context.Request.Body))
        {
            // An SDP offer is a few kB; Kestrel's request body limit bounds the rest.
            offer = await reader.ReadToEndAsync(context.RequestAborted);
        }

        string remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var result = publish ? await Whip.CreateAsync(path, offer, remote) : await Whep.CreateAsync(path, offer, remote);
        context.Response.StatusCode = result.StatusCode;
        if (result.SessionId is { } id)
        {
            context.Response.ContentType = "application/sdp";
            context.Response.Headers.Location = $"/{path}/{(publish ? "whip" : "whep")}/{id}";
            // A cross-origin player reads Location to DELETE the session later.
            context.Response.Headers.AccessControlExposeHeaders = "Location";
            context.Response.Headers.CacheControl = "no-store";
        }
        else
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
        }

        await context.Response.WriteAsync(result.Body, context.RequestAborted);
    }

    // DELETE /<path>/whep/<session> (RFC 9725 §4.2): the player leaves.
    private async Task HandleWhepDeleteAsync(HttpContext context)
    {
        string path = (context.Request.Path.Value ?? "").Trim('/');
        int marker = path.LastIndexOf("/whep/", StringComparison.Ordinal);
        int publishMarker = path.LastIndexOf("/whip/", StringComparison.Ordinal);
        bool publish = publishMarker > marker;
        marker = Math.Max(marker, publishMarker);
        if (Whep is null || Whip is null || marker < 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        _origins.AddCorsHeaders(context);
        if (await _access.AuthorizeAsync(context, publish ? AccessAction.Publish : AccessAction.Read, path[..marker]) is null)
        {
            return;
        }

        string id = path[(marker + 6)..];
        bool found = publish ? Whip.Delete(id) : Whep.Delete(id);
        context.Response.StatusCode = found ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
    }

    private async Task ServeRoomSocketAsync(HttpContext context)
    {
        string room = context.Request.RouteValues["room"] as string ?? "";
        if (Rooms is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!RoomNames.IsValidRoom(room))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"'{room}' is not a room name: use 1 to {RoomNames.MaxLength} characters from A-Z a-z 0-9 - _ . not starting with '.'", context.RequestAborted);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"/r/{room}/ws is a WebSocket (docs/rooms-protocol.md); open /r/{room} for the room page", context.RequestAborted);
            return;
        }

        if (!_origins.IsAllowed(context.Request))
        {
            _logger.LogWarning("room client {Remote} refused on room '{Room}': origin {Origin} is not in http.allowedOrigins",
                context.Connection.RemoteIpAddress, room, context.Request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (await _access.AuthorizeAsync(context, AccessAction.Join, room) is not { } identity)
        {
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        string description = $"websocket {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var access = new RoomAccess(identity.Permits(AccessAction.Chat, room), identity.Token?.Name) { Permits = identity.Permits };
        using var session = new RoomSocketSession(socket, room, Rooms, description, _time, _logger, access) { Peers = RoomPeers };
        await session.RunAsync(_stopping.Token);
    }

    // /<path>, /<path>/ws and /<path>/mjpeg; paths may hold slashes (room/alice).
    private async Task HandlePathAsync(HttpContext context)
    {
        string path = (context.Request.Path.Value ?? "").Trim('/');
        if (path.EndsWith("/ws", StringComparison.Ordinal) && context.WebSockets.IsWebSocketRequest)
        {
            await ServeWebSocketAsync(context, path[..^3]);
        }
        else if (path.EndsWith("/mjpeg", StringComparison.Ordinal))
        {
            await ServeMjpegAsync(context, path[..^6]);
        }
        else if (path.Length == 0 || path.StartsWith("api/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
        else
        {
            // The page itself waits for the stream and reconnects, so unknown paths get it too.
            await _assets.ServeAsync(context, "player.html");
        }
    }

    private async Task ServeWebSocketAsync(HttpContext context, string path)
    {
        if (!_origins.IsAllowed(context.Request))
        {
            _logger.LogWarning("web viewer {Remote} refused on path '{Path}': origin {Origin} is not in http.allowedOrigins",
                context.Connection.RemoteIpAddress, path, context.Request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (await _access.AuthorizeAsync(context, AccessAction.Read, path) is null)
        {
            return;
        }

        var viewer = new WebViewer($"websocket {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}", _options.ViewerQueueMessages);
        var source = await Sources.AttachAsync(path, viewer);
        if (source is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"no stream a browser can play is live on path '{path}'", context.RequestAborted);
            return;
        }

        string reason = "connection failed";
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            _logger.LogInformation("web viewer {Viewer} joined path '{Path}' ({Mode})", viewer.Description, path, source.Playback.Mode);
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            reason = await new WebSocketPlayerSession(socket, viewer, source, _logger).RunAsync(ended.Token);
        }
        finally
        {
            viewer.DrainAndRelease();
            await Sources.DetachAsync(source, viewer, reason);
        }
    }

    private async Task ServeMjpegAsync(HttpContext context, string path)
    {
        if (!_origins.IsAllowed(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        _origins.AddCorsHeaders(context);
        if (await _access.AuthorizeAsync(context, AccessAction.Read, path) is null)
        {
            return;
        }

        var viewer = new WebViewer($"mjpeg {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}", _options.ViewerQueueMessages, jpegOnly: true);
        var stream = await _paths.FindStreamAsync(path);
        if (stream is not null && WebPlayback.For(stream) is { Mode: not WebPlaybackMode.Jpeg } or { VideoTrack: < 0 })
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.Response.WriteAsync($"path '{path}' is not a JPEG stream ({stream.CodecSummary}); open /{path} to play it", context.RequestAborted);
            return;
        }

        var source = await Sources.AttachAsync(path, viewer);
        if (source is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"no stream is live on path '{path}'", context.RequestAborted);
            return;
        }

        _logger.LogInformation("web viewer {Viewer} joined path '{Path}' (MJPEG)", viewer.Description, path);
        string reason = "connection failed";
        try
        {
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            reason = await MjpegSession.RunAsync(context, viewer, ended.Token);
        }
        finally
        {
            await Sources.DetachAsync(source, viewer, reason);
        }
    }

    /// <summary>Stops listening; open players and event streams are closed.</summary>
    public async ValueTask DisposeAsync()
    {
        // Long-lived responses (players, events) end now instead of holding Kestrel's shutdown.
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
            _app = null;
        }

        _stopping.Dispose();
    }
}
