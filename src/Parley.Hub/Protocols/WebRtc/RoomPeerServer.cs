using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Hub.Paths;
using Parley.Security.Dtls;
using Parley.WebRtc.Ice;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>
/// The WebRTC side of rooms (docs/rooms-protocol.md, "WebRTC"): one <see cref="RoomPeer"/> per browser participant,
/// each one RTCPeerConnection on the shared <see cref="IceServer"/> that publishes the browser's camera and
/// microphone to its room path and forwards the other participants' streams to it. Signalling is the room
/// WebSocket; the browser always offers, the hub (ICE-lite) always answers. One DTLS certificate for all of them.
/// </summary>
public sealed class RoomPeerServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<RoomPeer, byte> _peers = new();

    /// <summary>Creates the server over a started <paramref name="ice"/> server.</summary>
    public RoomPeerServer(IceServer ice, PathManager paths, ILogger<RoomPeerServer> logger)
    {
        Ice = ice;
        Paths = paths;
        Logger = logger;
    }

    /// <summary>Peers open now (browsers that sent an offer and have not left).</summary>
    public int PeerCount => _peers.Count;

    internal IceServer Ice { get; }

    internal PathManager Paths { get; }

    internal ILogger Logger { get; }

    internal DtlsCertificate Certificate { get; } = DtlsCertificate.Generate("parley-hub");

    /// <summary>A peer for participant <paramref name="participantId"/> of <paramref name="room"/>; it starts on its first offer.</summary>
    /// <param name="room">The room name.</param>
    /// <param name="participantId">The participant; its media is published on <c>&lt;room&gt;/&lt;participantId&gt;</c>.</param>
    /// <param name="remote">The browser's address, for logs.</param>
    /// <param name="mayPublish">False answers the browser's own sections inactive (no publish permission on the path).</param>
    internal RoomPeer Create(string room, string participantId, string remote, bool mayPublish)
    {
        var peer = new RoomPeer(this, room, participantId, remote, mayPublish);
        _peers[peer] = 0;
        return peer;
    }

    internal void Forget(RoomPeer peer) => _peers.TryRemove(peer, out _);

    /// <summary>Ends every peer (published streams end, forwarding stops).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers.Keys)
        {
            await peer.DisposeAsync();
        }
    }
}
