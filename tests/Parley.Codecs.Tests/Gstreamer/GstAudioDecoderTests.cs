using System.Diagnostics;
using System.Runtime.InteropServices;
using Parley.Codecs.Gstreamer;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Codecs.Tests.Gstreamer;

/// <summary>
/// GstAudioDecoder with mulawdec / alawdec on real speech that ffmpeg encoded to G.711, checked against ffmpeg's
/// own decoding of the same bytes: same length (times the rate ratio), same loudness, and the same loudness
/// envelope frame by frame. The resampler makes a sample-exact comparison meaningless.
/// </summary>
public class GstAudioDecoderTests(ITestOutputHelper output)
{
    private const int FrameSamples = 160; // 20 ms at 8000 Hz
    private const int Ratio = 48000 / 8000;

    [Theory]
    [InlineData("mulaw")]
    [InlineData("alaw")]
    public void G711_speech_decodes_to_48_kHz_stereo_with_ffmpegs_loudness(string law)
    {
        using var dir = new TempDirectory();
        string encoded = dir.File("speech." + law), reference = dir.File("reference.raw");
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-y", "-i", TestMedia.MediaFile("speech-16k.wav"), "-ar", "8000", "-ac", "1", "-f", law, encoded]);
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-y", "-f", law, "-ar", "8000", "-ac", "1", "-i", encoded, "-f", "s16le", reference]);
        byte[] g711 = File.ReadAllBytes(encoded);
        short[] expected = MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(reference)).ToArray();
        Assert.Equal(g711.Length, expected.Length);

        using var decoder = law == "mulaw" ? GstAudioDecoder.ForMulaw(48000, 2) : GstAudioDecoder.ForAlaw(48000, 2);
        var left = new List<short>();
        int frames = g711.Length / FrameSamples;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < frames; i++)
        {
            Assert.True(decoder.TryDecode(g711.AsSpan(i * FrameSamples, FrameSamples), FrameSamples, out var pcm), $"frame {i}: {decoder.LastError}");
            Assert.Equal(0, pcm.Length % 2);
            for (int s = 0; s < pcm.Length; s += 2)
            {
                Assert.Equal(pcm[s], pcm[s + 1]); // mono duplicated to both channels
                left.Add(pcm[s]);
            }
        }

        output.WriteLine($"{frames} frames of 20 ms decoded in {watch.Elapsed.TotalMilliseconds:F0} ms ({watch.Elapsed.TotalMilliseconds / frames:F3} ms per frame, push to pull)");
        Assert.Equal(0, decoder.Errors);

        // Only the resampler's filter delay (a few ms) may be missing.
        int want = frames * FrameSamples * Ratio;
        Assert.InRange(left.Count, want - (Ratio * 80), want);

        short[] decoded = left.ToArray();
        double ours = Rms(decoded), theirs = Rms(expected.AsSpan(0, frames * FrameSamples));
        Assert.True(theirs > 500, $"the reference speech is loud enough to compare ({theirs:F0})");
        Assert.InRange(ours / theirs, 0.9, 1.1);

        // Frame by frame, the loudness follows the speech (words and pauses), not noise.
        var ourEnvelope = new double[frames - 1];
        var theirEnvelope = new double[frames - 1];
        int delay = want - decoded.Length;
        for (int i = 0; i < frames - 1; i++)
        {
            int start = Math.Max(0, (i * FrameSamples * Ratio) - delay);
            ourEnvelope[i] = Rms(decoded.AsSpan(start, FrameSamples * Ratio));
            theirEnvelope[i] = Rms(expected.AsSpan(i * FrameSamples, FrameSamples));
        }

        Assert.True(Correlation(ourEnvelope, theirEnvelope) > 0.98, $"envelope correlation {Correlation(ourEnvelope, theirEnvelope):F3}");
    }

    [Fact]
    public void An_empty_frame_is_refused_and_counted_and_decoding_goes_on()
    {
        using var decoder = GstAudioDecoder.ForMulaw(48000, 2);
        Assert.False(decoder.TryDecode([], 0, out _));
        Assert.Equal(1, decoder.Errors);

        // 0xFF is μ-law's digital silence (RFC 3551 §4.5.14 leaves the coding to G.711).
        byte[] silence = new byte[FrameSamples];
        silence.AsSpan().Fill(0xFF);
        Assert.True(decoder.TryDecode(silence, FrameSamples, out var pcm));
        Assert.True(pcm.Length > 0);
        foreach (short s in pcm)
        {
            Assert.InRange(s, (short)-8, (short)8);
        }
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, samples.Length));
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }

        return ab / Math.Sqrt(aa * bb);
    }
}
