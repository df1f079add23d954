using System.Buffers.Binary;

namespace Parley.Rtp.Rtcp;

/// <summary>
/// A zero-copy view over an RTCP APP packet, PT 204 (RFC 3550 §6.7). The hub relays APP packets untouched;
/// this view exists to inspect them.
/// </summary>
public readonly ref struct RtcpAppView
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly int _subtype;

    private RtcpAppView(ReadOnlySpan<byte> body, int subtype)
    {
        _body = body;
        _subtype = subtype;
    }

    //    0                   1                   2                   3
    //    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |V=2|P| subtype |   PT=APP=204  |             length            |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |                           SSRC/CSRC                           |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |                          name (ASCII)                         |
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |                   application-dependent data                ...
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>Interprets <paramref name="packet"/> as APP (RFC 3550 §6.7). Never throws.</summary>
    /// <returns>False when the type is not 204 or the body is shorter than 8 bytes.</returns>
    public static bool TryParse(in RtcpPacketView packet, out RtcpAppView app)
    {
        app = default;
        ReadOnlySpan<byte> body = packet.Body;
        if (packet.PacketType != RtcpPacketType.ApplicationDefined || body.Length < 8)
        {
            return false;
        }

        app = new RtcpAppView(body, packet.Count);
        return true;
    }

    /// <summary>The 5-bit subtype, application-defined.</summary>
    public int Subtype => _subtype;

    /// <summary>The SSRC/CSRC of the originator.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>The 4-byte ASCII name of the application.</summary>
    public ReadOnlySpan<byte> Name => _body.Slice(4, 4);

    /// <summary>The application-dependent data (a multiple of 4 bytes on a well-formed packet).</summary>
    public ReadOnlySpan<byte> Data => _body[8..];
}
