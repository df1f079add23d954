using Parley.Hub.Streams;
using Parley.Media;

namespace Parley.Hub.Demo;

/// <summary>Hands each RTP packet a packetizer writes straight to one track of a stream, from one reused buffer.</summary>
internal sealed class StreamTrackSink : IRtpPacketSink
{
    private readonly byte[] _buffer = new byte[MediaPacketPool.MaxPacketSize];
    private readonly int _trackIndex;

    public StreamTrackSink(int trackIndex) => _trackIndex = trackIndex;

    public MediaStream? Stream { get; set; }

    public Span<byte> GetPacketBuffer(int minimumLength) => _buffer;

    public void Commit(int length, bool marker) => Stream?.WriteRtp(_trackIndex, _buffer.AsSpan(0, length));
}
