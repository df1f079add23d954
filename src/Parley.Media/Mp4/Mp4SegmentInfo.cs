namespace Parley.Media.Mp4;

/// <summary>What <see cref="Mp4Muxer"/> wrote for one media segment (moof + mdat).</summary>
/// <param name="Length">Bytes written to the destination: the whole segment.</param>
/// <param name="HeaderLength">Bytes of moof and the mdat box header; the sample payload starts here.</param>
/// <param name="SequenceNumber">mfhd sequence_number written (1 for the muxer's first segment, then +1 each).</param>
/// <param name="DecodeTime">tfdt baseMediaDecodeTime, in the track timescale.</param>
/// <param name="IsSyncSample">True when the segment starts with a sync sample (H.264 IDR; every audio sample),
/// where a new viewer can start after the init segment.</param>
/// <param name="InitSegmentChanged">True when the track's configuration changed (H.264 SPS or PPS, or first learned
/// in-band): send <see cref="Mp4Muxer.CreateInitSegment"/> to every viewer before this segment.</param>
public readonly record struct Mp4SegmentInfo(
    int Length,
    int HeaderLength,
    uint SequenceNumber,
    long DecodeTime,
    bool IsSyncSample,
    bool InitSegmentChanged);
