namespace Parley.Codecs.Gstreamer;

/// <summary>
/// Pipeline descriptions for capture sources (pure functions). Every source ends in appsinks with the names
/// <see cref="VideoSinkName"/> (packed I420) and <see cref="AudioSinkName"/> (S16LE, 48 kHz), which is also the
/// contract for a user's custom pipeline.
/// </summary>
public static class GstSourcePipelines
{
    /// <summary>The appsink that delivers video: <c>appsink name=video</c>, caps video/x-raw,format=I420.</summary>
    public const string VideoSinkName = "video";

    /// <summary>The appsink that delivers audio: <c>appsink name=audio</c>, caps audio/x-raw,format=S16LE,rate=48000,layout=interleaved.</summary>
    public const string AudioSinkName = "audio";

    /// <summary>
    /// The video tail: convert, mirror and rotate (videoflip), scale, rate-adapt, I420 caps, appsink.
    /// </summary>
    /// <param name="format">The output geometry and rate.</param>
    /// <param name="sync">True to release frames at their timestamps (files); false for live devices.</param>
    /// <param name="drop">True to drop the oldest frames when the reader falls behind (real time); false to hold
    /// the pipeline back instead (every frame of a file read as fast as possible — then read every track).</param>
    /// <exception cref="ArgumentOutOfRangeException">Odd or non-positive size, or a rate outside 1..240.</exception>
    public static string VideoBranch(VideoCaptureFormat format, bool sync, bool drop = true)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (format.Width < 16 || format.Height < 16 || format.Width % 2 != 0 || format.Height % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(format), $"{format.Width}x{format.Height}: width and height must be even and at least 16.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(format.FramesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(format.FramesPerSecond, 240);
        string flips = (format.Mirror ? "videoflip method=horizontal-flip ! " : string.Empty) + format.Rotation switch
        {
            VideoRotation.None => string.Empty,
            VideoRotation.Clockwise90 => "videoflip method=clockwise ! ",
            VideoRotation.Rotate180 => "videoflip method=rotate-180 ! ",
            VideoRotation.Clockwise270 => "videoflip method=counterclockwise ! ",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format.Rotation, "Unknown rotation."),
        };
        return $"videoconvert ! {flips}videoscale ! videorate ! " +
            $"video/x-raw,format=I420,width={GstLaunch.Int(format.Width)},height={GstLaunch.Int(format.Height)},framerate={GstLaunch.Int(format.FramesPerSecond)}/1,pixel-aspect-ratio=1/1 ! " +
            $"appsink name={VideoSinkName} sync={Bool(sync)} max-buffers=4 drop={Bool(drop)}";
    }

    /// <summary>The audio tail: convert, resample to 48 kHz S16LE, split into fixed blocks, appsink.</summary>
    /// <param name="format">Channels and block duration.</param>
    /// <param name="sync">True to release blocks at their timestamps (files); false for live devices.</param>
    /// <param name="drop">As for <see cref="VideoBranch"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">Channels not 1 or 2, or a block outside 5..120 ms.</exception>
    public static string AudioBranch(AudioCaptureFormat format, bool sync, bool drop = true)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentOutOfRangeException.ThrowIfLessThan(format.Channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(format.Channels, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(format.BlockMilliseconds, 5);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(format.BlockMilliseconds, 120);
        return $"audioconvert ! audioresample ! audio/x-raw,format=S16LE,layout=interleaved,rate={GstLaunch.Int(AudioCaptureFormat.SampleRate)},channels={GstLaunch.Int(format.Channels)} ! " +
            $"audiobuffersplit output-buffer-duration={GstLaunch.Int(format.BlockMilliseconds)}/1000 ! " +
            $"appsink name={AudioSinkName} sync={Bool(sync)} max-buffers=50 drop={Bool(drop)}";
    }

    /// <summary>
    /// A media file decoded by uridecodebin, paced in real time (appsinks sync to the clock) or as fast as read.
    /// </summary>
    /// <param name="path">The file (any container and codec GStreamer decodes).</param>
    /// <param name="video">Video output, or null to ignore the file's video.</param>
    /// <param name="audio">Audio output, or null to ignore its audio.</param>
    /// <param name="realTime">True to deliver at the file's own pace (sync=true, dropping when the reader lags);
    /// false to deliver every buffer as fast as it decodes (the reader must then read every requested track).</param>
    /// <exception cref="ArgumentException">Neither video nor audio was asked for.</exception>
    public static string File(string path, VideoCaptureFormat? video, AudioCaptureFormat? audio, bool realTime = true)
    {
        RequireSomething(video, audio);
        // Each branch starts with its converter so uridecodebin's pads link by media type, not by order.
        string text = $"uridecodebin uri={GstLaunch.Quote(GstLaunch.FileUri(path))} name=decode";
        if (video is not null)
        {
            text += $" decode. ! videoconvert ! queue ! {VideoBranch(video, sync: realTime, drop: realTime)}";
        }

        if (audio is not null)
        {
            text += $" decode. ! audioconvert ! queue ! {AudioBranch(audio, sync: realTime, drop: realTime)}";
        }

        return text;
    }

    /// <summary>A V4L2 camera (USB webcam, Pi camera through the legacy stack); decodebin accepts MJPEG cameras.</summary>
    /// <param name="device">The device node, for example <c>/dev/video0</c>.</param>
    /// <param name="video">Output geometry and rate.</param>
    public static string V4l2(string device, VideoCaptureFormat video)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        return $"v4l2src device={GstLaunch.Quote(device)} do-timestamp=true ! decodebin ! {VideoBranch(video, sync: false)}";
    }

    /// <summary>A libcamera camera (Raspberry Pi camera modules); the ISP is asked for the pre-rotation size.</summary>
    /// <param name="cameraName">libcamera's camera id, or null for the first camera.</param>
    /// <param name="video">Output geometry and rate.</param>
    public static string Libcamera(string? cameraName, VideoCaptureFormat video)
    {
        ArgumentNullException.ThrowIfNull(video);
        bool sideways = video.Rotation is VideoRotation.Clockwise90 or VideoRotation.Clockwise270;
        (int w, int h) = sideways ? (video.Height, video.Width) : (video.Width, video.Height);
        string name = cameraName is null ? string.Empty : $" camera-name={GstLaunch.Quote(cameraName)}";
        return $"libcamerasrc{name} ! video/x-raw,width={GstLaunch.Int(w)},height={GstLaunch.Int(h)} ! {VideoBranch(video, sync: false)}";
    }

    /// <summary>An ALSA capture device (microphone).</summary>
    /// <param name="device">The ALSA device, for example <c>default</c>, <c>hw:1</c> or <c>plughw:1,0</c>.</param>
    /// <param name="audio">Output channels and block size.</param>
    public static string Alsa(string device, AudioCaptureFormat audio)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        return $"alsasrc device={GstLaunch.Quote(device)} ! {AudioBranch(audio, sync: false)}";
    }

    /// <summary>A camera and a microphone in one pipeline (both live, one clock, so timestamps are comparable).</summary>
    public static string Combine(string videoPipeline, string audioPipeline)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(videoPipeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(audioPipeline);
        return $"{videoPipeline} {audioPipeline}";
    }

    internal static void RequireSomething(VideoCaptureFormat? video, AudioCaptureFormat? audio)
    {
        if (video is null && audio is null)
        {
            throw new ArgumentException("A source needs video, audio or both.", nameof(video));
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
