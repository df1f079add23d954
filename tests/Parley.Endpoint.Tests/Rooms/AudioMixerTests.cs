using Microsoft.Extensions.Time.Testing;
using Parley.Endpoint.Rooms;
using Parley.Endpoint.View;

namespace Parley.Endpoint.Tests.Rooms;

/// <summary>Client-side mixing of a room's audio: the arithmetic, and how inputs are primed, drained and trimmed.</summary>
public sealed class AudioMixerTests
{
    private const int Frame = AudioMixer.FrameSamples;

    [Fact]
    public void Sums_are_exact_in_range_and_clipped_beyond_it()
    {
        int[] sum = new int[6];
        AudioMixer.Accumulate(sum, [1000, -1000, 30000, -30000, 32767, 5]);
        AudioMixer.Accumulate(sum, [2000, -500, 10000, -10000, 32767]); // shorter: silence for the rest
        short[] output = new short[6];
        AudioMixer.Clip(sum, output);
        Assert.Equal(new short[] { 3000, -1500, short.MaxValue, short.MinValue, short.MaxValue, 5 }, output);
        Assert.Throws<ArgumentException>(() => AudioMixer.Accumulate(sum, new short[7]));
    }

    [Fact]
    public void Two_sines_mix_to_their_sum_and_each_input_waits_until_primed()
    {
        var mixer = new AudioMixer(null);
        var low = mixer.AddInput("low");
        var high = mixer.AddInput("high");
        short[] a = Sine(440, 8000, 3 * Frame), b = Sine(1000, 8000, 3 * Frame);

        low.WriteAudio(a.AsSpan(0, Frame), TimeSpan.Zero);
        Assert.All(mixer.MixFrame().ToArray(), s => Assert.Equal(0, s)); // one frame is not enough to start

        low.WriteAudio(a.AsSpan(Frame, 2 * Frame), TimeSpan.Zero);
        high.WriteAudio(b.AsSpan(0, 2 * Frame), TimeSpan.Zero);
        var first = mixer.MixFrame().ToArray();
        for (int i = 0; i < Frame; i++)
        {
            Assert.Equal(a[i] + b[i], first[i]);
        }

        var second = mixer.MixFrame().ToArray();
        for (int i = 0; i < Frame; i++)
        {
            Assert.Equal(a[Frame + i] + b[Frame + i], second[i]);
        }

        // High has run dry: low alone, and high counts an underrun and primes again.
        var third = mixer.MixFrame().ToArray();
        Assert.Equal(a.AsSpan(2 * Frame, Frame).ToArray(), third);
        Assert.Equal(1, high.Underruns);
        Assert.Equal(3 * Frame, low.SamplesMixed);
        Assert.Equal(4, mixer.FramesMixed);
        high.WriteAudio(b.AsSpan(0, Frame), TimeSpan.Zero);
        mixer.RemoveInput(low);
        Assert.All(mixer.MixFrame().ToArray(), s => Assert.Equal(0, s));
    }

    [Fact]
    public void Loud_inputs_clip_instead_of_wrapping_around()
    {
        var mixer = new AudioMixer(null);
        short[] loud = Sine(300, 30000, 2 * Frame);
        mixer.AddInput("a").WriteAudio(loud, TimeSpan.Zero);
        mixer.AddInput("b").WriteAudio(loud, TimeSpan.Zero);
        var mixed = mixer.MixFrame().ToArray();
        for (int i = 0; i < Frame; i++)
        {
            Assert.Equal(Math.Clamp(2 * loud[i], short.MinValue, short.MaxValue), mixed[i]);
        }

        Assert.Contains(mixed, s => s == short.MaxValue);
        Assert.Contains(mixed, s => s == short.MinValue);
    }

    [Fact]
    public void An_input_that_runs_ahead_is_trimmed_to_the_newest_audio()
    {
        var mixer = new AudioMixer(null);
        var input = mixer.AddInput("burst");
        short[] ramp = Enumerable.Range(0, 10 * Frame).Select(i => (short)(i / Frame)).ToArray(); // frame k holds k
        input.WriteAudio(ramp, TimeSpan.Zero);
        var mixed = mixer.MixFrame().ToArray();

        // Above MaxFrames the input keeps PrimeFrames: frames 8 and 9 are left, 8 is played.
        Assert.All(mixed, s => Assert.Equal(8, s));
        Assert.Equal(8 * Frame, input.SamplesDropped);
        Assert.Equal(Frame, input.Buffered);

        // The ring never holds more than its capacity; the oldest go first.
        input.WriteAudio(new short[MixerInput.Capacity + 10], TimeSpan.Zero);
        Assert.Equal(MixerInput.Capacity, input.Buffered);
    }

    [Fact]
    public async Task The_clock_mixes_one_frame_every_20_ms_and_skips_rather_than_bursts_after_a_stall()
    {
        var time = new FakeTimeProvider();
        var mixer = new AudioMixer(null, new ViewClock(time));
        using var stop = new CancellationTokenSource();
        var run = mixer.RunAsync(stop.Token);
        await WaitForFramesAsync(mixer, 1);
        for (int i = 1; i <= 25; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            await WaitForFramesAsync(mixer, i + 1);
        }

        // A stall over 200 ms (a suspended process) does not come back as a burst of 25 frames.
        time.Advance(TimeSpan.FromMilliseconds(500));
        await WaitForFramesAsync(mixer, 27);
        await Task.Delay(50);
        Assert.Equal(27, mixer.FramesMixed);
        await stop.CancelAsync();
        await run;
    }

    private static async Task WaitForFramesAsync(AudioMixer mixer, long frames)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (mixer.FramesMixed < frames)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{mixer.FramesMixed} frames mixed, waiting for {frames}");
            await Task.Delay(1);
        }

        Assert.Equal(frames, mixer.FramesMixed);
    }

    private static short[] Sine(double frequency, double amplitude, int samples) =>
        Enumerable.Range(0, samples).Select(i => (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * (i / 2) / 48000))).ToArray();
}
