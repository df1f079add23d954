using Parley.Media.H264;

namespace Parley.Media.Mp4;

/// <summary>Writes the stsd sample entry of a track: avc1+avcC, Opus+dOps or mp4a+esds.</summary>
internal static class Mp4SampleEntryWriter
{
    public static void Write(ref Mp4BoxWriter w, Mp4Track track)
    {
        switch (track.Codec)
        {
            case Mp4Codec.H264:
                WriteAvc1(ref w, track);
                break;
            case Mp4Codec.Opus:
                WriteOpus(ref w, track);
                break;
            default:
                WriteMp4a(ref w, track);
                break;
        }
    }

    // VisualSampleEntry (ISO/IEC 14496-12 §12.1.3) holding an AVCConfigurationBox (ISO/IEC 14496-15 §5.3.3.1):
    //  configurationVersion=1 | AVCProfileIndication | profile_compatibility | AVCLevelIndication
    //  111111 lengthSizeMinusOne(2) | 111 numOfSequenceParameterSets(5) | {u16 length, SPS}... | numOfPPS | {u16, PPS}...
    //  [high profiles: 111111 chroma_format(2) | 11111 bit_depth_luma_minus8(3) | 11111 bit_depth_chroma_minus8(3) | numOfSPSExt=0]
    private static void WriteAvc1(ref Mp4BoxWriter w, Mp4Track track)
    {
        ReadOnlySpan<byte> sps = track.Sps.Span;
        ReadOnlySpan<byte> pps = track.Pps.Span;
        var info = track.SpsInfo;
        int entry = w.Begin("avc1"u8);
        WriteSampleEntryHeader(ref w);
        w.WriteZeros(16); // pre_defined, reserved, pre_defined[3]
        w.WriteUInt16((ushort)track.Width);
        w.WriteUInt16((ushort)track.Height);
        w.WriteUInt32(0x00480000); // horizresolution 72 dpi
        w.WriteUInt32(0x00480000); // vertresolution 72 dpi
        w.WriteUInt32(0); // reserved
        w.WriteUInt16(1); // frame_count
        w.WriteZeros(32); // compressorname: empty Pascal string
        w.WriteUInt16(0x0018); // depth: colour, no alpha
        w.WriteInt16(-1); // pre_defined

        int avcC = w.Begin("avcC"u8);
        w.WriteByte(1);
        w.WriteByte(info.ProfileIdc);
        w.WriteByte(info.ConstraintFlags);
        w.WriteByte(info.LevelIdc);
        w.WriteByte(0xFC | 3); // NAL unit lengths are 4 bytes in samples
        w.WriteByte(0xE0 | 1);
        w.WriteUInt16((ushort)sps.Length);
        w.Write(sps);
        w.WriteByte(1);
        w.WriteUInt16((ushort)pps.Length);
        w.Write(pps);
        if (HasChromaInfo(info.ProfileIdc))
        {
            w.WriteByte((byte)(0xFC | info.ChromaFormatIdc));
            w.WriteByte((byte)(0xF8 | (info.BitDepthLuma - 8)));
            w.WriteByte((byte)(0xF8 | (info.BitDepthChroma - 8)));
            w.WriteByte(0);
        }

        w.End(avcC);
        w.End(entry);
    }

    // The profiles whose SPS carries chroma format and bit depth (H.264 §7.3.2.1.1), which avcC repeats.
    private static bool HasChromaInfo(int profileIdc) =>
        profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135;

    // OpusSampleEntry with OpusSpecificBox ("Encapsulation of Opus in ISO Base Media File Format" §4.3.2):
    //  Version=0 u8 | OutputChannelCount u8 | PreSkip u16 | InputSampleRate u32 | OutputGain s16 | ChannelMappingFamily=0 u8
    private static void WriteOpus(ref Mp4BoxWriter w, Mp4Track track)
    {
        int entry = w.Begin("Opus"u8);
        WriteAudioSampleEntryFields(ref w, track);
        int dOps = w.Begin("dOps"u8);
        w.WriteByte(0);
        w.WriteByte((byte)track.ChannelCount);
        w.WriteUInt16(track.PreSkip);
        w.WriteUInt32(track.InputSampleRate);
        w.WriteInt16(track.OutputGain);
        w.WriteByte(0);
        w.End(dOps);
        w.End(entry);
    }

    // MP4AudioSampleEntry (ISO/IEC 14496-14 §5.6) with an ES_Descriptor (ISO/IEC 14496-1 §7.2.6.5):
    //  ES_DescrTag(3) size ES_ID u16 flags u8
    //    DecoderConfigDescrTag(4) size objectTypeIndication=0x40 (Audio ISO/IEC 14496-3) streamType=5<<2|1
    //      bufferSizeDB u24 maxBitrate u32 avgBitrate u32
    //      DecSpecificInfoTag(5) size AudioSpecificConfig
    //    SLConfigDescrTag(6) size=1 predefined=2 (reserved for MP4)
    private static void WriteMp4a(ref Mp4BoxWriter w, Mp4Track track)
    {
        ReadOnlySpan<byte> asc = track.AudioSpecificConfig.Span;
        int entry = w.Begin("mp4a"u8);
        WriteAudioSampleEntryFields(ref w, track);
        int esds = w.BeginFull("esds"u8, 0, 0);
        int decoderSpecific = 2 + asc.Length;
        int decoderConfig = 2 + 13 + decoderSpecific;
        int slConfig = 3;
        w.WriteByte(3);
        w.WriteByte((byte)(3 + decoderConfig + slConfig));
        w.WriteUInt16((ushort)track.TrackId);
        w.WriteByte(0);
        w.WriteByte(4);
        w.WriteByte((byte)(13 + decoderSpecific));
        w.WriteByte(0x40);
        w.WriteByte((5 << 2) | 1);
        w.WriteZeros(3); // bufferSizeDB unknown
        w.WriteUInt32(0); // maxBitrate unknown
        w.WriteUInt32(0); // avgBitrate: variable
        w.WriteByte(5);
        w.WriteByte((byte)asc.Length);
        w.Write(asc);
        w.WriteByte(6);
        w.WriteByte(1);
        w.WriteByte(2);
        w.End(esds);
        w.End(entry);
    }

    // SampleEntry (§8.5.2.2): reserved[6], data_reference_index pointing at the one 'url ' in dref.
    private static void WriteSampleEntryHeader(ref Mp4BoxWriter w)
    {
        w.WriteZeros(6);
        w.WriteUInt16(1);
    }

    // AudioSampleEntry (§12.2.3): reserved[2] u32, channelcount, samplesize=16, pre_defined, reserved, samplerate 16.16.
    private static void WriteAudioSampleEntryFields(ref Mp4BoxWriter w, Mp4Track track)
    {
        WriteSampleEntryHeader(ref w);
        w.WriteZeros(8);
        w.WriteUInt16((ushort)track.ChannelCount);
        w.WriteUInt16(16);
        w.WriteZeros(4);
        w.WriteUInt32((uint)track.SampleRate << 16);
    }
}
