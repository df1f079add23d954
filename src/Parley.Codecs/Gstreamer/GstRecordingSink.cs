using System.Globalization;
using Parley.Media.Vp8;

namespace Parley.Codecs.Gstreamer;

/// <summary>The file format of a recording.</summary>
public enum RecordingContainer
{
    /// <summary>Matroska (.mkv) via matroskamux: survives a crash up to the last cluster.</summary>
    Matroska,

    /// <summary>MP4 (ISO BMFF, .mp4) via mp4mux: the index is written at the end, so finish with EOS.</summary>
    Mp4,
}

/// <summary>The encoded video a recording carries.</summary>
public enum RecordedVideo
{
    /// <summary>No video track.</summary>
    None,

    /// <summary>H.264 access units in Annex B (as RTP depacketizers and GstH264Encoder give them).</summary>
    H264,

    /// <summary>JPEG frames (RTP/JPEG, RFC 2435, after reassembly).</summary>
    Jpeg,

    /// <summary>VP8 frames (RFC 6386, as RFC 7741 depacketizers give them); the size comes from the key frames.</summary>
    Vp8,
}

/// <summary>The encoded audio a recording carries (when it has an audio track).</summary>
public enum RecordedAudio
{
    /// <summary>Opus packets (RFC 6716), 48 kHz, 1 or 2 channels; through opusparse.</summary>
    Opus,

    /// <summary>G.711 μ-law bytes (PCMU, RFC 3551 §4.5.14), 8000 Hz, one channel; Matroska only (A_MS/ACM).</summary>
    Mulaw,

    /// <summary>G.711 A-law bytes (PCMA, RFC 3551 §4.5.14), 8000 Hz, one channel; Matroska only (A_MS/ACM).</summary>
    Alaw,
}

/// <summary>Settings for <see cref="GstRecordingSink"/>.</summary>
/// <param name="Path">The output file; created or overwritten.</param>
/// <param name="Container">Matroska or MP4.</param>
/// <param name="Video">The video track's codec, or None.</param>
/// <param name="AudioChannels">Channels of the audio track (Opus: 1 or 2; G.711: 1), or 0 for no audio.</param>
/// <param name="Audio">The audio track's codec (when <paramref name="AudioChannels"/> is not 0).</param>
public sealed record RecordingOptions(string Path, RecordingContainer Container, RecordedVideo Video, int AudioChannels = 0, RecordedAudio Audio = RecordedAudio.Opus);

/// <summary>
/// Records encoded media to a file without re-encoding: <c>appsrc ! parser ! queue ! mux ! filesink</c> per track.
/// </summary>
/// <remarks>
/// <para>Timestamps are whatever the caller's clock says (RTP time converted, or capture time); the muxer starts
/// the file at the earliest. <see cref="Complete"/> sends EOS on every track and waits until the muxer has
/// written its index; a file not completed is truncated (MP4 unplayable, Matroska readable up to the last
/// cluster). The muxer waits for data on every track, so write to each track you asked for.</para>
/// <para>Writes from one thread per track.</para>
/// </remarks>
public sealed class GstRecordingSink : IDisposable
{
    private const string VideoSource = "video";
    private const string AudioSource = "audio";
    private readonly GstPipeline _pipeline;
    private readonly GstAppSrc? _video;
    private readonly GstAppSrc? _audio;
    private (int Width, int Height) _vp8Size;

    /// <summary>Builds and starts the recording.</summary>
    /// <exception cref="ArgumentException">No track, a bad channel count, or VP8 or G.711 in MP4.</exception>
    /// <exception cref="CodecException">GStreamer or an element is missing, or the file cannot be opened.</exception>
    public GstRecordingSink(RecordingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Pipeline = BuildPipeline(options);
        _pipeline = new GstPipeline(Pipeline);
        try
        {
            _video = options.Video == RecordedVideo.None ? null : _pipeline.GetAppSrc(VideoSource);
            _audio = options.AudioChannels == 0 ? null : _pipeline.GetAppSrc(AudioSource);
            _pipeline.Play();
        }
        catch (CodecException e)
        {
            Dispose();
            throw new CodecException($"cannot record to {options.Path} ({e.LibraryMessage ?? e.Message})", e);
        }
    }

    /// <summary>The settings this recording was started with.</summary>
    public RecordingOptions Options { get; }

    /// <summary>The pipeline description in use.</summary>
    public string Pipeline { get; }

    /// <summary>The pipeline description for <paramref name="options"/> (pure).</summary>
    /// <exception cref="ArgumentException">No track, a bad channel count, or VP8 or G.711 in MP4.</exception>
    public static string BuildPipeline(RecordingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        int maxChannels = options.Audio == RecordedAudio.Opus ? 2 : 1;
        if (options.AudioChannels < 0 || options.AudioChannels > maxChannels)
        {
            throw new ArgumentException($"{options.Audio} channels must be 0 (no audio) up to {maxChannels}; got {options.AudioChannels}.", nameof(options));
        }

        if (options.AudioChannels > 0 && options.Audio != RecordedAudio.Opus && options.Container == RecordingContainer.Mp4)
        {
            throw new ArgumentException("GStreamer 1.22's mp4mux cannot carry G.711 (μ-law or A-law); record it to Matroska (.mkv).", nameof(options));
        }

        if (options.Video == RecordedVideo.None && options.AudioChannels == 0)
        {
            throw new ArgumentException("A recording needs a video or an audio track.", nameof(options));
        }

        if (options.Video == RecordedVideo.Vp8 && options.Container == RecordingContainer.Mp4)
        {
            throw new ArgumentException("GStreamer 1.22's mp4mux cannot carry VP8; record VP8 to Matroska (.mkv).", nameof(options));
        }

        string mux = options.Container switch
        {
            RecordingContainer.Matroska => "matroskamux",
            RecordingContainer.Mp4 => "mp4mux",
            _ => throw new ArgumentException($"Unknown container {options.Container}.", nameof(options)),
        };
        string text = $"{mux} name=mux ! filesink location={GstLaunch.Quote(Path.GetFullPath(options.Path))}";
        string? video = options.Video switch
        {
            RecordedVideo.None => null,
            RecordedVideo.H264 => "video/x-h264,stream-format=byte-stream,alignment=au ! h264parse",
            RecordedVideo.Jpeg => "image/jpeg,framerate=0/1 ! jpegparse",
            // No VP8 parser exists in GStreamer 1.22; WriteVideo adds width and height, which the muxers require,
            // from each key frame's header.
            RecordedVideo.Vp8 => "video/x-vp8",
            _ => throw new ArgumentException($"Unknown video codec {options.Video}.", nameof(options)),
        };
        if (video is not null)
        {
            text += $" appsrc name={VideoSource} format=time caps={video} ! queue ! mux.";
        }

        string? audio = options.AudioChannels == 0 ? null : options.Audio switch
        {
            RecordedAudio.Opus => $"audio/x-opus,rate=48000,channels={GstLaunch.Int(options.AudioChannels)},channel-mapping-family=0 ! opusparse",
            RecordedAudio.Mulaw => "audio/x-mulaw,rate=8000,channels=1",
            RecordedAudio.Alaw => "audio/x-alaw,rate=8000,channels=1",
            _ => throw new ArgumentException($"Unknown audio codec {options.Audio}.", nameof(options)),
        };
        if (audio is not null)
        {
            // Without a parser the queue's caps are still ANY when the pipeline is parsed, and "mux." would take
            // matroskamux's first request pad, a video one: name the audio pad template.
            string pad = options.Audio == RecordedAudio.Opus ? "mux." : "mux.audio_%u";
            text += $" appsrc name={AudioSource} format=time caps={audio} ! queue ! {pad}";
        }

        return text;
    }

    /// <summary>
    /// Writes one video frame: an H.264 access unit (Annex B), a JPEG or a VP8 frame, per <see cref="RecordingOptions.Video"/>.
    /// VP8 must start at a key frame: its header gives the track's size.
    /// </summary>
    /// <param name="frame">The encoded frame.</param>
    /// <param name="timestamp">Its presentation time.</param>
    /// <param name="isKeyFrame">Whether it decodes on its own (every JPEG does); indexes seek points.</param>
    /// <returns>False when the recording has no video track or is no longer running, or a VP8 track has no size yet.</returns>
    /// <exception cref="CodecException">The recording failed (disk full, bad data the parser rejected).</exception>
    public bool WriteVideo(ReadOnlySpan<byte> frame, TimeSpan timestamp, bool isKeyFrame)
    {
        if (_video is null)
        {
            return false;
        }

        if (Options.Video == RecordedVideo.Vp8 && !TrackVp8Size(frame))
        {
            return false;
        }

        return _video.Push(frame, timestamp.Ticks * 100, deltaUnit: !isKeyFrame);
    }

    /// <summary>Writes one audio packet of <see cref="RecordingOptions.Audio"/>'s codec: an Opus packet (RFC 6716) or G.711 bytes (one per sample).</summary>
    /// <param name="packet">The packet.</param>
    /// <param name="timestamp">Its presentation time.</param>
    /// <param name="duration">Audio it holds (usually 20 ms).</param>
    /// <returns>False when the recording has no audio track or is no longer running.</returns>
    /// <exception cref="CodecException">The recording failed.</exception>
    public bool WriteAudio(ReadOnlySpan<byte> packet, TimeSpan timestamp, TimeSpan duration) =>
        _audio is not null && _audio.Push(packet, timestamp.Ticks * 100, durationNs: duration.Ticks * 100);

    /// <summary>Ends every track and waits until the file is complete (index and headers written).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>False when the time ran out.</returns>
    /// <exception cref="CodecException">The recording failed.</exception>
    public bool Complete(TimeSpan timeout)
    {
        _video?.EndOfStream();
        _audio?.EndOfStream();
        return _pipeline.WaitForEndOfStream(timeout);
    }

    // A key frame with a new size renegotiates the track's caps; frames before the first key frame have no size.
    private bool TrackVp8Size(ReadOnlySpan<byte> frame)
    {
        if (Vp8FrameHeader.TryParse(frame, out var header) && header.IsKeyFrame && header.Width > 0 && header.Height > 0
            && (header.Width, header.Height) != _vp8Size)
        {
            _vp8Size = (header.Width, header.Height);
            _video!.SetCaps(string.Create(CultureInfo.InvariantCulture, $"video/x-vp8,width={header.Width},height={header.Height},framerate=0/1"));
        }

        return _vp8Size != default;
    }

    /// <summary>Stops the pipeline and closes the file (call <see cref="Complete"/> first for a valid file).</summary>
    public void Dispose()
    {
        _video?.Dispose();
        _audio?.Dispose();
        _pipeline.Dispose();
    }
}
