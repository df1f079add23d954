using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Codecs.Synthetic;

namespace Parley.Endpoint.Send;

/// <summary>Builds the capture source a <see cref="SourceSpecification"/> names.</summary>
public static class MediaSourceFactory
{
    /// <summary>Creates (does not start) the source.</summary>
    /// <param name="specification">What to capture.</param>
    /// <param name="video">Size, rate and orientation wanted for video; null for no video.</param>
    /// <param name="audio">Channels wanted for audio (48 kHz, 20 ms blocks); null for no audio.</param>
    /// <param name="loop">Loop a file source at its end.</param>
    /// <exception cref="ArgumentException">The specification asks for video or audio from a part that gives none.</exception>
    /// <exception cref="CodecException">GStreamer or a needed element is missing.</exception>
    public static IMediaSource Create(SourceSpecification specification, VideoCaptureFormat? video, AudioCaptureFormat? audio, bool loop)
    {
        ArgumentNullException.ThrowIfNull(specification);
        var parts = specification.Parts;
        if (parts.Count == 2)
        {
            return new CompositeMediaSource(CreatePart(parts[0], video, null, loop), CreatePart(parts[1], null, audio, loop));
        }

        var part = parts[0];
        return CreatePart(part, part.GivesVideo ? video : null, part.GivesAudio ? audio : null, loop);
    }

    private static IMediaSource CreatePart(SourcePart part, VideoCaptureFormat? video, AudioCaptureFormat? audio, bool loop)
    {
        if (video is null && audio is null)
        {
            throw new ArgumentException($"the source {part.Kind} was asked for neither video nor audio");
        }

        return part.Kind switch
        {
            SourceKind.Test => new TestMediaSource(video?.Width ?? 0, video?.Height ?? 0, video?.FramesPerSecond ?? 30, audio?.Channels ?? 0),
            SourceKind.File => GstMediaSource.File(part.Argument!, video, audio, loop),
            SourceKind.V4l2 => GstMediaSource.V4l2(part.Argument!, video ?? throw new ArgumentException("a V4L2 camera gives video only")),
            SourceKind.Libcamera => GstMediaSource.Libcamera(part.Argument, video ?? throw new ArgumentException("libcamera gives video only")),
            SourceKind.Alsa => GstMediaSource.Alsa(part.Argument!, audio ?? throw new ArgumentException("an ALSA device gives audio only")),
            _ => GstMediaSource.Custom(part.Argument!),
        };
    }
}
