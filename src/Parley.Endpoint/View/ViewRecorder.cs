using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Media.Sync;

namespace Parley.Endpoint.View;

/// <summary>
/// Records the received encoded media to a Matroska (.mkv) or MP4 (.mp4) file without re-encoding, through
/// <see cref="GstRecordingSink"/>: H.264 access units, JPEG or VP8 frames (VP8 in Matroska only), and Opus packets or
/// G.711 bytes (G.711 in Matroska only), on the run's timeline
/// placed by the sender's capture clock (<see cref="RecordingClock"/>), so the file keeps the captured A/V offset.
/// Video starts at a key frame. A write the muxer refuses stops the recording
/// (logged once) rather than the viewing.
/// </summary>
public sealed class ViewRecorder : IVideoFrameSink, IAudioPacketSink, IDisposable
{
    private readonly GstRecordingSink _sink;
    private readonly ILogger _logger;
    private readonly Lock _videoGate = new();
    private readonly Lock _audioGate = new();
    private readonly RecordingClock _clock = new();
    private bool _videoStarted;
    private volatile bool _failed;

    /// <summary>Opens the file and starts the recording.</summary>
    /// <param name="path">The file; the container follows its extension (.mp4, else Matroska).</param>
    /// <param name="video">The video track recorded, or null.</param>
    /// <param name="audio">The Opus, PCMU or PCMA track recorded, or null.</param>
    /// <param name="logger">Where a failure is reported; null logs nothing.</param>
    /// <exception cref="ArgumentException">Neither track.</exception>
    /// <exception cref="CodecException">The file cannot be written, GStreamer lacks a muxer, or VP8 or G.711 was asked for in MP4.</exception>
    public ViewRecorder(string path, ViewTrack? video, ViewTrack? audio, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var container = ContainerFor(path);
        var recordedVideo = video?.Codec switch
        {
            ViewCodec.H264 => RecordedVideo.H264,
            ViewCodec.Jpeg => RecordedVideo.Jpeg,
            ViewCodec.Vp8 => RecordedVideo.Vp8,
            _ => RecordedVideo.None,
        };
        if (recordedVideo == RecordedVideo.Vp8 && container == RecordingContainer.Mp4)
        {
            throw new CodecException($"cannot record the VP8 stream to {path}: GStreamer's MP4 muxer does not carry VP8. Record to a .mkv file instead.");
        }

        var recordedAudio = audio?.Codec switch
        {
            ViewCodec.Pcmu => RecordedAudio.Mulaw,
            ViewCodec.Pcma => RecordedAudio.Alaw,
            _ => RecordedAudio.Opus,
        };
        if (audio is not null && recordedAudio != RecordedAudio.Opus && container == RecordingContainer.Mp4)
        {
            throw new CodecException($"cannot record the {audio.CodecName} (G.711) audio to {path}: GStreamer's MP4 muxer does not carry G.711. Record to a .mkv file instead.");
        }

        int channels = audio is null ? 0 : recordedAudio == RecordedAudio.Opus ? Math.Clamp(audio.Channels, 1, 2) : 1;
        Options = new RecordingOptions(path, container, recordedVideo, channels, recordedAudio);
        _sink = new GstRecordingSink(Options);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>What is recorded where.</summary>
    public RecordingOptions Options { get; }

    /// <summary>Video frames written.</summary>
    public long VideoFrames { get; private set; }

    /// <summary>Audio packets (Opus packets or G.711 payloads) written.</summary>
    public long AudioPackets { get; private set; }

    /// <summary>The container a file name asks for: MP4 for .mp4/.m4v/.mov, Matroska otherwise.</summary>
    public static RecordingContainer ContainerFor(string path) =>
        Path.GetExtension(path).ToUpperInvariant() is ".MP4" or ".M4V" or ".MOV" ? RecordingContainer.Mp4 : RecordingContainer.Matroska;

    /// <inheritdoc/>
    public void OnVideoFrame(in ReceivedVideoFrame frame)
    {
        lock (_videoGate)
        {
            TimeSpan mediaTime = frame.MediaTime;
            if (frame.ClockMapping is { } mapping && !_clock.TryPlace(0, frame.RtpTimestamp, mapping, frame.Arrival, frame.MediaTime, out mediaTime))
            {
                _videoStarted = false; // what follows a gap must start at a key frame again
                return;
            }

            if (_failed || (!_videoStarted && !frame.IsKeyFrame))
            {
                return;
            }

            _videoStarted = true;
            try
            {
                if (_sink.WriteVideo(frame.Data, mediaTime, frame.IsKeyFrame))
                {
                    VideoFrames++;
                }
            }
            catch (CodecException e)
            {
                Fail(e);
            }
        }
    }

    /// <inheritdoc/>
    public void OnAudioPacket(ReadOnlySpan<byte> packet, TimeSpan mediaTime, TimeSpan duration, uint rtpTimestamp, TimeSpan arrival, RtpClockMapping clockMapping)
    {
        lock (_audioGate)
        {
            if (_failed || !_clock.TryPlace(1, rtpTimestamp, clockMapping, arrival, mediaTime, out mediaTime))
            {
                return;
            }

            try
            {
                if (_sink.WriteAudio(packet, mediaTime, duration))
                {
                    AudioPackets++;
                }
            }
            catch (CodecException e)
            {
                Fail(e);
            }
        }
    }

    /// <summary>Ends the tracks and waits until the file is complete (index written).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>False when it did not finish in time or had failed.</returns>
    public bool Complete(TimeSpan timeout)
    {
        lock (_videoGate)
        {
            lock (_audioGate)
            {
                try
                {
                    return _sink.Complete(timeout) && !_failed;
                }
                catch (CodecException e)
                {
                    Fail(e);
                    return false;
                }
            }
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _sink.Dispose();

    private void Fail(CodecException e)
    {
        _failed = true;
        _logger.LogError("parley view: recording to {Path} failed ({Message}); viewing continues without it.", Options.Path, e.Message);
    }
}
