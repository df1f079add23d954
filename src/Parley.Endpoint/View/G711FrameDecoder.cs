using Parley.Codecs.Gstreamer;

namespace Parley.Endpoint.View;

/// <summary>
/// G.711 μ-law or A-law (RFC 3551 §4.5.14, 8000 Hz mono, one byte per sample) for <see cref="AudioPlayer"/>:
/// GStreamer's mulawdec / alawdec, then audioconvert and audioresample to 48 kHz stereo (<see cref="GstAudioDecoder"/>).
/// </summary>
/// <remarks>
/// G.711 has no loss concealment of its own (G.711 Appendix I is not in GStreamer), so a missing frame is played
/// as silence of its duration: a click rather than a smeared repeat, and never a wrong sound.
/// </remarks>
internal sealed class G711FrameDecoder : IAudioFrameDecoder
{
    private const int RateRatio = AudioPlayer.OutputRate / GstAudioDecoder.G711SampleRate;
    private readonly GstAudioDecoder _decoder;
    private short[] _silence = new short[160 * RateRatio * AudioPlayer.OutputChannels];

    /// <summary>Opens the decoding pipeline.</summary>
    /// <param name="codec"><see cref="ViewCodec.Pcmu"/> or <see cref="ViewCodec.Pcma"/>.</param>
    /// <exception cref="ArgumentException">Another codec.</exception>
    /// <exception cref="Parley.Codecs.CodecException">GStreamer or its G.711 decoder is missing.</exception>
    public G711FrameDecoder(ViewCodec codec)
    {
        _decoder = codec switch
        {
            ViewCodec.Pcmu => GstAudioDecoder.ForMulaw(AudioPlayer.OutputRate, AudioPlayer.OutputChannels),
            ViewCodec.Pcma => GstAudioDecoder.ForAlaw(AudioPlayer.OutputRate, AudioPlayer.OutputChannels),
            _ => throw new ArgumentException($"{codec} is not G.711.", nameof(codec)),
        };
    }

    /// <inheritdoc/>
    public bool TryDecode(ReadOnlySpan<byte> frame, int sampleCount, out ReadOnlySpan<short> pcm, out string? error)
    {
        if (_decoder.TryDecode(frame, sampleCount, out pcm))
        {
            error = null;
            return true;
        }

        error = _decoder.LastError;
        return false;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<short> Conceal(int sampleCount)
    {
        int length = Math.Max(0, sampleCount) * RateRatio * AudioPlayer.OutputChannels;
        if (_silence.Length < length)
        {
            _silence = new short[length];
        }

        return _silence.AsSpan(0, length);
    }

    /// <inheritdoc/>
    public void Reset() => _decoder.Reset();

    /// <inheritdoc/>
    public void Dispose() => _decoder.Dispose();
}
