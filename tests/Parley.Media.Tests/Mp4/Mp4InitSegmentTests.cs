using Parley.Media.Mp4;

namespace Parley.Media.Tests.Mp4;

public class Mp4InitSegmentTests
{
    private static readonly byte[] AacLcStereo48k = [0x11, 0x90];

    private static (Mp4Muxer Muxer, Mp4TestBox Ftyp, Mp4TestBox Moov) Build()
    {
        var muxer = new Mp4Muxer([
            Mp4TestStreams.PresenterVideoTrack(1),
            Mp4Track.Opus(2, 2, preSkip: 312, inputSampleRate: 44100, outputGain: -256),
            Mp4Track.Aac(3, 48000, 2, AacLcStereo48k),
        ]);
        byte[] init = muxer.CreateInitSegment();
        List<Mp4TestBox> boxes = Mp4TestBox.ParseAll(init);
        Assert.Equal(["ftyp", "moov"], boxes.Select(b => b.Type));
        return (muxer, boxes[0], boxes[1]);
    }

    [Fact]
    public void Ftyp_names_iso5_with_the_brands_mse_accepts()
    {
        var (_, ftyp, _) = Build();
        Assert.Equal("iso5", ftyp.FourCc(0));
        Assert.Equal(512u, ftyp.U32(4));
        Assert.Equal(["iso5", "iso6", "avc1", "mp41"], Enumerable.Range(0, 4).Select(i => ftyp.FourCc(8 + (4 * i))));
    }

    [Fact]
    public void Moov_has_mvhd_a_trak_per_track_and_a_trex_per_track()
    {
        var (muxer, _, moov) = Build();
        Assert.Equal(["mvhd", "trak", "trak", "trak", "mvex"], moov.Children.Select(c => c.Type));
        Mp4TestBox mvhd = moov.Child("mvhd");
        Assert.Equal(1000u, mvhd.U32(12));
        Assert.Equal(4u, mvhd.U32(96)); // next_track_ID
        Assert.Equal(108, mvhd.Size);

        List<Mp4TestBox> trex = moov.Child("mvex").Children;
        Assert.Equal([1u, 2u, 3u], trex.Select(t => t.U32(4)));
        Assert.All(trex, t => Assert.Equal(1u, t.U32(8)));
        Assert.Equal("video/mp4; codecs=\"avc1.64001f,opus,mp4a.40.2\"", muxer.MimeType);
    }

    [Fact]
    public void Each_trak_has_header_media_header_handler_and_empty_sample_tables()
    {
        var (_, _, moov) = Build();
        var traks = moov.Children.Where(c => c.Type == "trak").ToList();
        (uint Id, uint Timescale, string Handler, string MediaHeader)[] expected =
            [(1, 90000, "vide", "vmhd"), (2, 48000, "soun", "smhd"), (3, 48000, "soun", "smhd")];
        for (int i = 0; i < traks.Count; i++)
        {
            Mp4TestBox trak = traks[i];
            Mp4TestBox tkhd = trak.Child("tkhd");
            Assert.Equal(3u, tkhd.Flags);
            Assert.Equal(expected[i].Id, tkhd.U32(12));
            Assert.Equal(i == 0 ? (ushort)0 : (ushort)0x0100, tkhd.U16(36));
            Assert.Equal(i == 0 ? 1280u << 16 : 0, tkhd.U32(76));
            Assert.Equal(i == 0 ? 720u << 16 : 0, tkhd.U32(80));
            Assert.Equal(92, tkhd.Size);

            Assert.Equal(expected[i].Timescale, trak.Find("mdia/mdhd").U32(12));
            Assert.Equal(0x55C4, trak.Find("mdia/mdhd").U16(20));
            Assert.Equal(expected[i].Handler, trak.Find("mdia/hdlr").FourCc(8));
            Mp4TestBox minf = trak.Find("mdia/minf");
            Assert.Equal([expected[i].MediaHeader, "dinf", "stbl"], minf.Children.Select(c => c.Type));
            Assert.Equal(i == 0 ? 1u : 0u, minf.Children[0].Flags);
            Mp4TestBox url = minf.Find("dinf/dref/url ");
            Assert.Equal(1u, url.Flags);
            Mp4TestBox stbl = minf.Child("stbl");
            Assert.Equal(["stsd", "stts", "stsc", "stsz", "stco"], stbl.Children.Select(c => c.Type));
            Assert.Single(stbl.Child("stsd").Children);
            Assert.Equal(0u, stbl.Child("stts").U32(4));
            Assert.Equal(0u, stbl.Child("stsc").U32(4));
            Assert.Equal(0u, stbl.Child("stsz").U32(8));
            Assert.Equal(0u, stbl.Child("stco").U32(4));
        }
    }

    [Fact]
    public void Avc1_carries_size_and_an_avcC_built_from_the_parameter_sets()
    {
        var (_, _, moov) = Build();
        Mp4TestBox avc1 = moov.Find("trak/mdia/minf/stbl/stsd/avc1");
        Assert.Equal(1, avc1.U16(6)); // data_reference_index
        Assert.Equal(1280, avc1.U16(24));
        Assert.Equal(720, avc1.U16(26));
        byte[] sps = Mp4TestStreams.PresenterSps;
        byte[] pps = Mp4TestStreams.PresenterPps;
        byte[] expected =
        [
            1, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0, (byte)sps.Length, .. sps, 1, 0, (byte)pps.Length, .. pps,
            0xFD, 0xF8, 0xF8, 0, // High profile: chroma_format_idc 1, 8-bit luma and chroma, no SPS extensions
        ];
        Assert.Equal(expected, avc1.Child("avcC").Payload.ToArray());
    }

    [Fact]
    public void Opus_sample_entry_has_a_dOps_as_the_opus_in_isobmff_spec_lays_it_out()
    {
        var (_, _, moov) = Build();
        Mp4TestBox opus = moov.Children.Where(c => c.Type == "trak").ElementAt(1).Find("mdia/minf/stbl/stsd/Opus");
        Assert.Equal(2, opus.U16(16)); // channelcount
        Assert.Equal(16, opus.U16(18)); // samplesize
        Assert.Equal(48000u << 16, opus.U32(24));
        byte[] dOps = [0, 2, 0x01, 0x38, 0x00, 0x00, 0xAC, 0x44, 0xFF, 0x00, 0];
        Assert.Equal(dOps, opus.Child("dOps").Payload.ToArray());
    }

    [Fact]
    public void Mp4a_sample_entry_has_an_esds_with_the_audio_specific_config()
    {
        var (_, _, moov) = Build();
        Mp4TestBox mp4a = moov.Children.Where(c => c.Type == "trak").ElementAt(2).Find("mdia/minf/stbl/stsd/mp4a");
        Assert.Equal(48000u << 16, mp4a.U32(24));
        byte[] esds =
        [
            0, 0, 0, 0, // version, flags
            0x03, 25, 0, 3, 0, // ES_Descriptor: ES_ID 3
            0x04, 17, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // DecoderConfig: AAC, audio stream, sizes and bitrates unknown
            0x05, 2, 0x11, 0x90, // DecoderSpecificInfo: the AudioSpecificConfig
            0x06, 1, 2, // SLConfig predefined 2
        ];
        Assert.Equal(esds, mp4a.Child("esds").Payload.ToArray());
    }

    [Fact]
    public void Init_segment_waits_for_in_band_parameter_sets()
    {
        var muxer = new Mp4Muxer([Mp4Track.H264(1), Mp4Track.Opus(2, 1)]);
        Assert.False(muxer.IsInitSegmentReady);
        Assert.Throws<InvalidOperationException>(() => muxer.CreateInitSegment());
        Assert.Equal("video/mp4; codecs=\",opus\"", muxer.MimeType);
    }

    [Fact]
    public void Invalid_track_sets_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Mp4Muxer([]));
        Assert.Throws<ArgumentException>(() => new Mp4Muxer([Mp4Track.Opus(1, 1), Mp4Track.Opus(1, 2)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mp4Track.Opus(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mp4Track.Opus(1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mp4Track.Aac(1, 48000, 2, [0x11]));
    }
}
