using Parley.Codecs.Synthetic;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Synthetic;

public class ToneGeneratorTests
{
    [Fact]
    public void Tone_is_440_hz_with_a_1_khz_beep_at_each_second()
    {
        var tone = new ToneGenerator();
        short[] pcm = new short[48000 * 3];
        tone.Fill(pcm);
        Assert.Equal(48000 * 3, tone.Position);
        Assert.Equal(2400, tone.BeepSamples); // 50 ms

        for (int second = 0; second < 3; second++)
        {
            int start = second * 48000;
            Assert.InRange(Frequency(pcm.AsSpan(start + 100, 2000)), 990, 1010);
            Assert.InRange(Frequency(pcm.AsSpan(start + 10000, 24000)), 438, 442);
        }

        // Peak level is the requested fraction of full scale.
        Assert.InRange(pcm.Max(s => Math.Abs((int)s)), 9700, 9900);
    }

    [Fact]
    public void Output_is_a_pure_function_of_position_so_chunks_join_seamlessly()
    {
        var whole = new ToneGenerator();
        short[] expected = new short[10_000];
        whole.Position = 1_700_000_000_000L * 48;
        whole.Fill(expected);

        var chunked = new ToneGenerator { Position = 1_700_000_000_000L * 48 };
        short[] actual = new short[10_000];
        for (int i = 0; i < actual.Length; i += 960)
        {
            chunked.Fill(actual.AsSpan(i, Math.Min(960, actual.Length - i)));
        }

        Assert.Equal(expected, actual);
        Assert.True(whole.IsBeep(1_700_000_000_000L * 48)); // wall-clock second boundary
    }

    [Fact]
    public void Stereo_duplicates_the_signal_and_filling_allocates_nothing()
    {
        var tone = new ToneGenerator(channels: 2);
        short[] pcm = new short[1920];
        tone.Fill(pcm);
        Assert.Equal(0, Allocations.SteadyState(() => tone.Fill(pcm)));
        tone.Position = 960;
        tone.Fill(pcm);
        for (int i = 0; i < 960; i++)
        {
            Assert.Equal(pcm[2 * i], pcm[(2 * i) + 1]);
        }

        Assert.Equal(1920, tone.Position);
        Assert.Throws<ArgumentException>(() => tone.Fill(new short[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToneGenerator(channels: 3));
    }

    // Frequency from the first and last upward zero crossings, interpolated between samples.
    private static double Frequency(ReadOnlySpan<short> samples)
    {
        double first = -1, last = -1;
        int crossings = 0;
        for (int i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                double at = i - 1 + ((double)-samples[i - 1] / (samples[i] - samples[i - 1]));
                if (first < 0)
                {
                    first = at;
                }

                last = at;
                crossings++;
            }
        }

        return (crossings - 1) * 48000.0 / (last - first);
    }
}
