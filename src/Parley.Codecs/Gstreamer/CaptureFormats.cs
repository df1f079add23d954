namespace Parley.Codecs.Gstreamer;

/// <summary>Rotation applied to captured video, clockwise, before scaling (GStreamer <c>videoflip</c>).</summary>
public enum VideoRotation
{
    /// <summary>As captured.</summary>
    None = 0,

    /// <summary>90° clockwise (videoflip method=clockwise).</summary>
    Clockwise90 = 90,

    /// <summary>180° (videoflip method=rotate-180).</summary>
    Rotate180 = 180,

    /// <summary>90° counter-clockwise (videoflip method=counterclockwise).</summary>
    Clockwise270 = 270,
}

/// <summary>The raw video a source delivers: packed I420 at this size and rate, whatever the device produces.</summary>
/// <param name="Width">Output width in pixels (even), after rotation.</param>
/// <param name="Height">Output height in pixels (even), after rotation.</param>
/// <param name="FramesPerSecond">Output frame rate; frames are duplicated or dropped (videorate) to meet it.</param>
/// <param name="Rotation">Clockwise rotation of the captured picture.</param>
/// <param name="Mirror">Flip left-right (a selfie view), applied before rotation.</param>
public sealed record VideoCaptureFormat(int Width, int Height, int FramesPerSecond = 30, VideoRotation Rotation = VideoRotation.None, bool Mirror = false);

/// <summary>The raw audio a source delivers: interleaved S16LE at 48 kHz in blocks of a fixed duration.</summary>
/// <param name="Channels">1 or 2.</param>
/// <param name="BlockMilliseconds">Duration of each block read (20 ms matches an Opus frame).</param>
public sealed record AudioCaptureFormat(int Channels = 1, int BlockMilliseconds = 20)
{
    /// <summary>Sample rate in Hz (Opus and WebRTC's native rate).</summary>
    public const int SampleRate = 48000;

    /// <summary>Interleaved samples per block: 48 × BlockMilliseconds × Channels.</summary>
    public int SamplesPerBlock => SampleRate / 1000 * BlockMilliseconds * Channels;
}
