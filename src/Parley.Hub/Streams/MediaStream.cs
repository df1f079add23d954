using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Streams;

/// <summary>
/// A live stream on a path: one publisher, any number of readers. The publisher's packets enter through
/// <see cref="WriteRtp"/> and <see cref="WriteRtcp"/> (one thread at a time per stream, the publisher's receive
/// path); each is copied once into a pooled <see cref="MediaPacket"/> and offered to every reader's bounded queue.
/// </summary>
/// <remarks>
/// The readers array is copy-on-write: adding and removing readers swaps it under a lock, the packet path reads it
/// with a volatile read and takes no lock. Nothing on the packet path allocates.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A media stream is the field's term; it is not a System.IO.Stream.")]
public sealed class MediaStream
{
    /// <summary>Interval between receiver reports sent to the publisher on each track.</summary>
    public static readonly TimeSpan ReceiverReportInterval = TimeSpan.FromSeconds(1);

    private readonly MediaPacketPool _pool;
    private readonly TimeProvider _time;
    private readonly IStreamPublisher _publisher;
    private readonly long[] _nextReceiverReport;
    // Per track: 1 when a reader asked for a key frame; the publisher's receive path sends the PLI (its thread).
    private readonly int[] _keyFrameRequested;
    private readonly long[] _nextKeyFrameRequest;
    private long _keyFrameRequestsSent;
    private readonly byte[] _rtcpScratch = new byte[256];
    private readonly Lock _readersLock = new();
    private MediaStreamReader[] _readers = [];
    private readonly Lock _senderReportsLock = new();
    private readonly MediaPacket?[] _lastSenderReports;
    private long _malformedPackets;
    private long _packetsReceived;
    private long _bytesReceived;
    private bool _closed;

    /// <summary>Creates the stream for <paramref name="path"/> described by the publisher's SDP.</summary>
    public MediaStream(string path, SdpSession description, IStreamPublisher publisher, MediaPacketPool pool, TimeProvider time)
    {
        Path = path;
        Description = description;
        _publisher = publisher;
        _pool = pool;
        _time = time;
        var tracks = new MediaTrack[description.Media.Count];
        for (int i = 0; i < tracks.Length; i++)
        {
            tracks[i] = new MediaTrack(i, description.Media[i]);
        }

        Tracks = tracks;
        _lastSenderReports = new MediaPacket?[tracks.Length];
        _nextReceiverReport = new long[tracks.Length];
        _keyFrameRequested = new int[tracks.Length];
        _nextKeyFrameRequest = new long[tracks.Length];
    }

    /// <summary>Minimum time between two PLIs sent to the publisher on one track, however many readers ask.</summary>
    public static readonly TimeSpan KeyFrameRequestInterval = TimeSpan.FromSeconds(1);

    /// <summary>PLIs sent to the publisher on behalf of readers.</summary>
    public long KeyFrameRequestsSent => Interlocked.Read(ref _keyFrameRequestsSent);

    /// <summary>
    /// Asks the publisher for a key frame on <paramref name="trackIndex"/> (a reader's decoder lost its reference,
    /// e.g. a browser's PLI or FIR). Callable from any thread; the PLI (RFC 4585 §6.3.1) goes out on the publisher's
    /// receive path with its next packet, at most once per <see cref="KeyFrameRequestInterval"/>. Publishers that
    /// ignore RTCP feedback (ffmpeg) send the next key frame on their own schedule.
    /// </summary>
    public void RequestKeyFrame(int trackIndex)
    {
        if ((uint)trackIndex < (uint)_keyFrameRequested.Length)
        {
            Volatile.Write(ref _keyFrameRequested[trackIndex], 1);
        }
    }

    /// <summary>
    /// Reads an RTCP compound packet a reader sent on track <paramref name="trackIndex"/> and turns its key frame
    /// requests into <see cref="RequestKeyFrame"/>: a PLI for the track's SSRC (RFC 4585 §6.3.1) or a FIR (RFC 5104
    /// §4.3.1), on a video track. For readers that get the publisher's packets as they are (RTSP); other RTCP
    /// (receiver reports) and packets that do not parse are ignored. Allocates nothing.
    /// </summary>
    /// <returns>True when the packet asked for a key frame.</returns>
    public bool ReadReaderFeedback(int trackIndex, ReadOnlySpan<byte> compound)
    {
        if ((uint)trackIndex >= (uint)Tracks.Count || !Tracks[trackIndex].IsVideo)
        {
            return false;
        }

        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var packet))
        {
            if (RtcpFeedbackView.TryParse(packet, out var feedback)
                && (feedback.IsFullIntraRequest || (feedback.IsPictureLossIndication && feedback.MediaSsrc == Tracks[trackIndex].Ssrc)))
            {
                RequestKeyFrame(trackIndex);
                return true;
            }
        }

        return false;
    }

    /// <summary>The path, without leading or trailing slash.</summary>
    public string Path { get; }

    /// <summary>The publisher's session description (control attributes as the publisher sent them).</summary>
    public SdpSession Description { get; }

    /// <summary>The tracks, in SDP order.</summary>
    public IReadOnlyList<MediaTrack> Tracks { get; }

    /// <summary>The publisher.</summary>
    public IStreamPublisher Publisher => _publisher;

    /// <summary>Readers attached now.</summary>
    public int ReaderCount => Volatile.Read(ref _readers).Length;

    /// <summary>A snapshot of the readers attached now.</summary>
    public IReadOnlyList<MediaStreamReader> Readers => Volatile.Read(ref _readers);

    /// <summary>Packets from the publisher that were not valid RTP or RTCP, dropped.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformedPackets);

    /// <summary>RTP packets received from the publisher.</summary>
    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    /// <summary>RTP bytes (whole packets) received from the publisher.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Codecs of all tracks, for logs: "H264/90000, opus/48000/2".</summary>
    public string CodecSummary => string.Join(", ", Tracks.Select(t => t.CodecDescription));

    /// <summary>
    /// Takes one RTP packet from the publisher on <paramref name="trackIndex"/> and fans it out. Malformed packets
    /// are counted and dropped.
    /// </summary>
    public void WriteRtp(int trackIndex, ReadOnlySpan<byte> packet)
    {
        if ((uint)trackIndex >= (uint)Tracks.Count || packet.Length > MediaPacketPool.MaxPacketSize
            || !RtpPacketView.TryParse(packet, out var rtp))
        {
            Interlocked.Increment(ref _malformedPackets);
            return;
        }

        var track = Tracks[trackIndex];
        long now = _time.GetTimestamp();
        track.Statistics.Update(rtp.SequenceNumber, rtp.Timestamp, now, _time.TimestampFrequency, rtp.Payload.Length);
        track.Ssrc = rtp.Ssrc;
        track.LastSequenceNumber = rtp.SequenceNumber;
        track.LastTimestamp = rtp.Timestamp;
        track.HasPackets = true;
        if (rtp.Marker && track.IsVideo)
        {
            track.CountFrame();
        }
        Interlocked.Increment(ref _packetsReceived);
        Interlocked.Add(ref _bytesReceived, packet.Length);

        bool frameStart = Media.RtpFrameStart.IsStart(track.StartKind, rtp.Payload);
        FanOut(_pool.Rent(trackIndex, isRtcp: false, frameStart, packet), track);

        if (now >= _nextReceiverReport[trackIndex])
        {
            _nextReceiverReport[trackIndex] = now + (long)(ReceiverReportInterval.TotalSeconds * _time.TimestampFrequency);
            SendReceiverReport(track, now);
        }

        if (Volatile.Read(ref _keyFrameRequested[trackIndex]) != 0 && now >= _nextKeyFrameRequest[trackIndex])
        {
            Volatile.Write(ref _keyFrameRequested[trackIndex], 0);
            _nextKeyFrameRequest[trackIndex] = now + (long)(KeyFrameRequestInterval.TotalSeconds * _time.TimestampFrequency);
            SendPictureLossIndication(track);
        }
    }

    // RFC 4585 §6.1: feedback travels in a compound packet that starts with a report (RFC 3550 §6.1).
    private void SendPictureLossIndication(MediaTrack track)
    {
        int length = RtcpWriter.WriteReceiverReport(_rtcpScratch, ReceiverSsrc, []);
        length += RtcpWriter.WritePictureLossIndication(_rtcpScratch.AsSpan(length), ReceiverSsrc, track.Ssrc);
        _publisher.SendRtcp(track.Index, _rtcpScratch.AsSpan(0, length));
        Interlocked.Increment(ref _keyFrameRequestsSent);
    }

    /// <summary>
    /// Takes one RTCP compound packet from the publisher, remembers its sender report (for receiver reports) and
    /// relays it to readers, who need sender reports for lip sync (RFC 3550 §6.4.1).
    /// </summary>
    public void WriteRtcp(int trackIndex, ReadOnlySpan<byte> compound)
    {
        if ((uint)trackIndex >= (uint)Tracks.Count || compound.Length > MediaPacketPool.MaxPacketSize
            || !RtcpCompoundReader.IsValidCompound(compound))
        {
            Interlocked.Increment(ref _malformedPackets);
            return;
        }

        var track = Tracks[trackIndex];
        var reader = new RtcpCompoundReader(compound);
        bool hasSenderReport = false;
        while (reader.TryReadNext(out var rtcp))
        {
            if (rtcp.PacketType == RtcpPacketType.SenderReport && RtcpSenderReportView.TryParse(rtcp, out var sr))
            {
                hasSenderReport = true;
                track.LastSenderReportNtpMiddle = sr.NtpTimestamp.Middle32;
                track.LastSenderReportArrival = _time.GetTimestamp();
            }
        }

        var packet = _pool.Rent(trackIndex, isRtcp: true, isFrameStart: false, compound);
        if (hasSenderReport)
        {
            packet.AddRef();
            MediaPacket? previous;
            lock (_senderReportsLock)
            {
                previous = _lastSenderReports[trackIndex];
                _lastSenderReports[trackIndex] = packet;
            }

            previous?.Release();
        }

        FanOut(packet, track);
    }

    /// <summary>
    /// Gives a reader that just started the publisher's last sender report of every track, so it can map RTP time
    /// to the sender's clock (lip sync, RFC 3550 §6.4.1) at once instead of waiting for the next report (ffmpeg sends
    /// one every 5 s). Call once, after <see cref="AddReader"/>.
    /// </summary>
    public void OfferLastSenderReports(MediaStreamReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        for (int i = 0; i < Tracks.Count; i++)
        {
            MediaPacket? report;
            lock (_senderReportsLock)
            {
                report = _lastSenderReports[i];
                report?.AddRef();
            }

            if (report is null)
            {
                continue;
            }

            reader.Offer(report, Tracks[i].StartKind);
            if (reader.IsInline)
            {
                reader.AfterFanOut(report);
            }

            report.Release();
        }
    }

    private void FanOut(MediaPacket packet, MediaTrack track)
    {
        var readers = Volatile.Read(ref _readers);
        foreach (var reader in readers)
        {
            reader.Offer(packet, track.StartKind);
        }

        foreach (var reader in readers)
        {
            if (reader.IsInline)
            {
                reader.AfterFanOut(packet);
            }
        }

        packet.Release();
    }

    // RFC 3550 §6.4.2: one report block about the publisher's source, with LSR/DLSR from its last SR.
    private void SendReceiverReport(MediaTrack track, long now)
    {
        uint lsr = track.LastSenderReportNtpMiddle;
        uint dlsr = 0;
        if (lsr != 0)
        {
            // DLSR is in units of 1/65536 s.
            double delay = (now - track.LastSenderReportArrival) / (double)_time.TimestampFrequency;
            dlsr = (uint)Math.Min(uint.MaxValue, delay * 65536);
        }

        Span<RtcpReportBlock> blocks = [track.Statistics.CreateReportBlock(track.Ssrc, lsr, dlsr)];
        int length = RtcpWriter.WriteReceiverReport(_rtcpScratch, ReceiverSsrc, blocks);
        _publisher.SendRtcp(track.Index, _rtcpScratch.AsSpan(0, length));
    }

    /// <summary>SSRC the hub uses in its own RTCP toward publishers (RFC 3550 §8: random, per stream).</summary>
    public uint ReceiverSsrc { get; } = (uint)Random.Shared.Next() | 1u;

    /// <summary>
    /// Attaches a reader; it receives packets from the next frame start on, so a key frame is asked for on every
    /// video track that has start points (a WebRTC publisher sends one only when asked, RFC 4585 §6.3.1; others
    /// ignore the PLI and keep their own schedule). False if the stream ended.
    /// </summary>
    public bool AddReader(MediaStreamReader reader)
    {
        lock (_readersLock)
        {
            if (_closed)
            {
                return false;
            }

            _readers = [.. _readers, reader];
        }

        foreach (var track in Tracks)
        {
            if (track.IsVideo && track.StartKind != Media.FrameStartKind.AnyPacket)
            {
                RequestKeyFrame(track.Index);
            }
        }

        return true;
    }

    /// <summary>Detaches a reader and completes its queue. False when it was not attached.</summary>
    public bool RemoveReader(MediaStreamReader reader)
    {
        lock (_readersLock)
        {
            int index = Array.IndexOf(_readers, reader);
            if (index < 0)
            {
                return false;
            }

            _readers = [.. _readers.AsSpan(0, index), .. _readers.AsSpan(index + 1)];
        }

        reader.End([]);
        return true;
    }

    /// <summary>
    /// Ends the stream: every reader gets an RTCP BYE for each track (RFC 3550 §6.6) and then its queue completes,
    /// so each protocol closes cleanly after sending what was queued.
    /// </summary>
    public void Close()
    {
        MediaStreamReader[] readers;
        lock (_readersLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            readers = _readers;
            _readers = [];
        }

        var farewell = new MediaPacket[Tracks.Count];
        Span<byte> buffer = stackalloc byte[64];
        for (int i = 0; i < farewell.Length; i++)
        {
            // A compound packet starts with a report (RFC 3550 §6.1): an empty RR, then BYE for the source.
            int length = RtcpWriter.WriteReceiverReport(buffer, Tracks[i].Ssrc, []);
            Span<uint> ssrcs = [Tracks[i].Ssrc];
            length += RtcpWriter.WriteBye(buffer[length..], ssrcs, []);
            farewell[i] = _pool.Rent(i, isRtcp: true, isFrameStart: false, buffer[..length]);
        }

        foreach (var reader in readers)
        {
            reader.End(farewell);
        }

        foreach (var packet in farewell)
        {
            packet.Release();
        }

        lock (_senderReportsLock)
        {
            for (int i = 0; i < _lastSenderReports.Length; i++)
            {
                _lastSenderReports[i]?.Release();
                _lastSenderReports[i] = null;
            }
        }
    }
}
