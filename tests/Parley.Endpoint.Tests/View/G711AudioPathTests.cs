using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using Parley.Codecs;
using Parley.Endpoint.View;
using Parley.Media.Jitter;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;

namespace Parley.Endpoint.Tests.View;

/// <summary>
/// The audio path with real G.711 (ffmpeg encodes a tone, GStreamer's mulawdec/alawdec decode it): RTP in through the
/// track receiver, the adaptive jitter buffer at 8000 Hz paced by the 20 ms clock, and 48 kHz stereo out. Packets of
/// 10, 20 and 60 ms all play at real speed; a lost packet is played as silence of its duration.
/// </summary>
public sealed class G711AudioPathTests
{
    private const int SamplesPerMs = 8;
    private const int OutputPerTick = 960; // 20 ms at 48 kHz, per channel

    [Theory]
    [InlineData("mulaw", ViewCodec.Pcmu, 20)]
    [InlineData("alaw", ViewCodec.Pcma, 20)]
    [InlineData("mulaw", ViewCodec.Pcmu, 10)]
    [InlineData("alaw", ViewCodec.Pcma, 60)]
    public void G711_packets_play_at_real_speed_and_a_lost_one_is_silence(string law, ViewCodec codec, int packetMs)
    {
        const int seconds = 2;
        byte[] g711 = Tone(law, seconds);
        int packetBytes = packetMs * SamplesPerMs;
        int packets = g711.Length / packetBytes;
        int lost = packets / 2;
        var track = new ViewTrack(0, "audio", codec, codec == ViewCodec.Pcmu ? 0 : 8, 8000, 1, null);
        var time = new FakeTimeProvider();
        var clock = new ViewClock(time);
        var statistics = new TrackStatistics(track);
        var output = new PcmCollector();
        using var player = new AudioPlayer(output, statistics, clock);
        using var receiver = new AudioTrackReceiver(track, reorder: false, player, recorder: null, statistics, clock, localSsrc: 7);
        var rtp = new byte[12 + packetBytes];
        var kinds = new List<AudioPlayoutKind>();
        var written = new List<int>();
        int ticks = (seconds * 1000 / 20) + 10;
        for (int tick = 0, next = 0; tick < ticks; tick++)
        {
            // Packets arrive on time: every packet whose audio starts before the end of this tick.
            while (next < packets && next * packetMs < (tick + 1) * 20)
            {
                var header = new RtpHeader { PayloadType = (byte)track.PayloadType, SequenceNumber = (ushort)(65530 + next), Timestamp = unchecked(4_294_960_000u + (uint)(next * packetBytes)), Ssrc = 99 };
                int length = RtpPacketWriter.Write(rtp, header, g711.AsSpan(next * packetBytes, packetBytes));
                if (next != lost)
                {
                    receiver.OnRtp(rtp.AsSpan(0, length));
                }

                next++;
            }

            int before = output.Samples.Count;
            kinds.Add(player.Tick(clock.Now));
            written.Add(output.Samples.Count - before);
            time.Advance(AudioPlayer.FrameDuration);
        }

        var totals = statistics.Snapshot();
        Assert.Equal(packets - 1, totals.Packets);
        Assert.Equal(0, totals.DecodeErrors);
        Assert.True(totals.Frames >= packets - 4, $"{totals.Frames} of {packets} frames played");

        // From the first tick that played to the last frame, 20 ms of stereo per tick on average: real speed, no gap.
        int first = kinds.FindIndex(k => k != AudioPlayoutKind.Buffering);
        int last = kinds.FindLastIndex(k => k == AudioPlayoutKind.Frame);
        Assert.InRange(first, 0, 6);
        // Concealed while frames still followed: the lost packet, not the underrun after the last one.
        Assert.True(kinds.Skip(first).Take(last - first).Any(k => k == AudioPlayoutKind.Conceal), "the lost packet was concealed");
        int playedTicks = last - first + 1;
        long samples = written.Skip(first).Take(playedTicks).Sum() / AudioPlayer.OutputChannels;
        // The part of a long packet played ahead of the last tick, and the resampler's start (its filter delay, about 4 ms).
        long slack = (Math.Max(0, packetMs - 20) * 48) + 240;
        Assert.InRange(samples, ((long)playedTicks * OutputPerTick) - slack, ((long)playedTicks * OutputPerTick) + slack);

        // The tone is loud where frames played, and the lost packet's place holds a stretch of digital silence.
        short[] pcm = output.Samples.ToArray();
        Assert.True(Rms(pcm.AsSpan(pcm.Length / 4, OutputPerTick * 2)) > 1000, "the tone plays");
        // Only where the lost packet plays: its media time after the first played sample, give or take 20 ms (the
        // resampler's delay), so the silence after the last packet cannot stand in for it.
        const int perMs = 48 * AudioPlayer.OutputChannels;
        int lostStart = written.Take(first).Sum() + (lost * packetMs * perMs) - (20 * perMs);
        // The whole gap for 10 and 20 ms packets. A lost 60 ms packet comes out as 40 ms of silence: the jitter buffer
        // conceals in 20 ms frames and resumes with the next packet after two of them (noted for the jitter buffer).
        int silence = Math.Min(packetMs, 40) * perMs;
        Assert.True(LongestZeroRun(pcm.AsSpan(lostStart, (packetMs + 40) * perMs)) >= silence, "the lost packet is silence");
    }

    [Fact]
    public void An_unknown_codec_is_refused()
    {
        var statistics = new TrackStatistics(new ViewTrack(0, "video", ViewCodec.H264, 96, 90000, 0, null));
        Assert.Throws<ArgumentException>(() => new AudioPlayer(null, statistics, new ViewClock(new FakeTimeProvider())));
    }

    // The tone as G.711 bytes, encoded by ffmpeg.
    private static byte[] Tone(string law, int seconds)
    {
        using var dir = new TempDirectory();
        string path = dir.File("tone." + law);
        TestMedia.RunChecked("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=8000:duration={seconds}", "-af", "volume=4", "-ar", "8000", "-ac", "1", "-f", law, path]);
        return File.ReadAllBytes(path);
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    private static int LongestZeroRun(ReadOnlySpan<short> samples)
    {
        int best = 0, run = 0;
        foreach (short s in samples)
        {
            run = s == 0 ? run + 1 : 0;
            best = Math.Max(best, run);
        }

        return best;
    }
}
