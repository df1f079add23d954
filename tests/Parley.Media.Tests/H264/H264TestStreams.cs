using System.Collections.Concurrent;
using Parley.Media.H264;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Media.Tests.H264;

/// <summary>Real H.264 Annex B streams made by ffmpeg from the shared media, split into access units and NAL units.</summary>
internal static class H264TestStreams
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new();

    /// <summary>The first frames of presenter-720p.mp4 as Annex B (High profile, B-frames), stream copied.</summary>
    public static byte[] Presenter720p(int frames = 60) => Cache.GetOrAdd($"presenter:{frames}", _ =>
        Ffmpeg(["-i", TestMedia.MediaFile("presenter-720p.mp4"), "-c:v", "copy", "-bsf:v", "h264_mp4toannexb", "-frames:v", frames.ToString()]));

    /// <summary>talking-head.avi scaled to <paramref name="size"/> and encoded by libx264 with extra options.</summary>
    public static byte[] TalkingHead(string size, params string[] encoderOptions) => Cache.GetOrAdd($"talking:{size}:{string.Join(' ', encoderOptions)}", _ =>
        Ffmpeg(["-i", TestMedia.MediaFile("talking-head.avi"), "-vf", $"scale={size}", "-c:v", "libx264", .. encoderOptions]));

    /// <summary>
    /// Splits an Annex B stream into access units (ITU-T H.264 §7.4.1.2.3): a new one begins at an AUD, SPS, PPS
    /// or SEI, or at a slice whose first_mb_in_slice is 0, once the current one has a slice.
    /// </summary>
    public static List<List<byte[]>> AccessUnits(byte[] stream)
    {
        var units = new List<List<byte[]>>();
        List<byte[]>? current = null;
        bool hasSlice = false;
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(stream))
        {
            int type = nal[0] & 0x1F;
            bool slice = type is 1 or 5;
            bool starts = current is null || (hasSlice && ((type is >= 6 and <= 9) || (slice && nal.Length > 1 && (nal[1] & 0x80) != 0)));
            if (starts)
            {
                current = [];
                units.Add(current);
                hasSlice = false;
            }

            current!.Add(nal.ToArray());
            hasSlice |= slice;
        }

        return units;
    }

    /// <summary>The NAL units as Annex B bytes with 4-byte start codes: what the depacketizer must rebuild.</summary>
    public static byte[] ToAnnexB(IEnumerable<byte[]> nalUnits) => nalUnits.SelectMany(n => new byte[] { 0, 0, 0, 1 }.Concat(n)).ToArray();

    /// <summary>Packetizes each access unit (timestamps 3000 apart) and returns the RTP packets in order.</summary>
    public static List<byte[]> Packetize(H264Packetizer packetizer, IEnumerable<List<byte[]>> accessUnits, uint firstTimestamp = 0)
    {
        var sink = new ListPacketSink();
        uint timestamp = firstTimestamp;
        foreach (List<byte[]> au in accessUnits)
        {
            packetizer.Packetize(au.Select(n => (ReadOnlyMemory<byte>)n).ToArray(), timestamp, sink);
            timestamp += 3000;
        }

        return sink.Packets;
    }

    /// <summary>Feeds every packet and collects each completed access unit with its timestamp.</summary>
    public static List<(uint Timestamp, byte[] AccessUnit, bool KeyFrame)> Depacketize(H264Depacketizer depacketizer, IEnumerable<byte[]> packets)
    {
        var output = new List<(uint, byte[], bool)>();
        foreach (byte[] packet in packets)
        {
            if (depacketizer.Push(packet))
            {
                output.Add((depacketizer.Timestamp, depacketizer.AccessUnit.ToArray(), depacketizer.IsKeyFrame));
            }
        }

        return output;
    }

    /// <summary>The RTP payload of a packet (test code: the packet is known to be valid).</summary>
    public static byte[] Payload(byte[] packet)
    {
        Assert.True(RtpPacketView.TryParse(packet, out RtpPacketView view));
        return view.Payload.ToArray();
    }

    /// <summary>The MD5 of each decoded frame, as ffmpeg computes it (framemd5 without the timing columns).</summary>
    public static List<string> DecodedFrameHashes(string file) =>
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-i", file, "-f", "framemd5", "-"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l[(l.LastIndexOf(',') + 1)..].Trim())
            .ToList();

    private static byte[] Ffmpeg(string[] arguments)
    {
        using var dir = new TempDirectory();
        string output = dir.File("out.h264");
        TestMedia.RunChecked("ffmpeg", ["-v", "error", .. arguments, "-an", "-f", "h264", "-y", output]);
        return File.ReadAllBytes(output);
    }
}
