namespace Parley.Media.Mp4;

/// <summary>
/// Writes the header of one media segment (ISO/IEC 14496-12 §8.8.4): a moof for one track followed by the mdat
/// box header; the sample payload follows it and the trun entries are filled in by <see cref="WriteSample"/>.
/// </summary>
/// <remarks>
/// The layout is fixed for a given sample count, so the sequence number always sits at byte 20:
/// <code>
///  offset  box
///   0      moof
///   8        mfhd  v0          sequence_number @20
///  24        traf
///  32          tfhd v0 flags 0x020000 (default-base-is-moof)   track_ID
///  48          tfdt v1         baseMediaDecodeTime (64-bit)
///  68          trun v1 flags 0x000F01: data-offset, then per sample duration, size, flags, composition offset
///  88            sample entries, 16 bytes each
///  88+16n  mdat
/// </code>
/// data_offset counts from the start of moof (default-base-is-moof), so a segment stands alone and its bytes can be
/// sent as they are to every viewer.
/// </remarks>
internal static class Mp4FragmentWriter
{
    /// <summary>Byte offset of mfhd's sequence_number from the start of a segment.</summary>
    public const int SequenceNumberOffset = 20;

    /// <summary>sample_depends_on = 2 (depends on no other sample): a sync sample (§8.8.3.1).</summary>
    public const uint SyncSampleFlags = 0x02000000;

    /// <summary>sample_depends_on = 1 and sample_is_non_sync_sample = 1.</summary>
    public const uint NonSyncSampleFlags = 0x01010000;

    private const int MoofFixedLength = 88;
    private const int SampleEntryLength = 16;
    private const int MdatHeaderLength = 8;

    /// <summary>Length of moof plus the mdat header for <paramref name="sampleCount"/> samples.</summary>
    public static int HeaderLength(int sampleCount) => MoofFixedLength + (SampleEntryLength * sampleCount) + MdatHeaderLength;

    /// <summary>
    /// Writes moof (with zeroed sample entries) and the mdat header for <paramref name="payloadLength"/> bytes;
    /// returns the header length, where the payload starts.
    /// </summary>
    public static int WriteHeader(Span<byte> destination, uint sequenceNumber, uint trackId, ulong baseMediaDecodeTime, int sampleCount, int payloadLength)
    {
        int headerLength = HeaderLength(sampleCount);
        var w = new Mp4BoxWriter(destination);
        int moof = w.Begin("moof"u8);
        int mfhd = w.BeginFull("mfhd"u8, 0, 0);
        w.WriteUInt32(sequenceNumber);
        w.End(mfhd);
        int traf = w.Begin("traf"u8);
        int tfhd = w.BeginFull("tfhd"u8, 0, 0x020000);
        w.WriteUInt32(trackId);
        w.End(tfhd);
        int tfdt = w.BeginFull("tfdt"u8, 1, 0);
        w.WriteUInt64(baseMediaDecodeTime);
        w.End(tfdt);
        int trun = w.BeginFull("trun"u8, 1, 0x000F01);
        w.WriteUInt32((uint)sampleCount);
        w.WriteInt32(headerLength); // data_offset: first payload byte, counted from moof
        w.WriteZeros(SampleEntryLength * sampleCount);
        w.End(trun);
        w.End(traf);
        w.End(moof);
        int mdat = w.Begin("mdat"u8);
        w.End(mdat);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(destination[mdat..], (uint)(MdatHeaderLength + payloadLength));
        return headerLength;
    }

    /// <summary>Fills trun entry <paramref name="index"/> (v1: signed composition offset, §8.8.8).</summary>
    public static void WriteSample(Span<byte> destination, int index, uint duration, int size, uint flags, int compositionOffset)
    {
        var w = new Mp4BoxWriter(destination.Slice(MoofFixedLength + (SampleEntryLength * index), SampleEntryLength));
        w.WriteUInt32(duration);
        w.WriteUInt32((uint)size);
        w.WriteUInt32(flags);
        w.WriteInt32(compositionOffset);
    }
}
