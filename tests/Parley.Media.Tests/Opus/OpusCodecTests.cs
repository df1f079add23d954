using Parley.Codecs;
using Parley.Codecs.Opus;
using Parley.Media.Opus;
using Parley.Media.Tests.Infrastructure;

namespace Parley.Media.Tests.Opus;

public class OpusCodecTests
{
    private const int Frame = 960; // 20 ms at 48 kHz

    [Fact]
    public void Real_speech_survives_encode_and_decode()
    {
        short[] speech = TestMedia.Speech48k();
        Assert.True(speech.Length > 48000 * 10);
        foreach (var application in new[] { OpusApplication.Voip, OpusApplication.Audio, OpusApplication.RestrictedLowDelay })
        {
            using var encoder = new OpusEncoder(1, application) { Bitrate = 32000, Complexity = 10 };
            using var decoder = new OpusDecoder(1);
            int delay = encoder.Lookahead;
            int frames = speech.Length / Frame;
            short[] decoded = new short[frames * Frame];
            byte[] packet = new byte[OpusEncoder.MaxPacketSize];
            long bytes = 0;
            for (int f = 0; f < frames; f++)
            {
                int n = encoder.Encode(speech.AsSpan(f * Frame, Frame), Frame, packet);
                Assert.InRange(n, 1, 1275);
                Assert.Equal(Frame, OpusDecoder.GetSampleCount(packet.AsSpan(0, n)));
                Assert.True(OpusPacketInfo.TryGetSampleCount(packet.AsSpan(0, n), out int samples));
                Assert.Equal(Frame, samples);
                bytes += n;
                Assert.Equal(Frame, decoder.Decode(packet.AsSpan(0, n), decoded.AsSpan(f * Frame, Frame), Frame, decodeFec: false));
            }

            double correlation = Correlation(speech.AsSpan(0, decoded.Length - delay), decoded.AsSpan(delay));
            Assert.True(correlation > 0.9, $"{application}: correlation {correlation:F3} with lookahead {delay}");

            // The bitrate setting is honoured: about 32 kbit/s.
            double kbps = bytes * 8.0 / (frames * 0.02) / 1000;
            Assert.InRange(kbps, 20, 45);
        }
    }

    [Fact]
    public void Stereo_encodes_and_decodes_interleaved_samples()
    {
        short[] mono = TestMedia.Speech48k();
        short[] stereo = new short[Frame * 2 * 50];
        for (int i = 0; i < stereo.Length / 2; i++)
        {
            stereo[2 * i] = mono[48000 + i];
            stereo[(2 * i) + 1] = (short)(mono[48000 + i] / 2);
        }

        using var encoder = new OpusEncoder(2, OpusApplication.Audio) { Bitrate = 96000 };
        using var decoder = new OpusDecoder(2);
        short[] decoded = new short[stereo.Length];
        byte[] packet = new byte[OpusEncoder.MaxPacketSize];
        for (int f = 0; f < 50; f++)
        {
            int n = encoder.Encode(stereo.AsSpan(f * Frame * 2), Frame, packet);
            Assert.Equal(Frame, decoder.Decode(packet.AsSpan(0, n), decoded.AsSpan(f * Frame * 2), Frame, false));
        }

        int delay = encoder.Lookahead * 2;
        Assert.True(Correlation(stereo.AsSpan(0, stereo.Length - delay), decoded.AsSpan(delay)) > 0.9);
    }

    [Fact]
    public void Fec_recovers_a_lost_packet_and_concealment_fills_the_gap()
    {
        short[] speech = TestMedia.Speech48k();
        using var encoder = new OpusEncoder(1, OpusApplication.Voip) { Bitrate = 24000, InBandFec = true, PacketLossPercent = 20 };
        Assert.True(encoder.InBandFec);
        Assert.Equal(20, encoder.PacketLossPercent);

        var packets = new List<byte[]>();
        byte[] buffer = new byte[OpusEncoder.MaxPacketSize];
        for (int f = 0; f < 100; f++)
        {
            int n = encoder.Encode(speech.AsSpan((48000 * 2) + (f * Frame), Frame), Frame, buffer);
            packets.Add(buffer[..n]);
        }

        using var withFec = new OpusDecoder(1);
        using var reference = new OpusDecoder(1);
        short[] pcm = new short[Frame];
        short[] expected = new short[Frame];
        double fecCorrelationSum = 0;
        int recovered = 0;
        for (int f = 0; f < packets.Count; f++)
        {
            Assert.Equal(Frame, reference.Decode(packets[f], expected, Frame, false));
            if (f % 10 == 5)
            {
                // Packet f is "lost": recover it from the FEC data carried in packet f + 1.
                Assert.Equal(Frame, withFec.Decode(packets[f + 1], pcm, Frame, decodeFec: true));
                fecCorrelationSum += Correlation(expected, pcm);
                recovered++;
            }
            else
            {
                Assert.Equal(Frame, withFec.Decode(packets[f], pcm, Frame, false));
            }
        }

        // LBRR is a low-rate copy, so only roughly like the original, but clearly the same speech.
        Assert.True(fecCorrelationSum / recovered > 0.5, $"mean FEC correlation {fecCorrelationSum / recovered:F2}");

        // Concealment: an empty packet synthesizes exactly the requested duration.
        Assert.Equal(Frame, withFec.Decode(ReadOnlySpan<byte>.Empty, pcm, Frame, false));
        Assert.Equal(480, withFec.Decode(ReadOnlySpan<byte>.Empty, pcm, 480, false));
        Assert.Equal(Frame, withFec.Decode(packets[0], pcm, Frame, false));
        Assert.Equal(Frame, withFec.LastPacketDuration);
    }

    [Fact]
    public void Settings_round_trip_and_invalid_values_raise_libopus_errors()
    {
        using var encoder = new OpusEncoder(1);
        encoder.Bitrate = 16000;
        Assert.Equal(16000, encoder.Bitrate);
        encoder.Complexity = 3;
        Assert.Equal(3, encoder.Complexity);
        encoder.Dtx = true;
        Assert.True(encoder.Dtx);
        encoder.Vbr = false;
        Assert.False(encoder.Vbr);
        Assert.True(encoder.Lookahead > 0);
        Assert.StartsWith("libopus", OpusEncoder.LibraryVersion, StringComparison.Ordinal);

        var error = Assert.Throws<CodecException>(() => encoder.Bitrate = -5);
        Assert.Equal(-1, error.ErrorCode);
        Assert.Contains("invalid argument", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Complexity = 11);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.PacketLossPercent = 101);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpusEncoder(3));
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[1000], 1000, new byte[4000]));
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[100], 960, new byte[4000]));

        using var decoder = new OpusDecoder(1);
        var corrupt = Assert.Throws<CodecException>(() => decoder.Decode(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, new short[5760], 5760, false));
        Assert.Equal(-4, corrupt.ErrorCode); // OPUS_INVALID_PACKET
        Assert.Contains("corrupted", corrupt.Message, StringComparison.OrdinalIgnoreCase);

        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.Encode(new short[Frame], Frame, new byte[4000]));
    }

    [Fact]
    public void Dtx_makes_silence_nearly_free()
    {
        using var encoder = new OpusEncoder(1, OpusApplication.Voip) { Dtx = true };
        short[] silence = new short[Frame];
        byte[] packet = new byte[OpusEncoder.MaxPacketSize];
        int tiny = 0;
        for (int f = 0; f < 50; f++)
        {
            if (encoder.Encode(silence, Frame, packet) <= 2)
            {
                tiny++;
            }
        }

        Assert.True(tiny > 30, $"{tiny} DTX packets of 50");
    }

    [Fact]
    public void Every_frame_size_reports_its_duration_from_the_toc()
    {
        short[] speech = TestMedia.Speech48k();
        foreach (var application in new[] { OpusApplication.Voip, OpusApplication.Audio, OpusApplication.RestrictedLowDelay })
        {
            foreach (int size in new[] { 120, 240, 480, 960, 1920, 2880 })
            {
                using var encoder = new OpusEncoder(1, application);
                byte[] packet = new byte[OpusEncoder.MaxPacketSize];
                int n = encoder.Encode(speech.AsSpan(48000, size), size, packet);
                Assert.True(OpusPacketInfo.TryGetSampleCount(packet.AsSpan(0, n), out int samples));
                Assert.Equal(size, samples);
                Assert.Equal(OpusDecoder.GetSampleCount(packet.AsSpan(0, n)), samples);
            }
        }
    }

    [Fact]
    public void Encoding_and_decoding_allocate_nothing()
    {
        short[] speech = TestMedia.Speech48k();
        using var encoder = new OpusEncoder(1);
        using var decoder = new OpusDecoder(1);
        byte[] packet = new byte[OpusEncoder.MaxPacketSize];
        short[] pcm = new short[Frame];
        int f = 0;
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 10; i++, f++)
            {
                int n = encoder.Encode(speech.AsSpan(f * Frame, Frame), Frame, packet);
                decoder.Decode(packet.AsSpan(0, n), pcm, Frame, false);
            }

            decoder.Decode(default, pcm, Frame, false);
        });
        Assert.Equal(0, allocated);
    }

    internal static double Correlation(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        int n = Math.Min(a.Length, b.Length);
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++)
        {
            ma += a[i];
            mb += b[i];
        }

        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double x = a[i] - ma, y = b[i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }

        return saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }
}
