using System.Runtime.InteropServices;
using Parley.Codecs.Opus;
using Parley.Media.Mp4;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Mp4;

/// <summary>
/// The muxer's output read by real peers: ffprobe and ffmpeg open the fragmented MP4, and the decoded frames hash
/// the same as the source's.
/// </summary>
public class Mp4InteropTests
{
    private const int Seconds = 6;
    private const int FrameTicks = 3000; // 30 frames/s at 90 kHz
    private const int OpusFrame = 960; // 20 ms at 48 kHz
    private const int OpusPacketsPerSegment = 3;

    [Fact]
    public void Ffmpeg_decodes_muxed_h264_identically_to_the_source_and_the_opus_track_without_errors()
    {
        using var dir = new TempDirectory();
        string source = TestMedia.MediaFile("presenter-720p.mp4");
        string annexB = dir.File("v.h264"), pcm = dir.File("a.raw"), muxed = dir.File("muxed.mp4");
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", source, "-t", $"{Seconds}", "-an", "-c:v", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264", "-y", annexB]);
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", source, "-t", $"{Seconds}", "-vn", "-f", "s16le", "-ar", "48000", "-ac", "2", "-y", pcm]);

        // The stream has no B-frames (pts = dts), so decode time = i × frame interval and composition offset 0.
        List<byte[]> accessUnits = AccessUnitSplitterForTests.Split(File.ReadAllBytes(annexB));
        Assert.Equal(Seconds * 30, accessUnits.Count);
        Mp4Track video = Mp4Track.H264(1);
        Mp4Track opus = Mp4Track.Opus(2, 2);
        var muxer = new Mp4Muxer([video, opus]);
        var segments = new List<(double Time, byte[] Bytes)>();
        byte[]? init = null;
        int keyFrames = 0;
        for (int i = 0; i < accessUnits.Count; i++)
        {
            byte[] segment = new byte[Mp4Muxer.MeasureH264(accessUnits[i])];
            Assert.True(muxer.TryWriteH264(video, accessUnits[i], (long)i * FrameTicks, segment, out Mp4SegmentInfo info));
            keyFrames += info.IsSyncSample ? 1 : 0;
            if (info.InitSegmentChanged)
            {
                Assert.Null(init); // parameter sets arrive once, in the first access unit, and never change
                Assert.Equal(0, i);
                init = muxer.CreateInitSegment();
            }

            segments.Add(((double)i * FrameTicks / Mp4Track.VideoTimescale, segment));
        }

        int opusPackets = EncodeOpus(MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(pcm)).ToArray(), muxer, opus, segments);
        Assert.NotNull(init);
        using (FileStream file = File.Create(muxed))
        {
            file.Write(init);
            foreach (var (_, bytes) in segments.OrderBy(s => s.Time))
            {
                file.Write(bytes);
            }
        }

        string streams = TestMedia.RunChecked("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height,sample_rate,channels", "-of", "csv=p=0", muxed]);
        Assert.Equal(["h264,1280,720", "opus,48000,2"], streams.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("video/mp4; codecs=\"avc1.64001f,opus\"", muxer.MimeType);

        string[] expected = FrameHashes(["-i", source, "-t", $"{Seconds}", "-map", "0:v"]);
        string[] actual = FrameHashes(["-i", muxed, "-map", "0:v"]);
        Assert.Equal(Seconds * 30, expected.Length);
        Assert.Equal(expected, actual);

        string packets = TestMedia.RunChecked("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=dts,flags", "-of", "csv=p=0", muxed]);
        string[] rows = packets.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(accessUnits.Count, rows.Length);
        Assert.Equal(keyFrames, rows.Count(r => r.Contains('K', StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(0, rows.Length).Select(i => $"{i * FrameTicks}"), rows.Select(r => r.Split(',')[0]));

        var (code, _, errors) = TestMedia.Run("ffmpeg", ["-v", "error", "-xerror", "-i", muxed, "-map", "0:a", "-f", "framemd5", "-"]);
        Assert.True(code == 0 && errors.Length == 0, $"ffmpeg exit {code}: {errors}");
        string[] audioFrames = FrameHashes(["-i", muxed, "-map", "0:a"]);
        Assert.Equal(opusPackets, audioFrames.Length);
    }

    [Fact]
    public void Ffmpeg_decodes_muxed_aac_identically_to_the_adts_it_came_from()
    {
        using var dir = new TempDirectory();
        string adts = dir.File("a.aac"), muxed = dir.File("aac.mp4");
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", TestMedia.MediaFile("presenter-720p.mp4"), "-t", $"{Seconds}", "-vn", "-c:a", "copy", "-f", "adts", "-y", adts]);
        List<(byte[] AudioSpecificConfig, byte[] Frame)> frames = ReadAdts(File.ReadAllBytes(adts));
        Assert.True(frames.Count > Seconds * 46, $"only {frames.Count} AAC frames");

        Mp4Track aac = Mp4Track.Aac(1, 48000, 2, frames[0].AudioSpecificConfig);
        var muxer = new Mp4Muxer([aac]);
        using (FileStream file = File.Create(muxed))
        {
            file.Write(muxer.CreateInitSegment());
            for (int i = 0; i < frames.Count; i++)
            {
                byte[] segment = new byte[Mp4Muxer.MeasureAudio(frames[i].Frame.Length)];
                Assert.True(muxer.TryWriteAudio(aac, frames[i].Frame, (long)i * Mp4Track.AacFrameSamples, segment, out _));
                file.Write(segment);
            }
        }

        Assert.Equal("aac,48000,2", TestMedia.RunChecked("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels", "-of", "csv=p=0", muxed]).Trim());
        Assert.Equal("audio/mp4; codecs=\"mp4a.40.2\"", muxer.MimeType);
        string[] expected = FrameHashes(["-i", adts]);
        Assert.Equal(frames.Count, expected.Length);
        Assert.Equal(expected, FrameHashes(["-xerror", "-i", muxed]));
    }

    private static int EncodeOpus(short[] pcm, Mp4Muxer muxer, Mp4Track track, List<(double Time, byte[] Bytes)> segments)
    {
        using var encoder = new OpusEncoder(2, OpusApplication.Audio) { Bitrate = 64000 };
        byte[] packet = new byte[OpusEncoder.MaxPacketSize];
        var batch = new List<byte>();
        var sizes = new List<int>();
        int packets = 0;
        long batchStart = 0;
        for (int offset = 0; offset + (OpusFrame * 2) <= pcm.Length; offset += OpusFrame * 2)
        {
            int n = encoder.Encode(pcm.AsSpan(offset, OpusFrame * 2), OpusFrame, packet);
            batch.AddRange(packet.AsSpan(0, n));
            sizes.Add(n);
            packets++;
            if (sizes.Count == OpusPacketsPerSegment || offset + (OpusFrame * 4) > pcm.Length)
            {
                byte[] segment = new byte[Mp4Muxer.MeasureAudio(batch.Count, sizes.Count)];
                Assert.True(muxer.TryWriteAudio(track, batch.ToArray(), sizes.ToArray(), batchStart, segment, out _));
                segments.Add(((double)batchStart / Mp4Track.OpusTimescale, segment));
                batchStart += OpusFrame * sizes.Count;
                batch.Clear();
                sizes.Clear();
            }
        }

        return packets;
    }

    // ffmpeg -f framemd5: the hash column of each decoded frame, in output order.
    private static string[] FrameHashes(string[] input)
    {
        string output = TestMedia.RunChecked("ffmpeg", ["-v", "error", .. input, "-f", "framemd5", "-"], TimeSpan.FromSeconds(120));
        return [.. output.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(',')[^1].Trim())];
    }

    // ADTS (ISO/IEC 13818-7 §6.2): syncword 12 bits, ID, layer 2, protection_absent, profile 2 (object type - 1),
    // sampling_frequency_index 4, private, channel_configuration 3, ..., aac_frame_length 13 bits (header included).
    private static List<(byte[] AudioSpecificConfig, byte[] Frame)> ReadAdts(byte[] data)
    {
        var frames = new List<(byte[], byte[])>();
        int at = 0;
        while (at + 7 <= data.Length)
        {
            Assert.True(data[at] == 0xFF && (data[at + 1] & 0xF0) == 0xF0, $"ADTS sync lost at {at}");
            int headerLength = (data[at + 1] & 1) == 1 ? 7 : 9;
            int objectType = (data[at + 2] >> 6) + 1;
            int frequencyIndex = (data[at + 2] >> 2) & 0xF;
            int channels = ((data[at + 2] & 1) << 2) | (data[at + 3] >> 6);
            int length = ((data[at + 3] & 3) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5);
            byte[] asc = [(byte)((objectType << 3) | (frequencyIndex >> 1)), (byte)(((frequencyIndex & 1) << 7) | (channels << 3))];
            frames.Add((asc, data[(at + headerLength)..(at + length)]));
            at += length;
        }

        return frames;
    }
}
