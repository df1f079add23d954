using System.Runtime.InteropServices;

namespace Parley.Codecs.Interop;

/// <summary>
/// P/Invoke declarations for libopus 1.3 (<c>libopus.so.0</c>), per opus.h / opus_defines.h.
/// </summary>
/// <remarks>
/// <c>opus_encoder_ctl</c> and <c>opus_decoder_ctl</c> are variadic C functions. .NET has no variadic
/// P/Invoke on Unix, so each argument shape the project uses gets its own fixed-arity binding: (handle, request),
/// (handle, request, int) and (handle, request, int*). That is sound on the targets Parley runs on: on x86_64
/// System V the variadic integer/pointer arguments travel in the same general-purpose registers as fixed ones
/// (the only difference, %al holding the count of vector registers, matters only to a callee that spills XMM
/// registers, which a non-zero garbage count makes it do harmlessly), and on Linux AArch64 (AAPCS64, a
/// Raspberry Pi) variadic arguments are passed exactly like fixed ones. Never bind a floating-point or
/// 64-bit-struct argument this way.
/// </remarks>
internal static partial class OpusNative
{
    public const string Library = "libopus.so.0";

    public const int OPUS_OK = 0;
    public const int OPUS_BAD_ARG = -1;
    public const int OPUS_BUFFER_TOO_SMALL = -2;
    public const int OPUS_INVALID_PACKET = -4;

    // CTL requests (opus_defines.h).
    public const int OPUS_SET_APPLICATION_REQUEST = 4000;
    public const int OPUS_GET_APPLICATION_REQUEST = 4001;
    public const int OPUS_SET_BITRATE_REQUEST = 4002;
    public const int OPUS_GET_BITRATE_REQUEST = 4003;
    public const int OPUS_SET_VBR_REQUEST = 4006;
    public const int OPUS_GET_VBR_REQUEST = 4007;
    public const int OPUS_SET_COMPLEXITY_REQUEST = 4010;
    public const int OPUS_GET_COMPLEXITY_REQUEST = 4011;
    public const int OPUS_SET_INBAND_FEC_REQUEST = 4012;
    public const int OPUS_GET_INBAND_FEC_REQUEST = 4013;
    public const int OPUS_SET_PACKET_LOSS_PERC_REQUEST = 4014;
    public const int OPUS_GET_PACKET_LOSS_PERC_REQUEST = 4015;
    public const int OPUS_SET_DTX_REQUEST = 4016;
    public const int OPUS_GET_DTX_REQUEST = 4017;
    public const int OPUS_GET_LOOKAHEAD_REQUEST = 4027;
    public const int OPUS_RESET_STATE = 4028;
    public const int OPUS_GET_LAST_PACKET_DURATION_REQUEST = 4039;

    [LibraryImport(Library)]
    public static partial nint opus_strerror(int error);

    [LibraryImport(Library)]
    public static partial nint opus_get_version_string();

    // OpusEncoder *opus_encoder_create(opus_int32 Fs, int channels, int application, int *error);
    [LibraryImport(Library)]
    public static partial OpusEncoderHandle opus_encoder_create(int fs, int channels, int application, out int error);

    [LibraryImport(Library)]
    public static partial void opus_encoder_destroy(nint st);

    // opus_int32 opus_encode(OpusEncoder *st, const opus_int16 *pcm, int frame_size, unsigned char *data,
    //                        opus_int32 max_data_bytes);
    [LibraryImport(Library)]
    public static partial int opus_encode(OpusEncoderHandle st, ref short pcm, int frameSize, ref byte data, int maxDataBytes);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl(OpusEncoderHandle st, int request);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl_set(OpusEncoderHandle st, int request, int value);

    [LibraryImport(Library, EntryPoint = "opus_encoder_ctl")]
    public static partial int opus_encoder_ctl_get(OpusEncoderHandle st, int request, out int value);

    // OpusDecoder *opus_decoder_create(opus_int32 Fs, int channels, int *error);
    [LibraryImport(Library)]
    public static partial OpusDecoderHandle opus_decoder_create(int fs, int channels, out int error);

    [LibraryImport(Library)]
    public static partial void opus_decoder_destroy(nint st);

    // int opus_decode(OpusDecoder *st, const unsigned char *data, opus_int32 len, opus_int16 *pcm,
    //                 int frame_size, int decode_fec);
    [LibraryImport(Library)]
    public static partial int opus_decode(OpusDecoderHandle st, ref byte data, int len, ref short pcm, int frameSize, int decodeFec);

    /// <summary>opus_decode with data = NULL: packet-loss concealment.</summary>
    [LibraryImport(Library, EntryPoint = "opus_decode")]
    public static partial int opus_decode_lost(OpusDecoderHandle st, nint data, int len, ref short pcm, int frameSize, int decodeFec);

    [LibraryImport(Library, EntryPoint = "opus_decoder_ctl")]
    public static partial int opus_decoder_ctl(OpusDecoderHandle st, int request);

    [LibraryImport(Library, EntryPoint = "opus_decoder_ctl")]
    public static partial int opus_decoder_ctl_get(OpusDecoderHandle st, int request, out int value);

    // int opus_packet_get_nb_samples(const unsigned char packet[], opus_int32 len, opus_int32 Fs);
    [LibraryImport(Library)]
    public static partial int opus_packet_get_nb_samples(ref byte packet, int len, int fs);

    /// <summary>The library's text for an <c>OPUS_*</c> error code.</summary>
    public static string GetError(int error) => Marshal.PtrToStringUTF8(opus_strerror(error)) ?? "unknown error";
}

/// <summary>Owns an <c>OpusEncoder*</c>; released with <c>opus_encoder_destroy</c>.</summary>
internal sealed class OpusEncoderHandle : SafeHandle
{
    /// <summary>Used by the marshaller for the pointer returned from <c>opus_encoder_create</c>.</summary>
    public OpusEncoderHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OpusNative.opus_encoder_destroy(handle);
        return true;
    }
}

/// <summary>Owns an <c>OpusDecoder*</c>; released with <c>opus_decoder_destroy</c>.</summary>
internal sealed class OpusDecoderHandle : SafeHandle
{
    /// <summary>Used by the marshaller for the pointer returned from <c>opus_decoder_create</c>.</summary>
    public OpusDecoderHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OpusNative.opus_decoder_destroy(handle);
        return true;
    }
}
