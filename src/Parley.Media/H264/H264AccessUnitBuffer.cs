namespace Parley.Media.H264;

/// <summary>
/// One access unit being rebuilt as Annex B bytes (4-byte start codes), with what is known about it: timestamp,
/// whether it holds an IDR slice, and where its first SPS and PPS are. Grows by doubling up to a size limit and
/// is reused, so steady state allocates nothing.
/// </summary>
internal sealed class H264AccessUnitBuffer(int maxSize)
{
    private static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    private byte[] _data = new byte[Math.Min(64 * 1024, maxSize)];
    private int _nalStart;
    private int _spsOffset;
    private int _spsLength;
    private int _ppsOffset;
    private int _ppsLength;

    public int Length { get; private set; }

    public uint Timestamp { get; private set; }

    public bool IsKeyFrame { get; private set; }

    public ReadOnlySpan<byte> Data => _data.AsSpan(0, Length);

    public ReadOnlySpan<byte> Sps => _data.AsSpan(_spsOffset, _spsLength);

    public ReadOnlySpan<byte> Pps => _data.AsSpan(_ppsOffset, _ppsLength);

    public void Clear(uint timestamp)
    {
        Length = 0;
        Timestamp = timestamp;
        IsKeyFrame = false;
        _spsOffset = _spsLength = _ppsOffset = _ppsLength = 0;
    }

    /// <summary>Appends a start code and a whole NAL unit; false when the size limit would be passed.</summary>
    public bool TryAppendNalUnit(ReadOnlySpan<byte> nal) => TryBeginNalUnit(nal[0]) && TryAppend(nal[1..]) && EndNalUnit();

    /// <summary>Appends a start code and a NAL unit header; the body follows through <see cref="TryAppend"/>.</summary>
    public bool TryBeginNalUnit(byte header)
    {
        if (!Reserve(StartCode.Length + 1))
        {
            return false;
        }

        StartCode.CopyTo(_data.AsSpan(Length));
        Length += StartCode.Length;
        _nalStart = Length;
        _data[Length++] = header;
        return true;
    }

    public bool TryAppend(ReadOnlySpan<byte> data)
    {
        if (!Reserve(data.Length))
        {
            return false;
        }

        data.CopyTo(_data.AsSpan(Length));
        Length += data.Length;
        return true;
    }

    /// <summary>Notes what the NAL unit begun last turned out to be; returns true for call chaining.</summary>
    public bool EndNalUnit()
    {
        switch ((H264NalUnitType)(_data[_nalStart] & 0x1F))
        {
            case H264NalUnitType.IdrSlice:
                IsKeyFrame = true;
                break;
            case H264NalUnitType.Sps when _spsLength == 0:
                _spsOffset = _nalStart;
                _spsLength = Length - _nalStart;
                break;
            case H264NalUnitType.Pps when _ppsLength == 0:
                _ppsOffset = _nalStart;
                _ppsLength = Length - _nalStart;
                break;
        }

        return true;
    }

    private bool Reserve(int count)
    {
        int needed = Length + count;
        if (needed > maxSize)
        {
            return false;
        }

        if (needed > _data.Length)
        {
            Array.Resize(ref _data, (int)Math.Min(Math.Max(needed, _data.Length * 2L), maxSize));
        }

        return true;
    }
}
