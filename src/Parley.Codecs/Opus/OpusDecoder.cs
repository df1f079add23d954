using System.Runtime.InteropServices;
using Parley.Codecs.Interop;

namespace Parley.Codecs.Opus;

/// <summary>
/// An Opus decoder (RFC 6716) over libopus: 48 kHz, 16-bit PCM, mono or interleaved stereo, with packet-loss
/// concealment and in-band FEC recovery. One instance per stream; not thread-safe. Decoding allocates nothing.
/// </summary>
public sealed class OpusDecoder : IDisposable
{
    /// <summary>The sampling rate of the PCM this decoder produces, in Hz.</summary>
    public const int SampleRate = 48000;

    /// <summary>The largest frame a packet can decode to: 120 ms at 48 kHz, in samples per channel.</summary>
    public const int MaxFrameSize = 5760;

    private readonly OpusDecoderHandle _handle;

    /// <summary>Creates a decoder.</summary>
    /// <param name="channels">1 (mono) or 2 (interleaved stereo) output channels.</param>
    /// <exception cref="ArgumentOutOfRangeException">channels is not 1 or 2.</exception>
    /// <exception cref="CodecException">libopus refused to create the decoder.</exception>
    public OpusDecoder(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 2);
        _handle = OpusNative.opus_decoder_create(SampleRate, channels, out int error);
        if (error != OpusNative.OPUS_OK || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw new CodecException("libopus", "opus_decoder_create", error, OpusNative.GetError(error));
        }

        Channels = channels;
    }

    /// <summary>The number of interleaved output channels (1 or 2).</summary>
    public int Channels { get; }

    /// <summary>The duration of the last decoded packet, in samples per channel (<c>OPUS_GET_LAST_PACKET_DURATION</c>).</summary>
    public int LastPacketDuration
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            int rc = OpusNative.opus_decoder_ctl_get(_handle, OpusNative.OPUS_GET_LAST_PACKET_DURATION_REQUEST, out int value);
            return rc == OpusNative.OPUS_OK ? value : throw new CodecException("libopus", "OPUS_GET_LAST_PACKET_DURATION", rc, OpusNative.GetError(rc));
        }
    }

    /// <summary>
    /// Decodes one Opus packet, conceals a lost one, or recovers a lost one from the next packet's FEC data.
    /// </summary>
    /// <param name="packet">
    /// The Opus packet. Empty means "this packet was lost": libopus runs packet-loss concealment (opus_decode
    /// with data = NULL) and synthesizes <paramref name="frameSize"/> samples.
    /// </param>
    /// <param name="pcm">Receives the samples, interleaved when stereo; at least frameSize × <see cref="Channels"/> long.</param>
    /// <param name="frameSize">
    /// Samples per channel that fit in pcm. For normal decoding any value ≥ the packet's duration
    /// (<see cref="MaxFrameSize"/> is always enough); for PLC and FEC it must be exactly the duration of the
    /// missing audio, a multiple of 2.5 ms (120 samples).
    /// </param>
    /// <param name="decodeFec">
    /// True to decode the in-band FEC copy of the <em>previous</em> (lost) frame carried in
    /// <paramref name="packet"/>; if the packet has none, libopus conceals instead.
    /// </param>
    /// <returns>Samples decoded per channel.</returns>
    /// <exception cref="ArgumentException">pcm is shorter than frameSize × Channels, or frameSize is not positive.</exception>
    /// <exception cref="CodecException">The packet is corrupt (<c>OPUS_INVALID_PACKET</c>) or frameSize too small (<c>OPUS_BUFFER_TOO_SMALL</c>).</exception>
    public int Decode(ReadOnlySpan<byte> packet, Span<short> pcm, int frameSize, bool decodeFec)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(frameSize, 0);
        if (pcm.Length < frameSize * Channels)
        {
            throw new ArgumentException($"pcm holds {pcm.Length} samples; {frameSize} samples of {Channels} channel(s) need {frameSize * Channels}.", nameof(pcm));
        }

        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int n = packet.IsEmpty
            ? OpusNative.opus_decode_lost(_handle, 0, 0, ref MemoryMarshal.GetReference(pcm), frameSize, decodeFec ? 1 : 0)
            : OpusNative.opus_decode(_handle, ref MemoryMarshal.GetReference(packet), packet.Length, ref MemoryMarshal.GetReference(pcm), frameSize, decodeFec ? 1 : 0);
        if (n < 0)
        {
            throw new CodecException("libopus", packet.IsEmpty ? "opus_decode (concealment)" : "opus_decode", n, OpusNative.GetError(n));
        }

        return n;
    }

    /// <summary>
    /// The number of samples per channel at 48 kHz that <paramref name="packet"/> decodes to
    /// (<c>opus_packet_get_nb_samples</c>, RFC 6716 §3.1), or -1 when the packet is malformed.
    /// </summary>
    public static int GetSampleCount(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return -1;
        }

        int n = OpusNative.opus_packet_get_nb_samples(ref MemoryMarshal.GetReference(packet), packet.Length, SampleRate);
        return n < 0 ? -1 : n;
    }

    /// <summary>Resets the decoder state (<c>OPUS_RESET_STATE</c>), for example after a stream restart.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int rc = OpusNative.opus_decoder_ctl(_handle, OpusNative.OPUS_RESET_STATE);
        if (rc != OpusNative.OPUS_OK)
        {
            throw new CodecException("libopus", "OPUS_RESET_STATE", rc, OpusNative.GetError(rc));
        }
    }

    /// <summary>Frees the native decoder.</summary>
    public void Dispose() => _handle.Dispose();
}
