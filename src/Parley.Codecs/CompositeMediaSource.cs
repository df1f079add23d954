namespace Parley.Codecs;

/// <summary>
/// Video from one source and audio from another (for example a V4L2 camera plus an ALSA microphone, or the test
/// pattern plus a real microphone), read as one <see cref="IMediaSource"/>. Each part keeps its own clock; their
/// timestamps both count from their own start, which <see cref="Start"/> makes nearly simultaneous.
/// </summary>
public sealed class CompositeMediaSource : IMediaSource
{
    private readonly IMediaSource _video;
    private readonly IMediaSource _audio;

    /// <summary>Combines <paramref name="video"/>'s video with <paramref name="audio"/>'s audio; owns both.</summary>
    /// <exception cref="ArgumentException">video has no video or audio has no audio.</exception>
    public CompositeMediaSource(IMediaSource video, IMediaSource audio)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(audio);
        if (!video.HasVideo || !audio.HasAudio)
        {
            throw new ArgumentException("The first source must give video and the second audio.");
        }

        _video = video;
        _audio = audio;
    }

    /// <inheritdoc/>
    public bool HasVideo => true;

    /// <inheritdoc/>
    public bool HasAudio => true;

    /// <inheritdoc/>
    public bool IsEndOfStream => _video.IsEndOfStream && _audio.IsEndOfStream;

    /// <inheritdoc/>
    public void Start()
    {
        _video.Start();
        _audio.Start();
    }

    /// <inheritdoc/>
    public bool TryReadVideo(TimeSpan timeout, out VideoFrame frame) => _video.TryReadVideo(timeout, out frame);

    /// <inheritdoc/>
    public bool TryReadAudio(TimeSpan timeout, out AudioFrame frame) => _audio.TryReadAudio(timeout, out frame);

    /// <inheritdoc/>
    public void Dispose()
    {
        _video.Dispose();
        _audio.Dispose();
    }
}
