namespace Parley.Media.Mp4;

/// <summary>
/// Writes the init segment of a fragmented MP4 (ISO/IEC 14496-12 §8.8, ftyp + moov with mvex): every track with
/// its sample entry and empty sample tables, since all samples come later in movie fragments.
/// </summary>
/// <remarks>
/// <code>
///  ftyp                       major iso5, compatible iso5 iso6 avc1 mp41 (what Chromium's MSE accepts)
///  moov
///    mvhd                     timescale 1000, duration 0 (live: unknown)
///    trak (one per track)
///      tkhd                   enabled | in movie, width/height (video) or volume (audio)
///      mdia
///        mdhd                 track timescale (90000 video, 48000 Opus, sample rate AAC), language und
///        hdlr                 vide / soun
///        minf
///          vmhd / smhd
///          dinf > dref > url  self-contained
///          stbl > stsd (sample entry), stts, stsc, stsz, stco all empty
///    mvex > trex (one per track)
/// </code>
/// </remarks>
internal static class Mp4InitSegmentWriter
{
    /// <summary>Bytes a track needs besides its parameter sets and AudioSpecificConfig, with ample room.</summary>
    private const int BytesPerTrack = 1024;

    public static byte[] Write(IReadOnlyList<Mp4Track> tracks)
    {
        int bound = 256;
        foreach (Mp4Track track in tracks)
        {
            bound += BytesPerTrack + track.Sps.Length + track.Pps.Length + track.AudioSpecificConfig.Length;
        }

        byte[] buffer = new byte[bound];
        var w = new Mp4BoxWriter(buffer);
        WriteFtyp(ref w);
        int moov = w.Begin("moov"u8);
        WriteMvhd(ref w, tracks);
        foreach (Mp4Track track in tracks)
        {
            WriteTrak(ref w, track);
        }

        int mvex = w.Begin("mvex"u8);
        foreach (Mp4Track track in tracks)
        {
            // trex (§8.8.3): defaults left at zero, since every trun states duration, size and flags per sample.
            int trex = w.BeginFull("trex"u8, 0, 0);
            w.WriteUInt32(track.TrackId);
            w.WriteUInt32(1); // default_sample_description_index
            w.WriteUInt32(0);
            w.WriteUInt32(0);
            w.WriteUInt32(0);
            w.End(trex);
        }

        w.End(mvex);
        w.End(moov);
        return buffer.AsSpan(0, w.Position).ToArray();
    }

    private static void WriteFtyp(ref Mp4BoxWriter w)
    {
        int ftyp = w.Begin("ftyp"u8);
        w.Write("iso5"u8);
        w.WriteUInt32(512); // minor_version
        w.Write("iso5"u8);
        w.Write("iso6"u8);
        w.Write("avc1"u8);
        w.Write("mp41"u8);
        w.End(ftyp);
    }

    private static void WriteMvhd(ref Mp4BoxWriter w, IReadOnlyList<Mp4Track> tracks)
    {
        uint nextTrackId = 1;
        foreach (Mp4Track track in tracks)
        {
            nextTrackId = Math.Max(nextTrackId, track.TrackId + 1);
        }

        int mvhd = w.BeginFull("mvhd"u8, 0, 0);
        w.WriteUInt32(0); // creation_time
        w.WriteUInt32(0); // modification_time
        w.WriteUInt32(1000); // timescale
        w.WriteUInt32(0); // duration
        w.WriteUInt32(0x00010000); // rate 1.0
        w.WriteUInt16(0x0100); // volume 1.0
        w.WriteZeros(10); // reserved
        w.WriteUnityMatrix();
        w.WriteZeros(24); // pre_defined
        w.WriteUInt32(nextTrackId);
        w.End(mvhd);
    }

    private static void WriteTrak(ref Mp4BoxWriter w, Mp4Track track)
    {
        int trak = w.Begin("trak"u8);
        int tkhd = w.BeginFull("tkhd"u8, 0, 3); // track_enabled | track_in_movie
        w.WriteUInt32(0); // creation_time
        w.WriteUInt32(0); // modification_time
        w.WriteUInt32(track.TrackId);
        w.WriteUInt32(0); // reserved
        w.WriteUInt32(0); // duration
        w.WriteZeros(8); // reserved
        w.WriteUInt16(0); // layer
        w.WriteUInt16(0); // alternate_group
        w.WriteUInt16(track.IsVideo ? (ushort)0 : (ushort)0x0100); // volume
        w.WriteUInt16(0); // reserved
        w.WriteUnityMatrix();
        w.WriteUInt32((uint)track.Width << 16); // 16.16
        w.WriteUInt32((uint)track.Height << 16);
        w.End(tkhd);

        int mdia = w.Begin("mdia"u8);
        int mdhd = w.BeginFull("mdhd"u8, 0, 0);
        w.WriteUInt32(0); // creation_time
        w.WriteUInt32(0); // modification_time
        w.WriteUInt32(track.Timescale);
        w.WriteUInt32(0); // duration
        w.WriteUInt16(0x55C4); // language 'und' (ISO 639-2/T, three 5-bit letters)
        w.WriteUInt16(0); // pre_defined
        w.End(mdhd);

        int hdlr = w.BeginFull("hdlr"u8, 0, 0);
        w.WriteUInt32(0); // pre_defined
        w.Write(track.IsVideo ? "vide"u8 : "soun"u8);
        w.WriteZeros(12); // reserved
        w.Write(track.IsVideo ? "VideoHandler\0"u8 : "SoundHandler\0"u8);
        w.End(hdlr);

        int minf = w.Begin("minf"u8);
        if (track.IsVideo)
        {
            int vmhd = w.BeginFull("vmhd"u8, 0, 1); // flags 1 as §12.1.2 requires
            w.WriteZeros(8); // graphicsmode copy, opcolor
            w.End(vmhd);
        }
        else
        {
            int smhd = w.BeginFull("smhd"u8, 0, 0);
            w.WriteZeros(4); // balance centre, reserved
            w.End(smhd);
        }

        int dinf = w.Begin("dinf"u8);
        int dref = w.BeginFull("dref"u8, 0, 0);
        w.WriteUInt32(1);
        int url = w.BeginFull("url "u8, 0, 1); // flag 1: media data in this file
        w.End(url);
        w.End(dref);
        w.End(dinf);

        int stbl = w.Begin("stbl"u8);
        int stsd = w.BeginFull("stsd"u8, 0, 0);
        w.WriteUInt32(1);
        Mp4SampleEntryWriter.Write(ref w, track);
        w.End(stsd);
        WriteEmptyTable(ref w, "stts"u8);
        WriteEmptyTable(ref w, "stsc"u8);
        int stsz = w.BeginFull("stsz"u8, 0, 0);
        w.WriteUInt32(0); // sample_size
        w.WriteUInt32(0); // sample_count
        w.End(stsz);
        WriteEmptyTable(ref w, "stco"u8);
        w.End(stbl);
        w.End(minf);
        w.End(mdia);
        w.End(trak);
    }

    private static void WriteEmptyTable(ref Mp4BoxWriter w, ReadOnlySpan<byte> type)
    {
        int box = w.BeginFull(type, 0, 0);
        w.WriteUInt32(0); // entry_count
        w.End(box);
    }
}
