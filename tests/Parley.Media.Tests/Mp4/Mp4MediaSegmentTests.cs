using System.Buffers.Binary;
using Parley.Media.Mp4;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Mp4;

public class Mp4MediaSegmentTests
{
    private static readonly byte[] Aud = [0x09, 0xF0];
    private static readonly byte[] Sei = [0x06, 0x05, 0x01, 0xAA, 0x80];
    private static readonly byte[] Idr = [0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x01, 0x7F];
    private static readonly byte[] Slice = [0x41, 0x9A, 0x3B, 0x10];

    private static readonly byte[] KeyFrame = Mp4TestStreams.AnnexBOf(Aud, Mp4TestStreams.PresenterSps, Mp4TestStreams.PresenterPps, Sei, Idr);
    private static readonly byte[] DeltaFrame = Mp4TestStreams.AnnexBOf(Aud, Slice);

    private static byte[] Write(Mp4Muxer muxer, Mp4Track track, byte[] accessUnit, long decodeTime, out Mp4SegmentInfo info)
    {
        byte[] buffer = new byte[Mp4Muxer.MeasureH264(accessUnit)];
        Assert.True(muxer.TryWriteH264(track, accessUnit, decodeTime, buffer, out info));
        Assert.Equal(buffer.Length, info.Length);
        return buffer;
    }

    private static (Mp4TestBox Moof, Mp4TestBox Mdat) Parse(byte[] segment)
    {
        List<Mp4TestBox> boxes = Mp4TestBox.ParseAll(segment);
        Assert.Equal(["moof", "mdat"], boxes.Select(b => b.Type));
        Assert.Equal(["mfhd", "traf"], boxes[0].Children.Select(c => c.Type));
        Assert.Equal(["tfhd", "tfdt", "trun"], boxes[0].Child("traf").Children.Select(c => c.Type));
        return (boxes[0], boxes[1]);
    }

    [Fact]
    public void Key_frame_becomes_moof_and_mdat_with_one_avcc_sample_without_aud_sps_or_pps()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack(7);
        var muxer = new Mp4Muxer([track]);
        byte[] segment = Write(muxer, track, KeyFrame, 90000, out Mp4SegmentInfo info);
        var (moof, mdat) = Parse(segment);

        Assert.Equal(1u, moof.Child("mfhd").U32(4));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(Mp4Segment.SequenceNumberOffset)));
        Mp4TestBox tfhd = moof.Find("traf/tfhd");
        Assert.Equal(0x020000u, tfhd.Flags); // default-base-is-moof
        Assert.Equal(7u, tfhd.U32(4));
        Mp4TestBox tfdt = moof.Find("traf/tfdt");
        Assert.Equal(1, tfdt.Version);
        Assert.Equal(90000ul, tfdt.U64(4));
        Mp4TestBox trun = moof.Find("traf/trun");
        Assert.Equal(1, trun.Version);
        Assert.Equal(0x000F01u, trun.Flags);
        Assert.Equal(1u, trun.U32(4));
        Assert.Equal((uint)(moof.Size + 8), trun.U32(8)); // data_offset from moof start to the first payload byte
        Assert.Equal(3000u, trun.U32(12)); // nominal duration: nothing earlier to learn from
        Assert.Equal((uint)mdat.Payload.Length, trun.U32(16));
        Assert.Equal(0x02000000u, trun.U32(20)); // sync sample
        Assert.Equal(0u, trun.U32(24));

        byte[] expected = [0, 0, 0, (byte)Sei.Length, .. Sei, 0, 0, 0, (byte)Idr.Length, .. Idr];
        Assert.Equal(expected, mdat.Payload.ToArray());
        Assert.Equal(new Mp4SegmentInfo(segment.Length, moof.Size + 8, 1, 90000, IsSyncSample: true, InitSegmentChanged: false), info);
    }

    [Fact]
    public void Delta_frames_are_non_sync_and_take_the_previous_frame_interval_as_duration()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack();
        var muxer = new Mp4Muxer([track]);
        long[] times = [0, 3003, 6006, 9009, 9009 + (5 * 90000), (5 * 90000) + 12012, (5 * 90000) + 15000];
        uint[] durations = [3000, 3003, 3003, 3003, 3003, 3003, 2988];
        for (int i = 0; i < times.Length; i++)
        {
            byte[] segment = Write(muxer, track, i == 0 ? KeyFrame : DeltaFrame, times[i], out Mp4SegmentInfo info);
            Mp4TestBox trun = Parse(segment).Moof.Find("traf/trun");
            Assert.Equal(durations[i], trun.U32(12));
            Assert.Equal(i == 0 ? 0x02000000u : 0x01010000u, trun.U32(20));
            Assert.Equal(i == 0, info.IsSyncSample);
            Assert.Equal((uint)(i + 1), info.SequenceNumber);
        }
    }

    [Fact]
    public void Composition_offset_is_written_signed()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack();
        var muxer = new Mp4Muxer([track]);
        byte[] segment = new byte[Mp4Muxer.MeasureH264(KeyFrame)];
        Assert.True(muxer.TryWriteH264(track, KeyFrame, 0, segment, out _, compositionOffset: -3000));
        Assert.Equal(-3000, (int)Parse(segment).Moof.Find("traf/trun").U32(24));
    }

    [Fact]
    public void Decode_time_that_does_not_advance_is_refused_and_counted()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack();
        var muxer = new Mp4Muxer([track]);
        Write(muxer, track, KeyFrame, 6000, out _);
        byte[] buffer = new byte[1000];
        Assert.False(muxer.TryWriteH264(track, DeltaFrame, 6000, buffer, out _));
        Assert.False(muxer.TryWriteH264(track, DeltaFrame, 3000, buffer, out _));
        Assert.False(muxer.TryWriteH264(track, DeltaFrame, -1, buffer, out _));
        Assert.Equal(3, muxer.MalformedSamples);
        Assert.Equal(1u, muxer.SequenceNumber);
        Write(muxer, track, DeltaFrame, 9000, out Mp4SegmentInfo info);
        Assert.Equal(2u, info.SequenceNumber);
    }

    [Fact]
    public void Parameter_sets_learned_in_band_configure_the_track_and_ask_for_an_init_segment()
    {
        Mp4Track track = Mp4Track.H264(1);
        var muxer = new Mp4Muxer([track]);
        byte[] buffer = new byte[1000];
        Assert.False(muxer.TryWriteH264(track, DeltaFrame, 0, buffer, out _));
        Assert.Equal(1, muxer.SamplesBeforeConfiguration);
        Assert.False(muxer.IsInitSegmentReady);

        Write(muxer, track, KeyFrame, 3000, out Mp4SegmentInfo info);
        Assert.True(info.InitSegmentChanged);
        Assert.True(muxer.IsInitSegmentReady);
        Assert.Equal((1280, 720), (track.Width, track.Height));
        Assert.Equal("video/mp4; codecs=\"avc1.64001f\"", muxer.MimeType);
        muxer.CreateInitSegment();

        Write(muxer, track, KeyFrame, 6000, out info);
        Assert.False(info.InitSegmentChanged); // same parameter sets again
    }

    [Fact]
    public void Changed_sps_updates_the_track_and_the_next_init_segment()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack();
        var muxer = new Mp4Muxer([track]);
        Write(muxer, track, KeyFrame, 0, out _);
        byte[] level4Sps = [.. Mp4TestStreams.PresenterSps];
        level4Sps[3] = 0x28;
        byte[] changed = Mp4TestStreams.AnnexBOf(level4Sps, Idr);
        Write(muxer, track, changed, 3000, out Mp4SegmentInfo info);
        Assert.True(info.InitSegmentChanged);
        Assert.Equal("avc1.640028", track.CodecString);
        Assert.Equal(Mp4TestStreams.PresenterPps, track.Pps.ToArray()); // PPS kept when only the SPS came

        Mp4TestBox moov = Mp4TestBox.ParseAll(muxer.CreateInitSegment())[1];
        Assert.Equal(0x28, moov.Find("trak/mdia/minf/stbl/stsd/avc1/avcC").Payload.Span[3]);
    }

    [Fact]
    public void Malformed_in_band_sps_is_refused_and_counted()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack();
        var muxer = new Mp4Muxer([track]);
        byte[] accessUnit = Mp4TestStreams.AnnexBOf([0x67, 0x64], Idr);
        Assert.False(muxer.TryWriteH264(track, accessUnit, 0, new byte[1000], out _));
        Assert.Equal(1, muxer.MalformedSamples);
        Assert.Equal("avc1.64001f", track.CodecString);
    }

    [Fact]
    public void Access_unit_of_parameter_sets_alone_writes_nothing_but_configures_the_track()
    {
        Mp4Track track = Mp4Track.H264(1);
        var muxer = new Mp4Muxer([track]);
        byte[] parameterSets = Mp4TestStreams.AnnexBOf(Aud, Mp4TestStreams.PresenterSps, Mp4TestStreams.PresenterPps);
        Assert.Equal(0, Mp4Muxer.MeasureH264(parameterSets));
        Assert.False(muxer.TryWriteH264(track, parameterSets, 0, [], out _));
        Assert.True(track.IsConfigured);
        Write(muxer, track, Mp4TestStreams.AnnexBOf(Idr), 0, out Mp4SegmentInfo info);
        Assert.True(info.InitSegmentChanged);
    }

    [Fact]
    public void Opus_packets_batched_in_one_segment_get_their_durations_from_the_toc()
    {
        Mp4Track opus = Mp4Track.Opus(2, 1);
        var muxer = new Mp4Muxer([Mp4TestStreams.PresenterVideoTrack(1), opus]);
        byte[] p20 = [0x78, 1, 2, 3]; // hybrid FB 20 ms
        byte[] p10 = [0x70, 4]; // hybrid FB 10 ms
        byte[] p60 = [0x18, 5, 6]; // SILK NB 60 ms (config 3, one frame)
        byte[] frames = [.. p20, .. p10, .. p60];
        byte[] segment = new byte[Mp4Muxer.MeasureAudio(frames.Length, 3)];
        Assert.True(muxer.TryWriteAudio(opus, frames, [4, 2, 3], 48000, segment, out Mp4SegmentInfo info));
        var (moof, mdat) = Parse(segment);
        Assert.Equal(2u, moof.Find("traf/tfhd").U32(4));
        Assert.Equal(48000ul, moof.Find("traf/tfdt").U64(4));
        Mp4TestBox trun = moof.Find("traf/trun");
        Assert.Equal(3u, trun.U32(4));
        Assert.Equal((uint)(moof.Size + 8), trun.U32(8));
        uint[] durations = [960, 480, 2880];
        int[] sizes = [4, 2, 3];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(durations[i], trun.U32(12 + (16 * i)));
            Assert.Equal((uint)sizes[i], trun.U32(16 + (16 * i)));
            Assert.Equal(0x02000000u, trun.U32(20 + (16 * i)));
        }

        Assert.Equal(frames, mdat.Payload.ToArray());
        Assert.True(info.IsSyncSample);

        // The next batch may start where this one ended (48000 + 4320), not before.
        byte[] next = new byte[Mp4Muxer.MeasureAudio(4)];
        Assert.False(muxer.TryWriteAudio(opus, p20, 52319, next, out _));
        Assert.True(muxer.TryWriteAudio(opus, p20, 52320, next, out info));
        Assert.Equal(2u, info.SequenceNumber);
    }

    [Fact]
    public void Malformed_audio_is_refused_and_counted()
    {
        Mp4Track opus = Mp4Track.Opus(1, 2);
        var muxer = new Mp4Muxer([opus]);
        byte[] buffer = new byte[200];
        Assert.False(muxer.TryWriteAudio(opus, [], 0, buffer, out _));
        Assert.False(muxer.TryWriteAudio(opus, [0x7B], 0, buffer, out _)); // code 3 without its frame count
        Assert.False(muxer.TryWriteAudio(opus, [0x78, 1, 0x78], [2, 2], 0, buffer, out _)); // sizes do not add up
        Assert.False(muxer.TryWriteAudio(opus, [0x78, 1, 0x78], [3, 0], 0, buffer, out _));
        Assert.Equal(4, muxer.MalformedSamples);
        Assert.Equal(0u, muxer.SequenceNumber);
    }

    [Fact]
    public void Aac_frames_last_1024_samples_each()
    {
        Mp4Track aac = Mp4Track.Aac(1, 44100, 2, [0x12, 0x10]);
        var muxer = new Mp4Muxer([aac]);
        byte[] segment = new byte[Mp4Muxer.MeasureAudio(6, 2)];
        Assert.True(muxer.TryWriteAudio(aac, [0x21, 1, 2, 0x21, 3, 4], [3, 3], 1024, segment, out _));
        Mp4TestBox trun = Parse(segment).Moof.Find("traf/trun");
        Assert.Equal(1024u, trun.U32(12));
        Assert.Equal(1024u, trun.U32(28));
        Assert.Equal("mp4a.40.2", aac.CodecString);
    }

    [Fact]
    public void Wrong_track_or_short_destination_is_a_programming_error()
    {
        Mp4Track video = Mp4TestStreams.PresenterVideoTrack();
        Mp4Track opus = Mp4Track.Opus(2, 1);
        var muxer = new Mp4Muxer([video, opus]);
        Assert.Throws<ArgumentException>(() => muxer.TryWriteH264(opus, KeyFrame, 0, new byte[1000], out _));
        Assert.Throws<ArgumentException>(() => muxer.TryWriteAudio(video, [0x78], 0, new byte[1000], out _));
        Assert.Throws<ArgumentException>(() => muxer.TryWriteAudio(Mp4Track.Opus(2, 1), [0x78], 0, new byte[1000], out _));
        Assert.Throws<ArgumentException>(() => muxer.TryWriteH264(video, KeyFrame, 0, new byte[Mp4Muxer.MeasureH264(KeyFrame) - 1], out _));
    }

    [Fact]
    public void Per_viewer_header_copy_patches_only_the_sequence_number()
    {
        Mp4Track track = Mp4TestStreams.PresenterVideoTrack();
        var muxer = new Mp4Muxer([track]);
        byte[] segment = Write(muxer, track, KeyFrame, 0, out Mp4SegmentInfo info);
        byte[] original = [.. segment];
        byte[] header = new byte[200];
        Assert.True(Mp4Segment.TryWriteHeader(segment, 0xA1B2C3D4, header, out int headerLength));
        Assert.Equal(info.HeaderLength, headerLength);
        Assert.Equal(original, segment);

        byte[] viewerSegment = [.. header.AsSpan(0, headerLength), .. segment.AsSpan(headerLength)];
        Assert.Equal(0xA1B2C3D4u, Parse(viewerSegment).Moof.Child("mfhd").U32(4));
        viewerSegment.AsSpan(Mp4Segment.SequenceNumberOffset, 4).CopyTo(original.AsSpan(Mp4Segment.SequenceNumberOffset));
        Assert.Equal(original, viewerSegment);

        Assert.False(Mp4Segment.TryWriteHeader(segment, 1, new byte[headerLength - 1], out _));
        Assert.False(Mp4Segment.TryGetHeaderLength(segment.AsSpan(0, headerLength - 1), out _));
        Assert.False(Mp4Segment.TryGetHeaderLength(muxer.CreateInitSegment(), out _));
        Assert.False(Mp4Segment.TryGetHeaderLength([0, 0, 0, 8, (byte)'m', (byte)'o', (byte)'o', (byte)'f'], out _));
    }

    [Fact]
    public void Writing_segments_allocates_nothing_in_steady_state()
    {
        Mp4Track video = Mp4TestStreams.PresenterVideoTrack();
        Mp4Track opus = Mp4Track.Opus(2, 2);
        var muxer = new Mp4Muxer([video, opus]);
        byte[] buffer = new byte[4096];
        byte[] packets = [0x78, 1, 2, 3, 0x78, 4, 5, 0x78, 6];
        int[] sizes = [4, 3, 2];
        long videoTime = 0, audioTime = 0;
        long bytes = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.True(muxer.TryWriteH264(video, i % 30 == 0 ? KeyFrame : DeltaFrame, videoTime += 3000, buffer, out _));
                Assert.True(muxer.TryWriteAudio(opus, packets, sizes, audioTime += 2880, buffer, out _));
                Assert.True(muxer.TryWriteAudio(opus, packets.AsSpan(0, 4), audioTime += 2880, buffer, out _));
                Assert.True(Mp4Segment.TryWriteHeader(buffer, 5, buffer.AsSpan(2000), out _));
            }
        });
        Assert.Equal(0, bytes);
    }
}
