using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Opus;
using Parley.Codecs.Synthetic;
using Parley.Hub.Configuration;
using Parley.Hub.Paths;
using Parley.Hub.Streams;
using Parley.Media.Jpeg;
using Parley.Media.Opus;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Demo;

/// <summary>
/// The built-in `demo` stream: a moving test pattern stamped with its frame number and capture time, as RTP/JPEG
/// (RFC 2435), and a 440 Hz tone with a 1 kHz beep each second, as Opus (RFC 7587), with RTCP sender reports mapping
/// both to the wall clock. Frames are made only while someone watches, so an idle hub costs nothing.
/// </summary>
public sealed class DemoPublisher : IStreamPublisher, IAsyncDisposable
{
    private const int VideoTrack = 0;
    private const int AudioTrack = 1;
    private const byte OpusPayloadType = 97;
    private const int AudioFrameSamples = 960; // 20 ms at 48 kHz

    private readonly HubOptions.DemoSection _options;
    private readonly PathManager _paths;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly StreamTrackSink _videoSink = new(VideoTrack);
    private Task _loop = Task.CompletedTask;
    private MediaStream? _stream;

    /// <summary>Creates the demo; it publishes on <see cref="HubOptions.DemoSection.Path"/> once started.</summary>
    public DemoPublisher(HubOptions.DemoSection options, PathManager paths, ILogger<DemoPublisher> logger)
    {
        _options = options;
        _paths = paths;
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Description => "built-in demo (JPEG + Opus)";

    /// <summary>The SDP the demo publishes: JPEG/90000 and opus/48000/2.</summary>
    public SdpSession CreateDescription()
    {
        string text = string.Join("\r\n",
            "v=0",
            "o=- 0 0 IN IP4 127.0.0.1",
            "s=Parley demo",
            "t=0 0",
            "m=video 0 RTP/AVP 26",
            "a=rtpmap:26 JPEG/90000",
            $"a=framerate:{_options.FrameRate}",
            $"a=x-dimensions:{_options.Width},{_options.Height}",
            "m=audio 0 RTP/AVP 97",
            "a=rtpmap:97 opus/48000/2",
            "a=fmtp:97 sprop-stereo=0;useinbandfec=1",
            "");
        return SdpSession.TryParse(text, out var sdp, out string? error) && sdp is not null
            ? sdp
            : throw new InvalidOperationException($"demo SDP does not parse: {error}");
    }

    /// <summary>Publishes the demo path and starts the generator loop.</summary>
    /// <exception cref="InvalidOperationException">The path is held by another publisher.</exception>
    public async Task StartAsync()
    {
        if (await _paths.ReserveAsync(_options.Path, this) != PublishReservation.Reserved)
        {
            throw new InvalidOperationException($"the demo path '{_options.Path}' is taken");
        }

        _stream = await _paths.StartStreamAsync(_options.Path, this, CreateDescription())
            ?? throw new InvalidOperationException($"the demo path '{_options.Path}' was taken");
        _videoSink.Stream = _stream;
        _loop = Task.Run(() => RunAsync(_stream, _stop.Token));
    }

    private async Task RunAsync(MediaStream stream, CancellationToken cancellationToken)
    {
        var pattern = new TestPatternGenerator(_options.Width, _options.Height, _options.FrameRate);
        var frame = new byte[pattern.FrameSize];
        using var jpeg = new TurboJpegEncoder(_options.Quality);
        var jpegBuffer = new byte[TurboJpegEncoder.GetMaxEncodedSize(_options.Width, _options.Height, JpegSubsampling.Yuv420)];
        var videoPacketizer = new JpegPacketizer(RandomSsrc(), initialSequenceNumber: (ushort)Random.Shared.Next());
        var tone = new ToneGenerator(channels: 1);
        using var opus = new OpusEncoder(channels: 1, OpusApplication.Audio) { Bitrate = 64000, InBandFec = true };
        var pcm = new short[AudioFrameSamples];
        var opusBuffer = new byte[OpusEncoder.MaxPacketSize];
        var audioPacketizer = new OpusPacketizer(RandomSsrc(), OpusPayloadType, (ushort)Random.Shared.Next());
        var audioPacket = new byte[audioPacketizer.HeaderLength + OpusEncoder.MaxPacketSize];
        var rtcp = new byte[128];

        var clock = Stopwatch.StartNew();
        long epochUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long frameNumber = 0;
        long audioSamples = 0;
        long nextReport = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                double elapsed = clock.Elapsed.TotalSeconds;
                long dueFrame = (long)(elapsed * _options.FrameRate);
                long dueSamples = (long)(elapsed * ToneGenerator.SampleRate) / AudioFrameSamples * AudioFrameSamples;
                if (stream.ReaderCount == 0)
                {
                    // Nobody watches: skip ahead in time, keep timestamps tied to the clock.
                    frameNumber = dueFrame;
                    audioPacketizer.Skip((int)(dueSamples - audioSamples));
                    audioSamples = dueSamples;
                    continue;
                }

                while (audioSamples < dueSamples)
                {
                    // Beeps on whole seconds of the capture wall clock, where the stamped video second rolls over.
                    tone.Position = (epochUnixMs * (ToneGenerator.SampleRate / 1000)) + audioSamples;
                    tone.Fill(pcm);
                    int length = opus.Encode(pcm, AudioFrameSamples, opusBuffer);
                    int packetLength = audioPacketizer.Packetize(opusBuffer.AsSpan(0, length), AudioFrameSamples, audioPacket);
                    stream.WriteRtp(AudioTrack, audioPacket.AsSpan(0, packetLength));
                    audioSamples += AudioFrameSamples;
                }

                if (frameNumber < dueFrame)
                {
                    frameNumber = dueFrame;
                    double captureSeconds = (double)frameNumber / _options.FrameRate;
                    pattern.Render(frameNumber, epochUnixMs + (long)(captureSeconds * 1000), frame);
                    int length = jpeg.EncodeI420(frame, _options.Width, _options.Height, jpegBuffer);
                    uint timestamp = (uint)(long)(captureSeconds * JpegPacketizer.ClockRate);
                    if (!videoPacketizer.TryPacketize(jpegBuffer.AsSpan(0, length), timestamp, _videoSink, out var error))
                    {
                        _logger.LogWarning("demo frame {Frame} not packetized: {Error}", frameNumber, error);
                    }
                }

                if (elapsed >= nextReport)
                {
                    nextReport = (long)elapsed + 1;
                    var now = NtpTimestamp.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(epochUnixMs).UtcDateTime.AddSeconds(elapsed));
                    SendSenderReport(stream, VideoTrack, videoPacketizer.Ssrc, now, (uint)(long)(elapsed * JpegPacketizer.ClockRate), rtcp);
                    SendSenderReport(stream, AudioTrack, audioPacketizer.Ssrc, now, (uint)(long)(elapsed * ToneGenerator.SampleRate), rtcp);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // RFC 3550 §6.4.1: maps the track's RTP clock to the wall clock so players can line audio up with video.
    private static void SendSenderReport(MediaStream stream, int track, uint ssrc, NtpTimestamp ntp, uint rtpTimestamp, byte[] buffer)
    {
        var source = stream.Tracks[track];
        int length = RtcpWriter.WriteSenderReport(buffer, ssrc, ntp, rtpTimestamp,
            (uint)source.Statistics.PacketsReceived, (uint)source.Statistics.BytesReceived, []);
        length += RtcpWriter.WriteSourceDescriptionCname(buffer.AsSpan(length), ssrc, "parley-demo"u8);
        stream.WriteRtcp(track, buffer.AsSpan(0, length));
    }

    private static uint RandomSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    /// <inheritdoc/>
    public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
    {
        // Receiver reports about our own generated media tell us nothing.
    }

    /// <inheritdoc/>
    public void Kick(string reason) => _stop.Cancel();

    /// <summary>Stops the generator and releases the path.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _paths.RemovePublisherAsync(_options.Path, this, "hub stopping");
        _stop.Dispose();
    }
}
