using Parley.Codecs;
using Parley.Codecs.Opus;

namespace Parley.Endpoint.View;

/// <summary>
/// Opus (RFC 7587) for <see cref="AudioPlayer"/>: libopus decodes to 48 kHz stereo (downmixing or duplicating as
/// the packet needs), and conceals a missing frame with its PLC (RFC 6716 §4.4), which continues the signal.
/// </summary>
internal sealed class OpusFrameDecoder : IAudioFrameDecoder
{
    private const int ConcealmentGranule = 120; // libopus conceals in multiples of 2.5 ms
    private readonly OpusDecoder _decoder = new(AudioPlayer.OutputChannels);
    private readonly short[] _pcm = new short[OpusDecoder.MaxFrameSize * AudioPlayer.OutputChannels];

    /// <inheritdoc/>
    public bool TryDecode(ReadOnlySpan<byte> frame, int sampleCount, out ReadOnlySpan<short> pcm, out string? error)
    {
        try
        {
            int samples = _decoder.Decode(frame, _pcm, OpusDecoder.MaxFrameSize, decodeFec: false);
            pcm = _pcm.AsSpan(0, samples * AudioPlayer.OutputChannels);
            error = null;
            return true;
        }
        catch (CodecException e)
        {
            pcm = default;
            error = e.Message;
            return false;
        }
    }

    /// <inheritdoc/>
    public ReadOnlySpan<short> Conceal(int sampleCount)
    {
        int samples = Math.Max(ConcealmentGranule, sampleCount / ConcealmentGranule * ConcealmentGranule);
        int n = _decoder.Decode([], _pcm, Math.Min(samples, OpusDecoder.MaxFrameSize), decodeFec: false);
        return _pcm.AsSpan(0, n * AudioPlayer.OutputChannels);
    }

    /// <inheritdoc/>
    public void Reset() => _decoder.Reset();

    /// <inheritdoc/>
    public void Dispose() => _decoder.Dispose();
}
