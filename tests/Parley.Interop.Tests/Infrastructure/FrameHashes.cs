using System.Globalization;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>Decoded-frame hashes as ffmpeg's framemd5 muxer writes them, and comparisons against a source.</summary>
public static class FrameHashes
{
    /// <summary>The md5 column of every frame line of stream 0 in a framemd5 file.</summary>
    public static IReadOnlyList<string> Read(string path) =>
        [.. File.ReadLines(path)
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(','))
            .Where(c => c.Length >= 6 && int.Parse(c[0].Trim(), CultureInfo.InvariantCulture) == 0)
            .Select(c => c[5].Trim())];

    /// <summary>Decodes the video of <paramref name="input"/> (a file or URL) to framemd5 with ffmpeg.</summary>
    public static async Task<IReadOnlyList<string>> OfSourceAsync(string input, string directory)
    {
        string output = Path.Combine(directory, "source.framemd5");
        await using var ffmpeg = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-y", "-i", input, "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", output);
        int code = await ffmpeg.WaitForExitAsync(TimeSpan.FromSeconds(120));
        if (code != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not decode {input}: {ffmpeg.StandardError}");
        }

        return Read(output);
    }

    /// <summary>Where <paramref name="received"/>[0] sits in <paramref name="source"/>, or -1.</summary>
    public static int FindStart(IReadOnlyList<string> source, IReadOnlyList<string> received)
    {
        if (received.Count == 0)
        {
            return -1;
        }

        for (int i = 0; i < source.Count; i++)
        {
            if (source[i] == received[0])
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Counts how many received frames match the source in order from <paramref name="start"/>, allowing source
    /// frames to be missing (lost) but never a frame that is not the source's next ones. A received frame equal to
    /// the one before it is a repeat (ffmpeg's RTSP demuxer re-emits the last picture at end of stream; the packets
    /// the hub relayed hold no duplicate, checked with -c copy framemd5), not a foreign frame.
    /// </summary>
    public static (int Matched, int Missing, int Foreign) CompareInOrder(IReadOnlyList<string> source, int start, IReadOnlyList<string> received)
    {
        int s = start;
        int matched = 0;
        int missing = 0;
        int foreign = 0;
        string? previous = null;
        foreach (string hash in received)
        {
            if (hash == previous && s > start && source[s - 1] == hash && (s >= source.Count || source[s] != hash))
            {
                continue;
            }

            previous = hash;
            int found = -1;
            for (int j = s; j < source.Count; j++)
            {
                if (source[j] == hash)
                {
                    found = j;
                    break;
                }
            }

            if (found < 0)
            {
                foreign++;
                continue;
            }

            missing += found - s;
            matched++;
            s = found + 1;
        }

        return (matched, missing, foreign);
    }
}
