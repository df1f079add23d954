using Parley.Media.H264;
using Parley.Media.Jpeg;
using Parley.Media.Vp8;
using Parley.Rtp;

namespace Parley.Endpoint.View;

/// <summary>
/// Receives one video track: H.264 (RFC 6184), VP8 (RFC 7741) or JPEG (RFC 2435) frame assembly behind the common
/// receive path, and hands complete, decodable frames to a sink (recorder, decoder). For H.264 and VP8 a lost packet
/// drops the frames it touched and every frame after them until the next key frame, and asks the sender for one with RTCP PLI
/// (RFC 4585 §6.3.1) at most every <see cref="PictureLossInterval"/>. Key frames without in-band SPS/PPS get those
/// of the SDP's sprop-parameter-sets in front, so a decoder or file can start there.
/// </summary>
public sealed class VideoTrackReceiver : TrackReceiver
{
    /// <summary>The shortest time between two PLIs: a key frame takes the sender about a frame time plus a round trip.</summary>
    public static readonly TimeSpan PictureLossInterval = TimeSpan.FromMilliseconds(500);

    private static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    private readonly IVideoFrameSink _sink;
    private readonly H264Depacketizer? _h264;
    private readonly JpegDepacketizer? _jpeg;
    private readonly Vp8Depacketizer? _vp8;
    private byte[] _keyFrame = [];
    private bool _keyFrameRequested;
    private bool _receivedAny;
    private TimeSpan? _lastPictureLoss;
    private long _droppedSeen;

    /// <summary>Creates the receiver of an H.264, VP8 or JPEG track.</summary>
    /// <param name="track">The track; its codec must be H.264, VP8 or JPEG.</param>
    /// <param name="reorder">Run packets through a reorder buffer (UDP).</param>
    /// <param name="sink">Where complete frames go.</param>
    /// <param name="statistics">The run's counters for this track.</param>
    /// <param name="clock">The receiver's clock.</param>
    /// <param name="localSsrc">This receiver's SSRC in RTCP.</param>
    /// <exception cref="ArgumentException">The track is not video.</exception>
    public VideoTrackReceiver(ViewTrack track, bool reorder, IVideoFrameSink sink, TrackStatistics statistics, ViewClock clock, uint localSsrc)
        : base(track, reorder, statistics, clock, localSsrc)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        switch (track.Codec)
        {
            case ViewCodec.H264:
                _h264 = new H264Depacketizer();
                break;
            case ViewCodec.Jpeg:
                _jpeg = new JpegDepacketizer();
                break;
            case ViewCodec.Vp8:
                _vp8 = new Vp8Depacketizer();
                break;
            default:
                throw new ArgumentException($"{track.Codec} is not a video codec.", nameof(track));
        }
    }

    /// <summary>Frames handed to the sink.</summary>
    public long FramesDelivered { get; private set; }

    /// <summary>True while H.264 or VP8 frames are held back until a key frame (after loss, at the start, or on request).</summary>
    public bool WaitingForKeyFrame
    {
        get
        {
            lock (Gate)
            {
                return IsWaitingForKeyFrame;
            }
        }
    }

    private bool IsWaitingForKeyFrame => _jpeg is null && (NeedsKeyFrame || _keyFrameRequested);

    private bool NeedsKeyFrame => _h264?.NeedsKeyFrame ?? _vp8?.NeedsKeyFrame ?? false;

    /// <summary>
    /// Asks for a key frame from outside the packet path (the decoder failed, or a queue dropped a frame): a PLI goes
    /// out with the next feedback. Frames keep flowing to every sink; a sink that dropped one waits for the key frame
    /// itself, so a slow decoder never costs the recording a frame.
    /// </summary>
    public void RequestKeyFrame()
    {
        lock (Gate)
        {
            if (_jpeg is null)
            {
                _keyFrameRequested = true;
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnOrderedPacket(in RtpPacketView packet, int lostBefore, TimeSpan arrival)
    {
        _receivedAny = true;
        if (_jpeg is not null)
        {
            if (_jpeg.Push(packet, out var jpeg))
            {
                Hand(jpeg, packet.Timestamp, arrival, isKeyFrame: true);
            }

            CountDropped(_jpeg.FramesDropped);
            return;
        }

        if (_vp8 is not null)
        {
            bool complete = _vp8.Push(packet);
            CountDropped(_vp8.FramesDropped);
            if (complete)
            {
                HandUnlessBroken(_vp8.Frame, _vp8.Timestamp, arrival, _vp8.IsKeyFrame);
            }

            return;
        }

        if (!_h264!.Push(packet))
        {
            CountDropped(_h264.AccessUnitsDropped);
            return;
        }

        CountDropped(_h264.AccessUnitsDropped);
        HandUnlessBroken(WithParameterSets(_h264), _h264.Timestamp, arrival, _h264.IsKeyFrame);
    }

    /// <inheritdoc/>
    protected override bool WantsPictureLossIndication()
    {
        if (!_receivedAny || !IsWaitingForKeyFrame)
        {
            return false;
        }

        var now = Clock.Now;
        if (_lastPictureLoss is { } last && now - last < PictureLossInterval)
        {
            return false;
        }

        _lastPictureLoss = now;
        return true;
    }

    /// <inheritdoc/>
    protected override void ResetCodec()
    {
        _h264?.Reset();
        _jpeg?.Reset();
        _vp8?.Reset();
        _receivedAny = false;
        _lastPictureLoss = null;
    }

    private void HandUnlessBroken(ReadOnlySpan<byte> frame, uint timestamp, TimeSpan arrival, bool isKeyFrame)
    {
        if (isKeyFrame)
        {
            _keyFrameRequested = false;
        }

        if (NeedsKeyFrame)
        {
            // A frame that refers to one lost on the network: a decoder would show garbage until the next key frame.
            // (A key frame requested from outside, for a decoder's own drop, holds back nothing here: the recorder
            // still gets every frame; the renderer waits for the key frame by itself.)
            Statistics.OnFrameDropped();
            return;
        }

        Hand(frame, timestamp, arrival, isKeyFrame);
    }

    private void Hand(ReadOnlySpan<byte> data, uint timestamp, TimeSpan arrival, bool isKeyFrame)
    {
        FramesDelivered++;
        var frame = new ReceivedVideoFrame(data, Track.Codec, timestamp, Timeline.ToMediaTime(timestamp, arrival), arrival, isKeyFrame, Reporter.ClockMapping);
        _sink.OnVideoFrame(frame);
    }

    private void CountDropped(long total)
    {
        for (; _droppedSeen < total; _droppedSeen++)
        {
            Statistics.OnFrameDropped();
        }
    }

    private ReadOnlySpan<byte> WithParameterSets(H264Depacketizer depacketizer)
    {
        var accessUnit = depacketizer.AccessUnit;
        var parameters = Track.H264;
        if (!depacketizer.IsKeyFrame || !depacketizer.Sps.IsEmpty || parameters is null || parameters.Sps.IsEmpty || parameters.Pps.IsEmpty)
        {
            return accessUnit;
        }

        int length = (2 * StartCode.Length) + parameters.Sps.Length + parameters.Pps.Length + accessUnit.Length;
        if (_keyFrame.Length < length)
        {
            _keyFrame = new byte[Math.Max(length, _keyFrame.Length * 2)];
        }

        var span = _keyFrame.AsSpan();
        int at = 0;
        StartCode.CopyTo(span[at..]);
        at += StartCode.Length;
        parameters.Sps.Span.CopyTo(span[at..]);
        at += parameters.Sps.Length;
        StartCode.CopyTo(span[at..]);
        at += StartCode.Length;
        parameters.Pps.Span.CopyTo(span[at..]);
        at += parameters.Pps.Length;
        accessUnit.CopyTo(span[at..]);
        return span[..length];
    }
}
