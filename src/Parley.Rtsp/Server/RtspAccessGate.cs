using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Parley.Rtsp.Server;

/// <summary>
/// Puts <see cref="IRtspAccessControl"/> in front of the requests that open a path, and speaks the challenge side
/// of RFC 2617: a 401 carries <c>WWW-Authenticate: Digest realm=..., nonce=..., algorithm=MD5</c> (when Digest is
/// offered, with qop="auth") and <c>Basic realm=...</c>. Nonces carry their own proof: 8 bytes of issue time (Unix
/// seconds), 8 random bytes (so no two challenges share a nonce) and 8 bytes of HMAC-SHA256 over both under a
/// per-server key, so any connection can check them; an old or foreign nonce is answered with a new challenge
/// (stale=TRUE when only the age was wrong). What is remembered is each nonce's highest accepted nonce count
/// (<see cref="DigestNonceCounts"/>): an answer whose nc does not increase is a replayed header and gets a new
/// challenge with stale=TRUE, which a client holding the password answers without asking its user.
/// </summary>
internal sealed class RtspAccessGate
{
    private static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(10);
    private readonly byte[] _nonceKey = RandomNumberGenerator.GetBytes(32);
    private readonly RtspServer _server;
    private readonly DigestNonceCounts _counts;

    public RtspAccessGate(RtspServer server)
    {
        _server = server;
        _counts = new DigestNonceCounts(server.Time, NonceLifetime);
    }

    /// <summary>Digest answers refused because their nonce count did not increase.</summary>
    public long ReplayedNonceCounts => _counts.Replays;

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
        if (decision.StatusCode == 200 && credentials is { IsDigest: true, NonceCount: { } nc }
            && !(DigestNonceCounts.TryParseCount(nc, out uint count) && _counts.TryAdvance(credentials.Nonce!, count)))
        {
            // Allowed by a Digest answer already used: a captured header replayed, or a client out of step. The
            // password check that ran first counted as a good login; this line says it was refused after all.
            decision = new RtspAccessDecision(401, "Digest nonce count did not increase (a replayed request); answer the new challenge");
            stale = true;
            _server.Logger.LogWarning("rtsp: {Remote} refused: Digest nonce count {Count} of user '{User}' did not increase (a replayed request)",
                connection.RemoteEndPoint.Address, nc, credentials.User);
        }

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
                    $"Digest realm=\"{realm}\", nonce=\"{NewNonce()}\", algorithm=MD5, qop=\"auth\"{(stale ? ", stale=TRUE" : "")}");
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
        Span<byte> nonce = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _server.Time.GetUtcNow().ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(nonce[8..16]);
        Sign(nonce[..16], nonce[16..]);
        return Convert.ToHexStringLower(nonce);
    }

    private bool IsFreshNonce(string nonce, out bool stale)
    {
        stale = false;
        Span<byte> bytes = stackalloc byte[24];
        if (nonce.Length != 48 || Convert.FromHexString(nonce, bytes, out _, out int written) != OperationStatus.Done || written != 24)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[8];
        Sign(bytes[..16], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes[16..]))
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
