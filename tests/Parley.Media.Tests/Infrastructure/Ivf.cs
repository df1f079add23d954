using System.Buffers.Binary;

namespace Parley.Media.Tests.Infrastructure;

/// <summary>VP8 test streams: libvpx (through ffmpeg) writes IVF files; these read them back frame by frame.</summary>
public static class Ivf
{
    /// <summary>Encodes <paramref name="frames"/> frames of a test media file to VP8 in an IVF file with ffmpeg's libvpx.</summary>
    public static void Encode(string media, string ivf, int frames, int keyInterval, string scale = "")
    {
        List<string> args = ["-v", "error", "-y", "-i", TestMedia.MediaFile(media), "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-an"];
        if (scale.Length > 0)
        {
            args.AddRange(["-vf", $"scale={scale}"]);
        }

        args.AddRange(["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-g", keyInterval.ToString(System.Globalization.CultureInfo.InvariantCulture), "-b:v", "2M", "-f", "ivf", ivf]);
        TestMedia.RunChecked("ffmpeg", args, TimeSpan.FromMinutes(2));
    }

    // IVF: a 32-byte file header ("DKIF", header size at offset 6), then per frame a 4-byte little-endian size,
    // an 8-byte timestamp and the frame.
    public static List<byte[]> ReadFrames(string ivf)
    {
        byte[] file = File.ReadAllBytes(ivf);
        var frames = new List<byte[]>();
        int at = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6));
        while (at + 12 <= file.Length)
        {
            int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
            frames.Add(file.AsSpan(at + 12, size).ToArray());
            at += 12 + size;
        }

        return frames;
    }
}
