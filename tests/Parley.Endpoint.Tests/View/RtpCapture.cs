using Parley.Media;

namespace Parley.Endpoint.Tests.View;

/// <summary>Collects what a packetizer writes, one array per RTP packet, as a sender would put them on the wire.</summary>
internal sealed class RtpCapture : IRtpPacketSink
{
    private byte[] _buffer = [];

    public List<byte[]> Packets { get; } = [];

    public Span<byte> GetPacketBuffer(int minimumLength)
    {
        _buffer = new byte[minimumLength];
        return _buffer;
    }

    public void Commit(int length, bool marker) => Packets.Add(_buffer[..length]);
}
