using Microsoft.Extensions.Time.Testing;
using Parley.Codecs;
using Parley.Codecs.Opus;
using Parley.Endpoint.View;
using Parley.Media.Jitter;
using Parley.Media.Opus;

namespace Parley.Endpoint.Tests.View;

/// <summary>
/// The audio path with real Opus (libopus encoder and decoder): RTP in through the track receiver, the adaptive
/// jitter buffer paced by a 20 ms clock, a lost packet concealed by the decoder's PLC, and continuous PCM out.
/// </summary>
public sealed class AudioPathTests
{
    private static readonly ViewTrack Track = new(1, "audio", ViewCodec.Opus, OpusPacketizer.DefaultPayloadType, 48000, 1, null);

    [Fact]
    public void A_lost_opus_packet_is_concealed_and_playback_stays_continuous()
    {
        const int packets = 100;
        const int lost = 40;
        var time = new FakeTimeProvider();
        var clock = new ViewClock(time);
        var statistics = new TrackStatistics(Track);
        var output = new PcmCollector();
        using var player = new AudioPlayer(output, statistics, clock);
        using var receiver = new AudioTrackReceiver(Track, reorder: false, player, recorder: null, statistics, clock, localSsrc: 7);
        using var encoder = new OpusEncoder(channels: 1, OpusApplication.Audio) { Bitrate = 48000 };
        var packetizer = new OpusPacketizer(ssrc: 99, initialSequenceNumber: 65500, initialTimestamp: 4_000_000_000);
        var pcm = new short[960];
        var opus = new byte[OpusEncoder.MaxPacketSize];
        var rtp = new byte[packetizer.HeaderLength + OpusEncoder.MaxPacketSize];
        var kinds = new List<AudioPlayoutKind>();
        int concealedAt = -1;

        for (int i = 0; i < packets + 10; i++)
        {
            if (i < packets)
            {
                for (int s = 0; s < pcm.Length; s++)
                {
                    pcm[s] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * ((i * 960) + s) / 48000.0));
                }

                int length = packetizer.Packetize(opus.AsSpan(0, encoder.Encode(pcm, 960, opus)), rtp);
                if (i != lost)
                {
                    receiver.OnRtp(rtp.AsSpan(0, length));
                }
            }

            int before = output.Samples.Count;
            var kind = player.Tick(clock.Now);
            kinds.Add(kind);
            if (kind == AudioPlayoutKind.Conceal && i > lost && concealedAt < 0)
            {
                concealedAt = before;
            }

            time.Advance(AudioPlayer.FrameDuration);
        }

        var totals = statistics.Snapshot();
        Assert.Equal(packets - 1, totals.Packets);
        Assert.True(totals.FramesConcealed >= 1, "the lost packet was concealed");
        Assert.True(concealedAt >= 0, "concealment came after the loss");
        Assert.True(totals.Frames >= packets - 5, $"{totals.Frames} frames played");
        Assert.Equal(0, totals.DecodeErrors);

        // From the first pull that played something on, every pull wrote 20 ms of stereo: no gap in the output.
        int firstPlayed = kinds.FindIndex(k => k != AudioPlayoutKind.Buffering);
        int lastPlayed = kinds.FindLastIndex(k => k == AudioPlayoutKind.Frame);
        Assert.True(firstPlayed is >= 0 and <= 5, $"playback began at pull {firstPlayed}");
        Assert.All(kinds[firstPlayed..(lastPlayed + 1)], k => Assert.NotEqual(AudioPlayoutKind.Buffering, k));

        // PLC continues the tone rather than leaving silence.
        double energy = 0;
        for (int s = concealedAt; s < concealedAt + (960 * AudioPlayer.OutputChannels); s++)
        {
            energy += (double)output.Samples[s] * output.Samples[s];
        }

        Assert.True(Math.Sqrt(energy / (960 * AudioPlayer.OutputChannels)) > 500, "the concealed frame is not silence");
        Assert.True(player.TargetDelay >= TimeSpan.FromMilliseconds(20));
    }
}
