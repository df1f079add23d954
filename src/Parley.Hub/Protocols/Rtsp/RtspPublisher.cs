using Parley.Hub.Streams;
using Parley.Rtsp.Server;

namespace Parley.Hub.Protocols.Rtsp;

/// <summary>An RTSP client that publishes (ANNOUNCE, SETUP, RECORD) as the hub's streams see it.</summary>
internal sealed class RtspPublisher : IStreamPublisher
{
    private readonly RtspServerSession _session;

    public RtspPublisher(RtspServerSession session)
    {
        _session = session;
    }

    public MediaStream? Stream { get; set; }

    public string Description => $"rtsp {_session.RemoteEndPoint} over {_session.TransportName} (session {_session.Id})";

    public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound) =>
        _session.Transport?.TrySendNow(trackIndex, isRtcp: true, compound);

    public void Kick(string reason) => _ = _session.CloseAsync(reason).AsTask();
}
