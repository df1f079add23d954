using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Rtsp.Server;

/// <summary>
/// Puts <see cref="IRtspAccessControl"/> in front of the requests that open a path, and speaks the challenge side
/// of RFC 2617: a 401 carries <c>WWW-Authenticate: Digest realm=..., nonce=..., algorithm=MD5</c> (when Digest is
/// offered) and <c>Basic realm=...</c>. Nonces are stateless: 8 bytes of issue time (Unix seconds) and 8 bytes of
/// HMAC-SHA256 over them under a per-server key, so any connection can check them and none need be remembered; an
/// old or foreign nonce is answered with a new challenge (stale=TRUE when only the age was wrong).
/// </summary>
internal sealed class RtspAccessGate
{
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(10);
    private readonly byte[] _nonceKey = RandomNumberGenerator.GetBytes(32);
    private readonly RtspServer _server;

    public RtspAccessGate(RtspServer server) => _server = server;

    /// <summary>Null when the request may go on; otherwise the refusal to send.</summary>
    public async ValueTask<RtspResponse?> CheckAsync(RtspServerConnection connection, RtspRequest request, int cseq,
        CancellationToken cancellationToken)
    {
        if (_server.Options.AccessControl is not { } control || !TryClassify(connection, request, out var action, out string path, out string? query))
        {
            return null;
        }

        // What this connection was already allowed stays allowed: a reader's SETUP after its DESCRIBE needs no
        // second check (and its URL has lost a ?token= query the DESCRIBE carried).
        string grant = $"{action}:{path}";
        if (connection.HasGrant(grant))
        {
            return null;
        }

        string? authorization = request.Headers["Authorization"];
        RtspCredentials.TryParse(authorization, request.Method, out var credentials);
        // A join token as an HTTP bearer token (RFC 6750 §2.1), what Parley endpoints send with --token.
        string? bearer = authorization is { Length: > 7 } && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization[7..].Trim() : null;
        bool stale = false;
        if (credentials is { IsDigest: true } && !IsFreshNonce(credentials.Nonce!, out stale))
        {
            credentials = null;
        }

        var decision = await control.AuthorizeAsync(
            new RtspAccessRequest(connection.RemoteEndPoint.Address, action, path, credentials, request.Uri, query, bearer), cancellationToken);
        if (decision.StatusCode == 200)
        {
            connection.AddGrant(grant);
            return null;
        }

        var response = RtspResponse.Create(decision.StatusCode, cseq);
        if (!string.IsNullOrEmpty(decision.Reason))
        {
            response.Headers["X-Parley-Error"] = decision.Reason;
        }

        if (decision.StatusCode == 401)
        {
            string realm = _server.Options.AuthRealm;
            if (_server.Options.OfferDigest)
            {
                response.Headers.Add("WWW-Authenticate",
                    $"Digest realm=\"{realm}\", nonce=\"{NewNonce()}\", algorithm=MD5{(stale ? ", stale=TRUE" : "")}");
            }

            response.Headers.Add("WWW-Authenticate", $"Basic realm=\"{realm}\"");
        }

        return response;
    }

    // Which requests open a path: DESCRIBE and a session-less SETUP read, ANNOUNCE publishes. A SETUP after this
    // connection's ANNOUNCE, or naming a session, rides on what was already allowed.
    private static bool TryClassify(RtspServerConnection connection, RtspRequest request, out RtspAccessAction action,
        out string path, out string? query)
    {
        action = RtspAccessAction.Read;
        path = "";
        query = null;
        switch (request.Method)
        {
            case RtspMethods.Describe:
                break;
            case RtspMethods.Announce:
                action = RtspAccessAction.Publish;
                break;
            case RtspMethods.Setup when request.Session is null
                && connection.PendingAnnounce is not { State: RtspSessionState.Init }:
                break;
            default:
                return false;
        }

        if (!RtspUri.TryParse(request.Uri, out RtspUriParts? url))
        {
            // The dispatcher answers a bad URL with 400; nothing to protect yet.
            return false;
        }

        query = url.Query;
        if (request.Method == RtspMethods.Setup)
        {
            RtspRequestDispatcher.SplitTrack(url.Path, out path, out _);
        }
        else
        {
            path = url.Path;
        }

        return true;
    }

    private string NewNonce()
    {
        Span<byte> nonce = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _server.Time.GetUtcNow().ToUnixTimeSeconds());
        Sign(nonce[..8], nonce[8..]);
        return Convert.ToHexStringLower(nonce);
    }

    private bool IsFreshNonce(string nonce, out bool stale)
    {
        stale = false;
        Span<byte> bytes = stackalloc byte[16];
        if (nonce.Length != 32 || Convert.FromHexString(nonce, bytes, out _, out int written) != OperationStatus.Done || written != 16)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[8];
        Sign(bytes[..8], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes[8..]))
        {
            return false;
        }

        var issued = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(bytes));
        stale = _server.Time.GetUtcNow() - issued > NonceLifetime;
        return !stale;
    }

    private void Sign(ReadOnlySpan<byte> time, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_nonceKey, time, full);
        full[..destination.Length].CopyTo(destination);
    }
}
