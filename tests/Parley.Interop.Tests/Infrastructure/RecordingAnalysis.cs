using System.Globalization;
using System.Runtime.InteropServices;
using Parley.Codecs.Synthetic;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>
/// Measures a recording against what was sent, decoding with ffmpeg/ffprobe (peers no one here wrote): video
/// PSNR against the best-matching source frame, audio cross-correlation against the source, and the A/V offset
/// of the `test` source's beeps against its stamped frames.
/// </summary>
public static class RecordingAnalysis
{
    /// <summary>Decodes a file's first video stream to packed raw frames (every frame, no rate conversion).</summary>
    public static async Task<byte[][]> DecodeVideoAsync(string file, string directory, int width, int height, string pixelFormat, string? filter = null)
    {
        string raw = Path.Combine(directory, Path.GetFileNameWithoutExtension(file) + "." + pixelFormat + ".raw");
        string[] scale = filter is null ? [] : ["-vf", filter];
        await RunAsync("ffmpeg", ["-v", "error", "-i", file, "-map", "0:v:0", "-fps_mode", "passthrough", .. scale, "-f", "rawvideo", "-pix_fmt", pixelFormat, "-y", raw]);
        int size = pixelFormat == "gray" ? width * height : width * height * 3 / 2;
        byte[] all = await File.ReadAllBytesAsync(raw);
        File.Delete(raw);
        return Enumerable.Range(0, all.Length / size).Select(i => all.AsSpan(i * size, size).ToArray()).ToArray();
    }

    /// <summary>The presentation times (s) of a file's video frames, in decoding output order.</summary>
    public static async Task<double[]> VideoFrameTimesAsync(string file)
    {
        string text = await RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", file]);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>A file's first audio stream as mono s16 at <paramref name="rate"/> Hz, and the stream's start time in seconds.</summary>
    public static async Task<(short[] Samples, double Start)> DecodeAudioAsync(string file, string directory, int rate)
    {
        string start = await RunAsync("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=start_time", "-of", "csv=p=0", file]);
        string raw = Path.Combine(directory, Path.GetFileNameWithoutExtension(file) + ".s16");
        await RunAsync("ffmpeg", ["-v", "error", "-i", file, "-map", "0:a:0", "-ac", "1", "-ar", rate.ToString(CultureInfo.InvariantCulture), "-f", "s16le", "-y", raw]);
        short[] samples = MemoryMarshal.Cast<byte, short>(await File.ReadAllBytesAsync(raw)).ToArray();
        File.Delete(raw);
        double startSeconds = double.TryParse(start.Trim(), CultureInfo.InvariantCulture, out double s) ? s : 0;
        return (samples, startSeconds);
    }

    /// <summary>
    /// PSNR (dB, whole I420 frame) of each received frame against the source frame it matches best: the source
    /// loops, and which source frame a received one is depends on where the loop stood when viewing began.
    /// </summary>
    public static double[] PsnrAgainstBestSource(byte[][] received, byte[][] source, int width, int height)
    {
        // Pick the candidate on a sparse luma grid (cheap), then measure PSNR on the whole frame.
        return received.Select(frame =>
        {
            byte[] best = source.MinBy(candidate => SparseLumaError(frame, candidate, width, height))!;
            return Parley.Media.Tests.Infrastructure.TestMedia.Psnr(frame, best);
        }).ToArray();
    }

    /// <summary>
    /// The best normalised cross-correlation of a stretch of <paramref name="received"/> against any position
    /// of <paramref name="source"/> (looped once, for a recording that crosses the loop point).
    /// </summary>
    /// <returns>The correlation (-1..1) and the source sample it lines up with.</returns>
    public static (double Correlation, int SourceOffset) BestCorrelation(ReadOnlySpan<short> received, ReadOnlySpan<short> source)
    {
        float[] a = ToFloat(received);
        float[] looped = ToFloat([.. source, .. source]);
        // Coarse search on a 4x-decimated copy (block averages: a crude low-pass that keeps speech's formants),
        // then the exact lag around the coarse winner.
        float[] aCoarse = Decimate(a, 4), sCoarse = Decimate(looped, 4);
        int coarse = 0;
        double coarseBest = double.MinValue;
        for (int lag = 0; lag + aCoarse.Length <= sCoarse.Length && lag < source.Length / 4; lag++)
        {
            double c = Normalised(aCoarse, sCoarse.AsSpan(lag, aCoarse.Length));
            if (c > coarseBest)
            {
                coarseBest = c;
                coarse = lag;
            }
        }

        double best = double.MinValue;
        int bestLag = 0;
        for (int lag = Math.Max(0, (coarse * 4) - 8); lag <= (coarse * 4) + 8 && lag + a.Length <= looped.Length; lag++)
        {
            double c = Normalised(a, looped.AsSpan(lag, a.Length));
            if (c > best)
            {
                best = c;
                bestLag = lag;
            }
        }

        return (best, bestLag);
    }

    /// <summary>
    /// The recording times (s) at which the stamped capture clock of the `test` source passes whole seconds,
    /// interpolated between the two frames around each, keyed by the capture second (Unix ms).
    /// </summary>
    public static Dictionary<long, double> StampedSecondTimes(byte[][] lumaFrames, double[] times, int width, int height)
    {
        var seconds = new Dictionary<long, double>();
        long previousMs = 0;
        double previousTime = 0;
        bool havePrevious = false;
        for (int i = 0; i < Math.Min(lumaFrames.Length, times.Length); i++)
        {
            if (!TestPatternGenerator.TryReadStamp(lumaFrames[i], width, height, out _, out long ms))
            {
                havePrevious = false;
                continue;
            }

            if (havePrevious && ms / 1000 != previousMs / 1000 && ms > previousMs)
            {
                long second = ms / 1000 * 1000;
                seconds[second] = previousTime + ((times[i] - previousTime) * (second - previousMs) / (ms - previousMs));
            }

            (previousMs, previousTime, havePrevious) = (ms, times[i], true);
        }

        return seconds;
    }

    /// <summary>
    /// The recording times (s) where a 1 kHz beep starts: the Goertzel power at 1 kHz in 2 ms windows rises
    /// through a quarter of its peak (half the peak amplitude).
    /// </summary>
    public static List<double> BeepOnsets(short[] samples, int rate, double start)
    {
        int window = rate / 500;
        var power = new double[samples.Length / window];
        for (int w = 0; w < power.Length; w++)
        {
            power[w] = Goertzel(samples.AsSpan(w * window, window), 1000, rate);
        }

        double threshold = power.Max() / 4;
        var onsets = new List<double>();
        int last = -rate;
        for (int w = 1; w < power.Length; w++)
        {
            if (power[w] > threshold && power[w - 1] <= threshold && (w - last) * window > rate / 2)
            {
                onsets.Add(start + ((double)w * window / rate));
                last = w;
            }
        }

        return onsets;
    }

    private static double Goertzel(ReadOnlySpan<short> x, double frequency, int rate)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / rate), s1 = 0, s2 = 0;
        foreach (short v in x)
        {
            double s0 = v + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }

    private static long SparseLumaError(byte[] a, byte[] b, int width, int height)
    {
        long sum = 0;
        for (int y = 4; y < height; y += 8)
        {
            for (int x = 4; x < width; x += 8)
            {
                int d = a[(y * width) + x] - b[(y * width) + x];
                sum += d * d;
            }
        }

        return sum;
    }

    private static float[] ToFloat(ReadOnlySpan<short> samples)
    {
        var result = new float[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            result[i] = samples[i];
        }

        return result;
    }

    private static float[] Decimate(float[] x, int factor)
    {
        var result = new float[x.Length / factor];
        for (int i = 0; i < result.Length; i++)
        {
            float sum = 0;
            for (int k = 0; k < factor; k++)
            {
                sum += x[(i * factor) + k];
            }

            result[i] = sum / factor;
        }

        return result;
    }

    private static double Normalised(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }

        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    private static async Task<string> RunAsync(string tool, string[] arguments)
    {
        await using var process = ExternalProcess.Start(tool, arguments);
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exit == 0, $"{tool} exited with {exit}: {ExternalProcess.Tail(process.StandardError, 5)}");
        return process.StandardOutput;
    }
}
