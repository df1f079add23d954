using System.Diagnostics;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Codecs.Jpeg;
using Parley.Media.H264;
using Parley.Media.Jpeg;

namespace Parley.Endpoint.Send;

/// <summary>
/// The video half of a sender: capture, encode (JPEG or H.264), packetize (RFC 2435 or RFC 6184) and send, on one
/// dedicated thread. RTP timestamps are the capture times at 90 kHz, so sender reports tie them to the wall clock.
/// </summary>
internal sealed class VideoTrackSender : IDisposable
{
    private readonly IVideoEncoder _encoder;
    private readonly JpegPacketizer? _jpeg;
    private readonly H264Packetizer? _h264;
    private readonly RtpPacketBatch _batch = new();
    private readonly uint _timestampBase = (uint)Random.Shared.NextInt64(0, uint.MaxValue);
    private readonly TaskCompletionSource<H264Parameters> _parameters = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SendMuting? _muting;
    private byte[] _black = [];
    private int _keyFrameRequested;

    public VideoTrackSender(SendOptions options, int mediaIndex)
    {
        uint ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        ushort sequence = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
        var format = options.VideoFormat;
        _muting = options.Muting;
        if (options.Video == SendVideoCodec.H264)
        {
            _encoder = new GstH264Encoder(new H264EncoderOptions
            {
                Width = format.Width,
                Height = format.Height,
                FramesPerSecond = format.FramesPerSecond,
                BitrateKbps = options.VideoBitrateKbps,
                KeyFrameInterval = options.KeyFrameInterval,
            });
            _h264 = new H264Packetizer(ssrc, H264Packetizer.DefaultPayloadType, sequence) { MaxPayloadSize = options.MaxPayloadSize };
            Track = new SenderTrack(mediaIndex, "video", H264Packetizer.ClockRate, ssrc);
        }
        else
        {
            _encoder = new JpegVideoEncoder(format.Width, format.Height, options.JpegQuality);
            _jpeg = new JpegPacketizer(ssrc, JpegPacketizer.StaticPayloadType, sequence) { MaxPayloadSize = options.MaxPayloadSize };
            Track = new SenderTrack(mediaIndex, "video", JpegPacketizer.ClockRate, ssrc);
            _parameters.SetResult(null!);
        }
    }

    public SenderTrack Track { get; }

    /// <summary>H.264 only: completes with the first key frame's SPS and PPS (for the SDP's sprop-parameter-sets).</summary>
    public Task<H264Parameters> Parameters => _parameters.Task;

    /// <summary>Asks for a key frame at the next captured frame (a receiver's PLI, or a new connection).</summary>
    public void RequestKeyFrame()
    {
        Track.KeyFrameRequests++;
        Interlocked.Exchange(ref _keyFrameRequested, 1);
    }

    public void Run(IMediaSource source, DateTime startUtc, RtspPublication publication, CancellationToken cancellationToken)
    {
        var encodeClock = new Stopwatch();
        while (!cancellationToken.IsCancellationRequested)
        {
            var captureStart = ThreadCpuTime.Now;
            if (!source.TryReadVideo(TimeSpan.FromMilliseconds(100), out var frame))
            {
                if (source.IsEndOfStream)
                {
                    return;
                }

                continue;
            }

            Track.CaptureTime += ThreadCpuTime.Now - captureStart;

            if (Interlocked.Exchange(ref _keyFrameRequested, 0) == 1)
            {
                _encoder.RequestKeyFrame();
            }

            encodeClock.Restart();
            _encoder.Encode(_muting is { Video: true } ? Black(frame.I420Data.Length, frame.Width, frame.Height) : frame.I420Data, frame.Timestamp);
            var wait = TimeSpan.FromMilliseconds(50);
            while (_encoder.TryReadAccessUnit(wait, out var accessUnit))
            {
                Track.EncodeTime += encodeClock.Elapsed;
                wait = TimeSpan.Zero;
                Send(accessUnit, startUtc, publication);
            }
        }
    }

    private void Send(EncodedVideoFrame accessUnit, DateTime startUtc, RtspPublication publication)
    {
        uint timestamp = unchecked(_timestampBase + (uint)(long)Math.Round(accessUnit.Timestamp.TotalSeconds * Track.ClockRate));
        var packetizeStart = ThreadCpuTime.Now;
        _batch.Clear();
        if (_h264 is not null)
        {
            if (accessUnit.IsKeyFrame && !_parameters.Task.IsCompleted)
            {
                TryPublishParameters(accessUnit.Data);
            }

            _h264.PacketizeAnnexB(accessUnit.Data, timestamp, _batch);
        }
        else if (!_jpeg!.TryPacketize(accessUnit.Data, timestamp, _batch, out _))
        {
            return;
        }

        var sendStart = ThreadCpuTime.Now;
        Track.PacketizeTime += sendStart - packetizeStart;
        Track.CountFrame(timestamp, startUtc + accessUnit.Timestamp);
        for (int i = 0; i < _batch.Count; i++)
        {
            var packet = _batch[i];
            Track.CountPacket(packet.Length - 12, publication.TrySendRtp(Track.MediaIndex, packet));
        }

        Track.SendTime += ThreadCpuTime.Now - sendStart;
    }

    // I420 black (ITU-R BT.601 studio range: Y 16, Cb and Cr 128), made once per frame size.
    private byte[] Black(int length, int width, int height)
    {
        if (_black.Length != length)
        {
            _black = new byte[length];
            _black.AsSpan(0, width * height).Fill(16);
            _black.AsSpan(width * height).Fill(128);
        }

        return _black;
    }

    private void TryPublishParameters(ReadOnlySpan<byte> accessUnit)
    {
        ReadOnlySpan<byte> sps = default, pps = default;
        foreach (var nal in AnnexB.EnumerateNalUnits(accessUnit))
        {
            switch ((H264NalUnitType)(nal[0] & 0x1F))
            {
                case H264NalUnitType.Sps when sps.IsEmpty:
                    sps = nal;
                    break;
                case H264NalUnitType.Pps when pps.IsEmpty:
                    pps = nal;
                    break;
            }
        }

        if (!sps.IsEmpty && !pps.IsEmpty)
        {
            _parameters.TrySetResult(H264Parameters.FromParameterSets(sps, pps));
        }
    }

    public void Dispose() => _encoder.Dispose();
}
