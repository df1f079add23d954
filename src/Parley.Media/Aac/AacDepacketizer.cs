using System.Buffers.Binary;
using Parley.Rtp;

namespace Parley.Media.Aac;

/// <summary>
/// The AAC access units (raw frames, no ADTS header) that one RTP packet completed, back to back in
/// <see cref="Data"/>; a view over the packet or the depacketizer's reassembly buffer, valid until the next push.
/// </summary>
public readonly ref struct AacAccessUnits
{
    /// <summary>Creates the set.</summary>
    public AacAccessUnits(ReadOnlySpan<byte> data, ReadOnlySpan<int> sizes, uint timestamp)
    {
        Data = data;
        Sizes = sizes;
        Timestamp = timestamp;
    }

    /// <summary>The access units back to back.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Length in bytes of each access unit in <see cref="Data"/>, in order.</summary>
    public ReadOnlySpan<int> Sizes { get; }

    /// <summary>RTP timestamp (sample-rate units) of the first access unit; the others follow at 1024 samples each.</summary>
    public uint Timestamp { get; }

    /// <summary>Number of access units.</summary>
    public int Count => Sizes.Length;
}

/// <summary>
/// Takes AAC access units out of RTP mpeg4-generic packets (RFC 3640 §3): several AUs per packet behind an AU-header
/// section, or one AU fragmented over packets of the same timestamp with the marker on the last (§3.2.3).
/// Interleaving (a non-zero AU-Index-delta, §3.2.1) is not supported: such packets are counted and dropped, as are
/// malformed, late and duplicate ones. Expects packets in order (after a reorder buffer); never throws on wire input;
/// allocates nothing per packet. One instance per stream; not thread-safe.
/// </summary>
/// <remarks>
/// <code>
/// +---------+-----------+-----------+---------------+
/// | RTP     | AU Header | Auxiliary | Access Unit   |
/// | Header  | Section   | Section   | Data Section  |
/// +---------+-----------+-----------+---------------+
/// AU Header Section: AU-headers-length (16 bits, in bits), then the AU-headers, padded to a whole byte:
/// AU-size | AU-Index or AU-Index-delta | [CTS-flag [CTS-delta]] | [DTS-flag [DTS-delta]] | [RAP-flag] | [Stream-state]
/// </code>
/// </remarks>
public sealed class AacDepacketizer
{
    private readonly Mpeg4GenericParameters _parameters;
    private readonly int[] _sizes = new int[256];
    private readonly byte[] _fragment;
    private int _fragmentLength;
    private int _fragmentSize;
    private uint _fragmentTimestamp;
    private bool _inFragment;
    private bool _hasDroppedTimestamp;
    private uint _droppedTimestamp;
    private bool _started;
    private ushort _lastSequence;

    /// <summary>Creates a depacketizer for a stream with these SDP parameters.</summary>
    public AacDepacketizer(Mpeg4GenericParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters;
        _fragment = new byte[(1 << parameters.SizeLength) - 1];
    }

    /// <summary>Packets accepted.</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>Packets missing by sequence number.</summary>
    public long PacketsLost { get; private set; }

    /// <summary>Packets dropped as duplicates or older than one already taken.</summary>
    public long PacketsLate { get; private set; }

    /// <summary>Packets dropped as malformed or interleaved.</summary>
    public long PacketsMalformed { get; private set; }

    /// <summary>Fragmented access units dropped because a fragment was lost.</summary>
    public long FragmentsDropped { get; private set; }

    /// <summary>Takes the access units out of <paramref name="packet"/>.</summary>
    /// <param name="packet">The next RTP packet of the stream.</param>
    /// <param name="units">The completed access units when the return value is true.</param>
    /// <returns>True when the packet completed one or more access units; false for a fragment that does not end
    /// one yet, and for dropped packets (counted).</returns>
    public bool Push(RtpPacketView packet, out AacAccessUnits units)
    {
        units = default;
        if (_started)
        {
            int distance = RtpSequence.Distance(_lastSequence, packet.SequenceNumber);
            if (distance <= 0)
            {
                PacketsLate++;
                return false;
            }

            if (distance > 1)
            {
                PacketsLost += distance - 1;
                DropFragment();
            }
        }

        _started = true;
        _lastSequence = packet.SequenceNumber;
        if (!TryReadHeaders(packet.Payload, out int count, out ReadOnlySpan<byte> data))
        {
            PacketsMalformed++;
            DropFragment();
            return false;
        }

        PacketsReceived++;
        if (count == 1 && _sizes[0] > data.Length)
        {
            return PushFragment(packet, data, out units);
        }

        DropFragment();
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += _sizes[i];
        }

        if (total > data.Length)
        {
            PacketsMalformed++;
            return false;
        }

        units = new AacAccessUnits(data[..(int)total], _sizes.AsSpan(0, count), packet.Timestamp);
        return true;
    }

    // §3.2.3: every fragment repeats the one AU-header with the whole AU's size; the last has the marker.
    private bool PushFragment(RtpPacketView packet, ReadOnlySpan<byte> data, out AacAccessUnits units)
    {
        units = default;
        if (!_inFragment && _hasDroppedTimestamp && packet.Timestamp == _droppedTimestamp)
        {
            // The rest of an access unit already counted as dropped.
            return false;
        }

        int size = _sizes[0];
        if (_inFragment && (packet.Timestamp != _fragmentTimestamp || size != _fragmentSize))
        {
            DropFragment();
        }

        if (!_inFragment)
        {
            _inFragment = true;
            _fragmentTimestamp = packet.Timestamp;
            _fragmentSize = size;
            _fragmentLength = 0;
        }

        if (_fragmentLength + data.Length > size)
        {
            PacketsMalformed++;
            DropFragment();
            return false;
        }

        data.CopyTo(_fragment.AsSpan(_fragmentLength));
        _fragmentLength += data.Length;
        if (!packet.Marker)
        {
            return false;
        }

        _inFragment = false;
        if (_fragmentLength != size)
        {
            FragmentsDropped++;
            return false;
        }

        _sizes[0] = size;
        units = new AacAccessUnits(_fragment.AsSpan(0, size), _sizes.AsSpan(0, 1), _fragmentTimestamp);
        return true;
    }

    private void DropFragment()
    {
        if (_inFragment)
        {
            FragmentsDropped++;
            _inFragment = false;
            _hasDroppedTimestamp = true;
            _droppedTimestamp = _fragmentTimestamp;
        }
    }

    private bool TryReadHeaders(ReadOnlySpan<byte> payload, out int count, out ReadOnlySpan<byte> data)
    {
        count = 0;
        data = default;
        if (payload.Length < 2)
        {
            return false;
        }

        int headerBits = BinaryPrimitives.ReadUInt16BigEndian(payload);
        int offset = 2 + ((headerBits + 7) / 8);
        if (headerBits == 0 || offset > payload.Length)
        {
            return false;
        }

        var headers = payload[2..offset];
        int bit = 0;
        var p = _parameters;
        while (bit < headerBits)
        {
            if (count == _sizes.Length)
            {
                return false;
            }

            int size = (int)ReadBits(headers, ref bit, p.SizeLength);
            uint index = ReadBits(headers, ref bit, count == 0 ? p.IndexLength : p.IndexDeltaLength);
            if (count > 0 && index != 0)
            {
                return false;
            }

            SkipOptional(headers, ref bit, p.CtsDeltaLength);
            SkipOptional(headers, ref bit, p.DtsDeltaLength);
            bit += (p.RandomAccessIndication ? 1 : 0) + p.StreamStateIndication;
            if (bit > headerBits || size == 0)
            {
                return false;
            }

            _sizes[count++] = size;
        }

        if (p.AuxiliaryDataSizeLength > 0)
        {
            int auxBit = 0;
            var auxiliary = payload[offset..];
            if (auxiliary.Length * 8 < p.AuxiliaryDataSizeLength)
            {
                return false;
            }

            int auxiliaryBits = (int)ReadBits(auxiliary, ref auxBit, p.AuxiliaryDataSizeLength);
            offset += (p.AuxiliaryDataSizeLength + auxiliaryBits + 7) / 8;
            if (offset > payload.Length)
            {
                return false;
            }
        }

        data = payload[offset..];
        return true;
    }

    // A flag bit, then the delta when the flag is set (§3.2.1.1, §3.2.1.2).
    private static void SkipOptional(ReadOnlySpan<byte> headers, ref int bit, int deltaLength)
    {
        if (deltaLength > 0 && ReadBits(headers, ref bit, 1) == 1)
        {
            bit += deltaLength;
        }
    }

    // Most significant bit first; bits past the end read as 0 (the caller checks the bit count against the length).
    private static uint ReadBits(ReadOnlySpan<byte> data, ref int bit, int count)
    {
        uint value = 0;
        for (int i = 0; i < count; i++, bit++)
        {
            int index = bit >> 3;
            uint b = index < data.Length ? (uint)(data[index] >> (7 - (bit & 7))) & 1 : 0;
            value = (value << 1) | b;
        }

        return value;
    }
}
