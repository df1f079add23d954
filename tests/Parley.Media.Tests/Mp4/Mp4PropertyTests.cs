using FsCheck;
using FsCheck.Fluent;
using Parley.Media.Mp4;

namespace Parley.Media.Tests.Mp4;

public class Mp4PropertyTests
{
    // One step of a stream: a video access unit (payload bytes, key frame, time step) or an Opus batch (sizes, gap).
    public sealed record StreamStep(bool Video, int[] Sizes, bool Key, int TimeStep);

    private static readonly Gen<StreamStep> StepGen =
        from video in Gen.Elements(true, false)
        from sizes in Gen.Choose(1, 3000).ArrayOf().Where(a => a.Length is > 0 and <= 5)
        from key in Gen.Elements(true, false)
        from step in Gen.Choose(1, 200000)
        select new StreamStep(video, sizes, key, step);

    [Fact]
    public void Random_frame_sizes_and_timestamps_give_parseable_segments_whose_sizes_add_up()
    {
        Prop.ForAll(Arb.From(StepGen.ArrayOf()), steps =>
        {
            var random = new Random(steps.Length);
            Mp4Track video = Mp4TestStreams.PresenterVideoTrack(1);
            Mp4Track opus = Mp4Track.Opus(2, 2);
            var muxer = new Mp4Muxer([video, opus]);
            var stream = new MemoryStream();
            long videoTime = 0, audioTime = 0;
            uint sequence = 0;
            foreach (StreamStep step in steps)
            {
                byte[] segment;
                Mp4SegmentInfo info;
                long decodeTime;
                int payload;
                if (step.Video)
                {
                    // NAL units of random non-zero bytes (so no start codes inside), header first.
                    byte[][] nals = [.. step.Sizes.Select((size, i) => RandomNal(random, size, i == 0 && step.Key ? (byte)0x65 : (byte)0x41))];
                    byte[] accessUnit = Mp4TestStreams.AnnexBOf(nals);
                    decodeTime = videoTime += step.TimeStep;
                    payload = nals.Sum(n => n.Length + 4);
                    segment = new byte[Mp4Muxer.MeasureH264(accessUnit)];
                    if (!muxer.TryWriteH264(video, accessUnit, decodeTime, segment, out info))
                    {
                        return false;
                    }
                }
                else
                {
                    byte[][] packets = [.. step.Sizes.Select(size => RandomNal(random, size, 0x78))];
                    byte[] frames = [.. packets.SelectMany(p => p)];
                    decodeTime = audioTime += step.TimeStep;
                    audioTime += 960 * packets.Length;
                    payload = frames.Length;
                    segment = new byte[Mp4Muxer.MeasureAudio(frames.Length, packets.Length)];
                    if (!muxer.TryWriteAudio(opus, frames, step.Sizes, decodeTime, segment, out info))
                    {
                        return false;
                    }
                }

                List<Mp4TestBox> boxes = Mp4TestBox.ParseAll(segment);
                Mp4TestBox moof = boxes[0], mdat = boxes[1];
                Mp4TestBox trun = moof.Find("traf/trun");
                uint count = trun.U32(4);
                long sampleBytes = Enumerable.Range(0, (int)count).Sum(i => (long)trun.U32(16 + (16 * i)));
                bool ok = boxes.Count == 2 && moof.Type == "moof" && mdat.Type == "mdat"
                    && count == (step.Video ? 1 : step.Sizes.Length)
                    && sampleBytes == mdat.Payload.Length && sampleBytes == payload
                    && trun.U32(8) == moof.Size + 8
                    && moof.Find("traf/tfdt").U64(4) == (ulong)decodeTime
                    && moof.Child("mfhd").U32(4) == ++sequence && info.SequenceNumber == sequence
                    && info.Length == segment.Length && info.HeaderLength == moof.Size + 8
                    && info.IsSyncSample == (!step.Video || step.Key);
                if (!ok)
                {
                    return false;
                }

                stream.Write(segment);
            }

            // The concatenated stream is a flat run of moof/mdat pairs whose sizes add up to its length.
            List<Mp4TestBox> all = Mp4TestBox.ParseAll(stream.ToArray());
            return all.Count == 2 * steps.Length && all.Select((b, i) => b.Type == (i % 2 == 0 ? "moof" : "mdat")).All(x => x);
        }).QuickCheckThrowOnFailure();
    }

    private static byte[] RandomNal(Random random, int size, byte header)
    {
        byte[] nal = new byte[size];
        for (int i = 0; i < size; i++)
        {
            nal[i] = (byte)random.Next(1, 256);
        }

        nal[0] = header;
        return nal;
    }
}
