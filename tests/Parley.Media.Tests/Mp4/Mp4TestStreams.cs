using Parley.Media.H264;
using Parley.Media.Mp4;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Mp4;

/// <summary>Test infrastructure: parameter sets and small H.264 streams for the MP4 tests.</summary>
public static class Mp4TestStreams
{
    /// <summary>SPS of presenter-720p.mp4 (x264, High, level 3.1, 1280x720), with one emulation prevention byte.</summary>
    public static readonly byte[] PresenterSps = Convert.FromHexString("6764001FACB200A00B7420000003002000000781E30649");

    /// <summary>PPS of presenter-720p.mp4.</summary>
    public static readonly byte[] PresenterPps = Convert.FromHexString("68EBCCB22C");

    public static Mp4Track PresenterVideoTrack(uint trackId = 1)
    {
        Assert.True(Mp4Track.TryCreateH264(trackId, PresenterSps, PresenterPps, out Mp4Track? track));
        return track!;
    }

    /// <summary>Annex B bytes of the given NAL units, each after a 4-byte start code.</summary>
    public static byte[] AnnexBOf(params byte[][] nalUnits) =>
        [.. nalUnits.SelectMany(n => new byte[] { 0, 0, 0, 1 }.Concat(n))];

    /// <summary>A few frames of testsrc encoded by ffmpeg's libx264 with the given options, as Annex B.</summary>
    public static byte[] EncodeWithX264(string size, string pixelFormat, params string[] extra)
    {
        using var dir = new TempDirectory();
        string output = dir.File("t.h264");
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", $"testsrc=size={size}:rate=30", "-frames:v", "2", "-pix_fmt", pixelFormat, "-c:v", "libx264", .. extra, "-f", "h264", "-y", output]);
        return File.ReadAllBytes(output);
    }

    /// <summary>The first NAL unit of <paramref name="type"/> in an Annex B stream.</summary>
    public static byte[] FirstNal(byte[] annexB, int type)
    {
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(annexB))
        {
            if ((nal[0] & 0x1F) == type)
            {
                return nal.ToArray();
            }
        }

        throw new InvalidOperationException($"No NAL unit of type {type}.");
    }
}
