using System.Runtime.InteropServices;
using Parley.Codecs.Interop;

namespace Parley.Codecs.Opus;

/// <summary>
/// An Opus encoder (RFC 6716) over libopus: 48 kHz, 16-bit PCM, mono or interleaved stereo. One instance per
/// stream; not thread-safe. <see cref="Encode"/> allocates nothing.
/// </summary>
/// <remarks>
/// RTP carries Opus with a 48 kHz clock whatever the audio bandwidth (RFC 7587 §4.1), so the encoder always runs
/// at 48 kHz. Settings map to <c>opus_encoder_ctl</c> requests and take effect from the next frame.
/// </remarks>
public sealed class OpusEncoder : IDisposable
{
    /// <summary>The sampling rate of the PCM this encoder takes, in Hz.</summary>
    public const int SampleRate = 48000;

    /// <summary>
    /// The recommended size of an output buffer, in bytes: enough for any single Opus packet (RFC 6716 §3.4
    /// bounds one frame to 1275 bytes; 120 ms packets of several frames stay below this).
    /// </summary>
    public const int MaxPacketSize = 4000;

    private readonly OpusEncoderHandle _handle;

    /// <summary>Creates an encoder.</summary>
    /// <param name="channels">1 (mono) or 2 (interleaved stereo).</param>
    /// <param name="application">The coding mode.</param>
    /// <exception cref="ArgumentOutOfRangeException">channels is not 1 or 2, or application is not defined.</exception>
    /// <exception cref="CodecException">libopus refused to create the encoder.</exception>
    /// <exception cref="DllNotFoundException">libopus.so.0 is not installed (Debian: <c>apt-get install libopus0</c>).</exception>
    public OpusEncoder(int channels, OpusApplication application = OpusApplication.Voip)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 2);
        if (!Enum.IsDefined(application))
        {
            throw new ArgumentOutOfRangeException(nameof(application), application, "Expected Voip, Audio or RestrictedLowDelay.");
        }

        _handle = OpusNative.opus_encoder_create(SampleRate, channels, (int)application, out int error);
        if (error != OpusNative.OPUS_OK || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw new CodecException("libopus", "opus_encoder_create", error, OpusNative.GetError(error));
        }

        Channels = channels;
        Application = application;
    }

    /// <summary>The number of interleaved channels in the PCM (1 or 2).</summary>
    public int Channels { get; }

    /// <summary>The coding mode chosen at construction.</summary>
    public OpusApplication Application { get; }

    /// <summary>
    /// Target bitrate in bit/s (useful range 6000..510000; libopus clamps positive values into 500..512000 ×
    /// channels), -1000 (<c>OPUS_AUTO</c>) to let libopus choose, or -1 (<c>OPUS_BITRATE_MAX</c>). Reading
    /// returns the bitrate libopus is using.
    /// </summary>
    /// <exception cref="CodecException">libopus rejected the value (<c>OPUS_BAD_ARG</c>: zero or another negative).</exception>
    public int Bitrate
    {
        get => Get(OpusNative.OPUS_GET_BITRATE_REQUEST, "OPUS_GET_BITRATE");
        set => Set(OpusNative.OPUS_SET_BITRATE_REQUEST, value, "OPUS_SET_BITRATE");
    }

    /// <summary>Computational complexity, 0 (fastest) to 10 (best quality).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0..10.</exception>
    public int Complexity
    {
        get => Get(OpusNative.OPUS_GET_COMPLEXITY_REQUEST, "OPUS_GET_COMPLEXITY");
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10);
            Set(OpusNative.OPUS_SET_COMPLEXITY_REQUEST, value, "OPUS_SET_COMPLEXITY");
        }
    }

    /// <summary>
    /// Variable bitrate (default true). Constant bitrate makes every packet of a frame size the same length.
    /// </summary>
    public bool Vbr
    {
        get => Get(OpusNative.OPUS_GET_VBR_REQUEST, "OPUS_GET_VBR") != 0;
        set => Set(OpusNative.OPUS_SET_VBR_REQUEST, value ? 1 : 0, "OPUS_SET_VBR");
    }

    /// <summary>
    /// In-band forward error correction (LBRR, RFC 6716 §2.1.7): each packet also carries a low-rate copy of the
    /// previous frame, which a decoder recovers with <see cref="OpusDecoder.Decode"/> and decodeFec = true. Only
    /// SILK frames (speech modes, lower bitrates) carry it; it takes effect together with
    /// <see cref="PacketLossPercent"/> &gt; 0.
    /// </summary>
    public bool InBandFec
    {
        get => Get(OpusNative.OPUS_GET_INBAND_FEC_REQUEST, "OPUS_GET_INBAND_FEC") != 0;
        set => Set(OpusNative.OPUS_SET_INBAND_FEC_REQUEST, value ? 1 : 0, "OPUS_SET_INBAND_FEC");
    }

    /// <summary>The packet loss the encoder should expect, in percent (0..100); drives FEC redundancy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0..100.</exception>
    public int PacketLossPercent
    {
        get => Get(OpusNative.OPUS_GET_PACKET_LOSS_PERC_REQUEST, "OPUS_GET_PACKET_LOSS_PERC");
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            Set(OpusNative.OPUS_SET_PACKET_LOSS_PERC_REQUEST, value, "OPUS_SET_PACKET_LOSS_PERC");
        }
    }

    /// <summary>
    /// Discontinuous transmission: during silence the encoder emits packets of 1 or 2 bytes that need not be
    /// sent (RFC 7587 §3.1.3); <see cref="Encode"/> still returns them so the caller can decide.
    /// </summary>
    public bool Dtx
    {
        get => Get(OpusNative.OPUS_GET_DTX_REQUEST, "OPUS_GET_DTX") != 0;
        set => Set(OpusNative.OPUS_SET_DTX_REQUEST, value ? 1 : 0, "OPUS_SET_DTX");
    }

    /// <summary>The encoder's algorithmic delay, in samples per channel at 48 kHz (<c>OPUS_GET_LOOKAHEAD</c>).</summary>
    public int Lookahead => Get(OpusNative.OPUS_GET_LOOKAHEAD_REQUEST, "OPUS_GET_LOOKAHEAD");

    /// <summary>True for the frame sizes Opus accepts at 48 kHz: 2.5, 5, 10, 20, 40 or 60 ms (120..2880 samples).</summary>
    /// <param name="frameSize">Samples per channel.</param>
    public static bool IsValidFrameSize(int frameSize) => frameSize is 120 or 240 or 480 or 960 or 1920 or 2880;

    /// <summary>The version string of the loaded libopus, for example <c>libopus 1.3.1</c>.</summary>
    public static string LibraryVersion => Marshal.PtrToStringUTF8(OpusNative.opus_get_version_string()) ?? "unknown";

    /// <summary>Encodes one frame of PCM into one Opus packet (RFC 6716 §3).</summary>
    /// <param name="pcm">
    /// At least <paramref name="frameSize"/> × <see cref="Channels"/> samples, interleaved when stereo.
    /// </param>
    /// <param name="frameSize">Samples per channel: 120, 240, 480, 960 (20 ms, the usual), 1920 or 2880.</param>
    /// <param name="output">Receives the packet; <see cref="MaxPacketSize"/> bytes is always enough.</param>
    /// <returns>The packet length in bytes; 1 or 2 during DTX silence.</returns>
    /// <exception cref="ArgumentException">frameSize is not an Opus frame size, or pcm is too short.</exception>
    /// <exception cref="CodecException">libopus failed, for example <c>OPUS_BUFFER_TOO_SMALL</c>.</exception>
    /// <exception cref="ObjectDisposedException">The encoder was disposed.</exception>
    public int Encode(ReadOnlySpan<short> pcm, int frameSize, Span<byte> output)
    {
        if (!IsValidFrameSize(frameSize))
        {
            throw new ArgumentException($"Opus frame size {frameSize} is not one of 120, 240, 480, 960, 1920, 2880 samples at 48 kHz.", nameof(frameSize));
        }

        if (pcm.Length < frameSize * Channels)
        {
            throw new ArgumentException($"pcm holds {pcm.Length} samples; a {frameSize}-sample frame of {Channels} channel(s) needs {frameSize * Channels}.", nameof(pcm));
        }

        if (output.IsEmpty)
        {
            throw new ArgumentException("The output buffer is empty; give it OpusEncoder.MaxPacketSize bytes.", nameof(output));
        }

        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int n = OpusNative.opus_encode(
            _handle,
            ref MemoryMarshal.GetReference(pcm),
            frameSize,
            ref MemoryMarshal.GetReference(output),
            output.Length);
        if (n < 0)
        {
            throw new CodecException("libopus", "opus_encode", n, OpusNative.GetError(n));
        }

        return n;
    }

    /// <summary>Resets the encoder to a freshly initialized state (<c>OPUS_RESET_STATE</c>), keeping settings.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int rc = OpusNative.opus_encoder_ctl(_handle, OpusNative.OPUS_RESET_STATE);
        if (rc != OpusNative.OPUS_OK)
        {
            throw new CodecException("libopus", "OPUS_RESET_STATE", rc, OpusNative.GetError(rc));
        }
    }

    /// <summary>Frees the native encoder.</summary>
    public void Dispose() => _handle.Dispose();

    private int Get(int request, string name)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int rc = OpusNative.opus_encoder_ctl_get(_handle, request, out int value);
        if (rc != OpusNative.OPUS_OK)
        {
            throw new CodecException("libopus", name, rc, OpusNative.GetError(rc));
        }

        return value;
    }

    private void Set(int request, int value, string name)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int rc = OpusNative.opus_encoder_ctl_set(_handle, request, value);
        if (rc != OpusNative.OPUS_OK)
        {
            throw new CodecException("libopus", $"{name}({value})", rc, OpusNative.GetError(rc));
        }
    }
}
