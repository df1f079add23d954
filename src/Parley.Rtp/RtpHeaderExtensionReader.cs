namespace Parley.Rtp;

/// <summary>
/// Reads the elements of an RTP header extension body in the RFC 8285 one-byte (profile 0xBEDE, §4.2) or
/// two-byte (profile 0x100X, §4.3) form, without copying. Padding bytes (0x00) between elements are skipped.
/// </summary>
/// <remarks>
/// Use with <see cref="RtpPacketView.ExtensionProfile"/> and <see cref="RtpPacketView.ExtensionData"/>. For any
/// other profile, <see cref="TryReadNext"/> returns false at once and <see cref="IsSupportedProfile"/> is false.
/// Never throws: a length running past the end stops reading and sets <see cref="IsMalformed"/>.
/// </remarks>
public ref struct RtpHeaderExtensionReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _oneByte;
    private readonly bool _twoByte;
    private int _offset;
    private bool _done;

    /// <summary>Creates a reader over an extension body.</summary>
    /// <param name="profile">The "defined by profile" field (0xBEDE or 0x1000-0x100F).</param>
    /// <param name="data">The extension body after its 4-byte header.</param>
    public RtpHeaderExtensionReader(ushort profile, ReadOnlySpan<byte> data)
    {
        _data = data;
        _oneByte = profile == RtpHeaderExtensionWriter.OneByteProfile;
        _twoByte = (profile & 0xFFF0) == RtpHeaderExtensionWriter.TwoByteProfile;
        _offset = 0;
        _done = !_oneByte && !_twoByte;
        IsMalformed = false;
    }

    /// <summary>True when the profile is one of the two RFC 8285 forms this reader understands.</summary>
    public readonly bool IsSupportedProfile => _oneByte || _twoByte;

    /// <summary>True when reading stopped at an element whose length runs past the end of the body, or at a
    /// one-byte header with ID 0 and a non-zero length (RFC 8285 §4.2 reserves ID 0 for padding).</summary>
    public bool IsMalformed { get; private set; }

    //  RFC 8285 §4.2 one-byte form (profile 0xBEDE), L = data length - 1, ID 15 stops processing:
    //
    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |       0xBE    |    0xDE       |           length=3            |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |  ID   | L=0   |     data      |  ID   |  L=1  |   data...
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //        ...data   |    0 (pad)    |    0 (pad)    |  ID   | L=3   |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                          data                                 |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //
    //  RFC 8285 §4.3 two-byte form (profile 0x100 + 4 app bits), length = data length (0..255):
    //
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |       0x10    |    0x00       |           length=3            |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |      ID       |     L=0       |     ID        |     L=1       |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |       data    |    0 (pad)    |       ID      |      L=4      |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                          data                                 |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>Reads the next element (RFC 8285 §4.2, §4.3). Never throws.</summary>
    /// <param name="id">The local identifier: 1-14 in the one-byte form, 1-255 in the two-byte form.</param>
    /// <param name="value">The element data, a view into the body (may be empty in the two-byte form).</param>
    /// <returns>False at the end of the body, at a one-byte ID 15, or on malformed input.</returns>
    public bool TryReadNext(out byte id, out ReadOnlySpan<byte> value)
    {
        id = 0;
        value = default;
        if (_done)
        {
            return false;
        }

        while (_offset < _data.Length && _data[_offset] == 0)
        {
            _offset++;
        }

        if (_offset >= _data.Length)
        {
            _done = true;
            return false;
        }

        int length;
        if (_oneByte)
        {
            byte header = _data[_offset];
            byte elementId = (byte)(header >> 4);
            if (elementId == 15)
            {
                // RFC 8285 §4.2: ID 15 ends processing; the elements before it are valid.
                _done = true;
                return false;
            }

            if (elementId == 0)
            {
                _done = true;
                IsMalformed = true;
                return false;
            }

            length = (header & 0x0F) + 1;
            _offset++;
            id = elementId;
        }
        else
        {
            if (_offset + 2 > _data.Length)
            {
                _done = true;
                IsMalformed = true;
                return false;
            }

            id = _data[_offset];
            length = _data[_offset + 1];
            _offset += 2;
        }

        if (length > _data.Length - _offset)
        {
            id = 0;
            _done = true;
            IsMalformed = true;
            return false;
        }

        value = _data.Slice(_offset, length);
        _offset += length;
        return true;
    }
}
