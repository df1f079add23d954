using System.Buffers.Binary;
using System.Text;
using Parley.Hub.Streams;
using Parley.Media.Aac;
using Parley.Media.H264;
using Parley.Media.Jpeg;
using Parley.Media.Mp4;
using Parley.Media.Opus;
using Parley.Media.Sync;
using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.Hub.Web;

/// <summary>
/// The browser side of one stream: a single reader that depacketizes once per stream (JPEG frames, H.264 access
/// units, Opus packets, AAC access units), muxes H.264 with Opus or AAC into fragmented MP4 once (<see cref="Mp4Muxer"/>), and hands the
/// same <see cref="WebFrame"/> to every <see cref="WebViewer"/>'s queue (DESIGN.md §3: protocols that need frames
/// depacketize once per stream, not once per reader).
/// </summary>
/// <remarks>
/// It runs on the publisher's thread (<see cref="DeliversInline"/>): depacketizing is a copy into a reused buffer,
/// cheaper than a thread hop per packet, and viewers' queues never wait. RTCP sender reports map each track's RTP
/// clock to the sender's wall clock, which every message carries as its capture time so players can show their
/// delay. The fMP4 timeline starts at the first sample the source sees (plus a few frames of headroom when the
/// H.264 SPS announces B-frames); each track starts at its own arrival time on it and then follows its RTP
/// timestamps exactly. RTP timestamps are presentation times; H.264 decode times come from
/// <see cref="H264DecodeTimestamps"/> and the difference goes into each sample's composition offset.
/// </remarks>
public sealed class StreamFrameSource : MediaStreamReader
{
    private const uint VideoTrackId = 1;
    private const uint AudioTrackId = 2;

    private readonly MediaStream _stream;
    private readonly TimeProvider _time;
    private readonly Lock _viewersLock = new();
    private readonly RtpClockMapping?[] _clocks;
    private readonly JpegDepacketizer? _jpeg;
    private readonly H264Depacketizer? _h264;
    private readonly OpusDepacketizer? _opus;
    private readonly AacDepacketizer? _aac;
    private readonly Mp4Muxer? _muxer;
    private readonly Mp4Track? _mp4Video;
    private readonly Mp4Track? _mp4Audio;
    private readonly TrackTimeline _videoTimeline;
    private readonly H264DecodeTimestamps? _decodeTimestamps;
    private readonly TrackTimeline _audioTimeline;
    private WebViewer[] _viewers = [];
    private WebFrame? _currentInit;
    private string? _mimeType;
    private bool _hasOrigin;
    private long _originMicroseconds;
    private bool _ended;
    private long _framesProduced;

    /// <summary>Creates the source for <paramref name="stream"/>; attach it with <c>PathManager.AddReaderAsync</c>.</summary>
    /// <exception cref="ArgumentException">The stream has nothing a browser plays (<see cref="WebPlaybackMode.None"/>).</exception>
    /// <param name="stream">The stream.</param>
    /// <param name="time">The clock.</param>
    /// <param name="webRtc">Whether the hub serves WHEP (<see cref="WebPlayback.For"/>).</param>
    public StreamFrameSource(MediaStream stream, TimeProvider time, bool webRtc = true)
        : base(stream.Tracks.Count, AcceptedTracks(stream, webRtc), queueCapacity: 1)
    {
        _stream = stream;
        _time = time;
        Playback = WebPlayback.For(stream, webRtc);
        if (Playback.Mode == WebPlaybackMode.None)
        {
            throw new ArgumentException($"stream '{stream.Path}' ({stream.CodecSummary}) has no track a browser plays", nameof(stream));
        }

        if (Playback.Mode == WebPlaybackMode.WebRtc)
        {
            // The browser plays over WHEP: this source takes no packets and only ends with the stream.
            _clocks = [];
            _videoTimeline = new TrackTimeline(Mp4Track.VideoTimescale);
            _audioTimeline = new TrackTimeline(Mp4Track.OpusTimescale);
            return;
        }

        _clocks = new RtpClockMapping?[stream.Tracks.Count];
        foreach (int index in (int[])[Playback.VideoTrack, Playback.AudioTrack])
        {
            if (index >= 0)
            {
                var track = stream.Tracks[index];
                _clocks[index] = new RtpClockMapping(track.ClockRate > 0 ? track.ClockRate : 90000);
            }
        }

        _videoTimeline = new TrackTimeline(Mp4Track.VideoTimescale);
        Mpeg4GenericParameters? aac = null;
        if (Playback.AudioTrack >= 0 && WebPlayback.TryGetAacParameters(stream.Tracks[Playback.AudioTrack], out aac))
        {
            _aac = new AacDepacketizer(aac);
        }
        else if (Playback.AudioTrack >= 0)
        {
            _opus = new OpusDepacketizer();
        }

        // AAC's RTP clock is its sample rate (RFC 3640 §4.1), which is also its MP4 timescale.
        _audioTimeline = new TrackTimeline(_aac is not null ? (uint)stream.Tracks[Playback.AudioTrack].ClockRate : Mp4Track.OpusTimescale);

        if (Playback.Mode == WebPlaybackMode.Jpeg)
        {
            _jpeg = Playback.VideoTrack >= 0 ? new JpegDepacketizer() : null;
            return;
        }

        _h264 = new H264Depacketizer();
        var video = stream.Tracks[Playback.VideoTrack];
        double rate = WebPlayback.SdpFrameRate(video);
        uint frameDuration = rate > 0 ? (uint)(Mp4Track.VideoTimescale / rate) : 3000;
        // Publishers that copy from a file (ffmpeg -c copy) send SPS and PPS only in the SDP (RFC 6184 §8.1), not in-band.
        var sdpSets = SdpParameterSets(video);
        _mp4Video = sdpSets is { } sets && Mp4Track.TryCreateH264(VideoTrackId, sets.Sps, sets.Pps, out var configured, frameDuration)
            ? configured!
            : Mp4Track.H264(VideoTrackId, frameDuration);
        _decodeTimestamps = new H264DecodeTimestamps(rate > 0 ? frameDuration : 0);
        if (sdpSets is { } known && H264SequenceParameterSet.TryParse(known.Sps, out var sdpSps))
        {
            _decodeTimestamps.Configure(sdpSps);
        }

        var tracks = new List<Mp4Track> { _mp4Video };
        if (aac is not null)
        {
            var track = stream.Tracks[Playback.AudioTrack];
            _mp4Audio = Mp4Track.Aac(AudioTrackId, track.ClockRate, WebPlayback.AudioChannels(track), aac.AudioSpecificConfig.Span);
            tracks.Add(_mp4Audio);
        }
        else if (Playback.AudioTrack >= 0)
        {
            // A live stream starts mid-way: there is no encoder lookahead to skip.
            _mp4Audio = Mp4Track.Opus(AudioTrackId, WebPlayback.AudioChannels(stream.Tracks[Playback.AudioTrack]), preSkip: 0);
            tracks.Add(_mp4Audio);
        }

        _muxer = new Mp4Muxer(tracks);
    }

    /// <summary>The stream this source reads.</summary>
    public MediaStream Stream => _stream;

    /// <summary>Which tracks go to browsers, and how.</summary>
    public WebPlayback Playback { get; }

    /// <summary>The MSE MIME type with codecs (RFC 6381) once the init segment is known; null in JPEG mode or before.</summary>
    public string? MimeType => Volatile.Read(ref _mimeType);

    /// <summary>Width in pixels of the newest video frame (JPEG header or H.264 SPS); 0 before the first.</summary>
    public int VideoWidth => _jpeg?.LastFrameWidth ?? _mp4Video?.Width ?? 0;

    /// <summary>Height in pixels of the newest video frame; 0 before the first.</summary>
    public int VideoHeight => _jpeg?.LastFrameHeight ?? _mp4Video?.Height ?? 0;

    /// <summary>Viewers attached now.</summary>
    public int ViewerCount => Volatile.Read(ref _viewers).Length;

    /// <summary>Messages (frames, packets, segments) built so far, once each for all viewers.</summary>
    public long FramesProduced => Interlocked.Read(ref _framesProduced);

    /// <summary>Completes when the stream ended or the source was detached; every viewer's queue is then complete.</summary>
    public Task Completion => Queue.Completion;

    /// <inheritdoc/>
    public override string Description => $"web ({Playback.Mode}, {ViewerCount} viewer(s))";

    /// <inheritdoc/>
    protected override bool DeliversInline => true;

    /// <summary>Adds a viewer; it starts at the next key frame. False when the stream has ended.</summary>
    public bool AddViewer(WebViewer viewer)
    {
        lock (_viewersLock)
        {
            if (_ended)
            {
                return false;
            }

            _viewers = [.. _viewers, viewer];
            return true;
        }
    }

    /// <summary>Removes a viewer and completes its queue; returns how many viewers are left.</summary>
    public int RemoveViewer(WebViewer viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        int left;
        lock (_viewersLock)
        {
            int index = Array.IndexOf(_viewers, viewer);
            if (index >= 0)
            {
                _viewers = [.. _viewers.AsSpan(0, index), .. _viewers.AsSpan(index + 1)];
            }

            left = _viewers.Length;
        }

        viewer.Complete();
        return left;
    }

    /// <summary>Called by <see cref="WebSourceRegistry"/> when the stream ended: completes every viewer's queue.</summary>
    internal void CompleteViewers()
    {
        WebViewer[] viewers;
        lock (_viewersLock)
        {
            _ended = true;
            viewers = _viewers;
            _viewers = [];
        }

        foreach (var viewer in viewers)
        {
            viewer.Complete();
        }
    }

    /// <inheritdoc/>
    protected override bool TryDeliver(MediaPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (packet.IsRtcp)
        {
            ReadSenderReports(packet.TrackIndex, packet.Span);
            return true;
        }

        if (!RtpPacketView.TryParse(packet.Span, out var rtp))
        {
            return false;
        }

        long arrival = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        if (packet.TrackIndex == Playback.VideoTrack)
        {
            if (_jpeg is not null)
            {
                if (_jpeg.Push(rtp, out var jpeg))
                {
                    Broadcast(BuildFrame(WebMessageKind.Jpeg, packet.TrackIndex, rtp.Timestamp, arrival, 0, jpeg, isKey: true, isAudio: false));
                }
            }
            else if (_h264 is not null && _h264.Push(rtp))
            {
                WriteVideoSegment(packet.TrackIndex, arrival);
            }
        }
        else if (packet.TrackIndex == Playback.AudioTrack && _opus is not null && _opus.TryDepacketize(rtp, out var opus))
        {
            if (_muxer is null)
            {
                Broadcast(BuildFrame(WebMessageKind.Opus, packet.TrackIndex, opus.Timestamp, arrival, 0, opus.Payload, isKey: true, isAudio: true));
            }
            else
            {
                WriteAudioSegment(packet.TrackIndex, opus.Timestamp, opus.Payload, [opus.Payload.Length], arrival);
            }
        }
        else if (packet.TrackIndex == Playback.AudioTrack && _aac is not null && _aac.Push(rtp, out var aacUnits))
        {
            WriteAudioSegment(packet.TrackIndex, aacUnits.Timestamp, aacUnits.Data, aacUnits.Sizes, arrival);
        }

        return true;
    }

    // RTP carries presentation time (RFC 6184 §5.1); with B-frames the decode time differs, and the sample's
    // composition offset carries the difference.
    private void WriteVideoSegment(int trackIndex, long arrival)
    {
        var accessUnit = _h264!.AccessUnit;
        int size = Mp4Muxer.MeasureH264(accessUnit);
        ConfigureDecodeTimestamps(accessUnit);
        uint timestamp = _h264.Timestamp;
        long presentationTime = _videoTimeline.DecodeTime(timestamp, arrival, Origin(arrival));
        var frame = WebFrame.Rent(WebMessage.HeaderLength + Math.Max(size, 1));
        long decodeTime = size == 0 ? presentationTime : _decodeTimestamps!.Next(presentationTime);
        int compositionOffset = (int)Math.Clamp(presentationTime - decodeTime, int.MinValue, int.MaxValue);
        if (size == 0 || !_muxer!.TryWriteH264(_mp4Video!, accessUnit, decodeTime, frame.Writable[WebMessage.HeaderLength..], out var info, compositionOffset))
        {
            // Parameter sets alone still configure the track; nothing to send.
            frame.Release();
            return;
        }

        if (info.InitSegmentChanged || _currentInit is null)
        {
            PublishInitSegment(trackIndex, timestamp, arrival);
        }

        WriteHeader(frame, WebMessageKind.Mp4Media, trackIndex, timestamp, arrival, MediaMicroseconds(presentationTime, Mp4Track.VideoTimescale), info.IsSyncSample, isAudio: false);
        Broadcast(frame.Seal(WebMessage.HeaderLength + info.Length, WebMessageKind.Mp4Media, info.IsSyncSample, isAudio: false));
    }

    // An in-band SPS (at each key frame) states the reorder depth; parsing a few dozen bytes per key frame is nothing.
    private void ConfigureDecodeTimestamps(ReadOnlySpan<byte> accessUnit)
    {
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(accessUnit))
        {
            if ((H264NalUnitType)(nal[0] & 0x1F) == H264NalUnitType.Sps && H264SequenceParameterSet.TryParse(nal, out var sps))
            {
                _decodeTimestamps!.Configure(sps);
            }
        }
    }

    // Opus: one packet; AAC: the access units of one RTP packet, one segment for all of them.
    private void WriteAudioSegment(int trackIndex, uint timestamp, ReadOnlySpan<byte> frames, ReadOnlySpan<int> frameSizes, long arrival)
    {
        if (_currentInit is null)
        {
            // No init segment before the first video key frame: viewers could not use audio yet.
            return;
        }

        long decodeTime = _audioTimeline.DecodeTime(timestamp, arrival, Origin(arrival));
        var frame = WebFrame.Rent(WebMessage.HeaderLength + Mp4Muxer.MeasureAudio(frames.Length, frameSizes.Length));
        if (!_muxer!.TryWriteAudio(_mp4Audio!, frames, frameSizes, decodeTime, frame.Writable[WebMessage.HeaderLength..], out var info))
        {
            frame.Release();
            return;
        }

        WriteHeader(frame, WebMessageKind.Mp4Media, trackIndex, timestamp, arrival, MediaMicroseconds(decodeTime, _mp4Audio!.Timescale), isKey: true, isAudio: true);
        Broadcast(frame.Seal(WebMessage.HeaderLength + info.Length, WebMessageKind.Mp4Media, isKeyFrame: true, isAudio: true));
    }

    // A new init segment is rare (start, SPS/PPS change): it may allocate.
    private void PublishInitSegment(int trackIndex, uint timestamp, long arrival)
    {
        byte[] init = _muxer!.CreateInitSegment();
        string mime = _muxer.MimeType;
        int mimeLength = Encoding.UTF8.GetByteCount(mime);
        var frame = WebFrame.Rent(WebMessage.HeaderLength + 2 + mimeLength + init.Length);
        var span = frame.Writable;
        WriteHeader(frame, WebMessageKind.Mp4Init, trackIndex, timestamp, arrival, 0, isKey: true, isAudio: false);
        BinaryPrimitives.WriteUInt16BigEndian(span[WebMessage.HeaderLength..], (ushort)mimeLength);
        Encoding.UTF8.GetBytes(mime, span[(WebMessage.HeaderLength + 2)..]);
        init.CopyTo(span[(WebMessage.HeaderLength + 2 + mimeLength)..]);
        frame.Seal(WebMessage.HeaderLength + 2 + mimeLength + init.Length, WebMessageKind.Mp4Init, isKeyFrame: true, isAudio: false);

        // The previous init segment may still sit in viewers' queues; they hold their own references.
        _currentInit?.Release();
        _currentInit = frame;
        Volatile.Write(ref _mimeType, mime);
        foreach (var viewer in Volatile.Read(ref _viewers))
        {
            viewer.InitChanged();
        }
    }

    private WebFrame BuildFrame(WebMessageKind kind, int trackIndex, uint timestamp, long arrival, long mediaTime, ReadOnlySpan<byte> payload, bool isKey, bool isAudio)
    {
        var frame = WebFrame.Rent(WebMessage.HeaderLength + payload.Length);
        WriteHeader(frame, kind, trackIndex, timestamp, arrival, mediaTime, isKey, isAudio);
        payload.CopyTo(frame.Writable[WebMessage.HeaderLength..]);
        return frame.Seal(WebMessage.HeaderLength + payload.Length, kind, isKey, isAudio);
    }

    private void WriteHeader(WebFrame frame, WebMessageKind kind, int trackIndex, uint timestamp, long arrival, long mediaTime, bool isKey, bool isAudio)
    {
        long capture = _clocks[trackIndex] is { } clock && clock.TryGetWallClock(timestamp, out var wallClock)
            ? (wallClock - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond
            : arrival;
        byte flags = (byte)((isKey ? WebMessage.KeyFrameFlag : 0) | (isAudio ? WebMessage.AudioFlag : 0));
        WebMessage.WriteHeader(frame.Writable, kind, flags, trackIndex, timestamp, capture, arrival, mediaTime);
    }

    private void Broadcast(WebFrame frame)
    {
        Interlocked.Increment(ref _framesProduced);
        bool hasVideo = Playback.VideoTrack >= 0;
        var init = _currentInit;
        foreach (var viewer in Volatile.Read(ref _viewers))
        {
            viewer.Offer(frame, init, hasVideo);
        }

        frame.Release();
    }

    private void ReadSenderReports(int trackIndex, ReadOnlySpan<byte> compound)
    {
        if (_clocks[trackIndex] is not { } clock)
        {
            return;
        }

        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var rtcp))
        {
            if (rtcp.PacketType == RtcpPacketType.SenderReport && RtcpSenderReportView.TryParse(rtcp, out var report))
            {
                clock.Update(report);
            }
        }
    }

    // The timeline starts a few frames above zero when B-frames are expected, so the first decode times, which lie
    // before the first presentation time, are not negative; every track shares the lead, so A/V sync is kept.
    private long Origin(long arrival)
    {
        if (!_hasOrigin)
        {
            _hasOrigin = true;
            long lead = _decodeTimestamps is { } dts ? (dts.StartupLead * 1_000_000) + Mp4Track.VideoTimescale - 1 : 0;
            _originMicroseconds = arrival - (lead / Mp4Track.VideoTimescale);
        }

        return _originMicroseconds;
    }

    private static long MediaMicroseconds(long decodeTime, uint timescale) => decodeTime * 1_000_000 / timescale;

    private static (byte[] Sps, byte[] Pps)? SdpParameterSets(MediaTrack track) =>
        int.TryParse(track.Media.Formats.FirstOrDefault(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int payloadType)
        && H264Parameters.TryParse(track.Media.GetFormatParameterMap(payloadType), out var parameters)
        && !parameters.Sps.IsEmpty && !parameters.Pps.IsEmpty
            ? (parameters.Sps.ToArray(), parameters.Pps.ToArray())
            : null;

    private static bool[] AcceptedTracks(MediaStream stream, bool webRtc)
    {
        var playback = WebPlayback.For(stream, webRtc);
        var accepted = new bool[stream.Tracks.Count];
        if (playback.Mode == WebPlaybackMode.WebRtc)
        {
            return accepted;
        }

        foreach (int index in (int[])[playback.VideoTrack, playback.AudioTrack])
        {
            if (index >= 0)
            {
                accepted[index] = true;
            }
        }

        return accepted;
    }

    /// <summary>
    /// One track on the fMP4 timeline: it starts where its first sample arrived relative to the stream's origin
    /// and then advances by its unwrapped RTP timestamps, so decode times are exact and increase.
    /// </summary>
    private sealed class TrackTimeline(uint timescale)
    {
        private TimestampUnwrapper _unwrapper;
        private bool _started;
        private long _first;
        private long _offset;

        public long DecodeTime(uint timestamp, long arrivalMicroseconds, long originMicroseconds)
        {
            long unwrapped = _unwrapper.Unwrap(timestamp);
            if (!_started)
            {
                _started = true;
                _first = unwrapped;
                _offset = Math.Max(0, (arrivalMicroseconds - originMicroseconds) * timescale / 1_000_000);
            }

            return _offset + (unwrapped - _first);
        }
    }
}
