using System.Buffers.Binary;
using Parley.Media.H264;
using Parley.Media.Opus;

namespace Parley.Media.Mp4;

/// <summary>
/// Fragmented MP4 muxer for live streaming to Media Source Extensions: one per stream, its output shared by every
/// viewer. Writes an init segment (<see cref="CreateInitSegment"/>) and then one media segment (moof + mdat) per
/// video access unit or per batch of audio frames, into the caller's buffer, allocating nothing per segment.
/// </summary>
/// <remarks>
/// <para>Timing. Decode times are 64-bit, in each track's timescale, and must increase within a track; the caller
/// unwraps 32-bit RTP timestamps (<c>RtpTimestamp.Distance</c>) and puts audio and video on one timeline (RTCP SR).
/// tfdt carries each segment's exact decode time, so a sample's duration only says how long it lasts if nothing
/// follows. A frame's real duration is known only when the next frame arrives; waiting for it would add a frame of
/// latency, so video samples are written at once with the previous frame interval (the first with
/// <see cref="Mp4Track.NominalSampleDuration"/>; intervals over one second, such as a paused source, are not
/// learned). The next segment's tfdt corrects any error. Audio durations are exact: from the Opus TOC
/// (RFC 6716 §3.1) or 1024 samples per AAC frame.</para>
/// <para>H.264 samples are AVCC (ISO/IEC 14496-15 §5.3.2: 4-byte big-endian length before each NAL unit). Access
/// unit delimiters, SPS and PPS are left out of samples: parameter sets live in avcC, and a change of either makes
/// <see cref="Mp4SegmentInfo.InitSegmentChanged"/> true so the sender sends a new init segment first (MSE accepts
/// a new init segment between media segments).</para>
/// <para>Not thread-safe: the stream's single owner loop calls it. Wire input never throws: a malformed access unit
/// or a decode time that goes backwards is refused (false) and counted in <see cref="MalformedSamples"/>.</para>
/// </remarks>
public sealed class Mp4Muxer
{
    private const int NalTypeIdr = 5;
    private const int NalTypeSps = 7;
    private const int NalTypePps = 8;
    private const int NalTypeAud = 9;
    private const int NalLengthSize = 4;

    private readonly TrackState[] _states;
    private uint _sequenceNumber;

    /// <summary>Creates a muxer for <paramref name="tracks"/> (at most one of each is typical: one video, one audio).</summary>
    /// <exception cref="ArgumentException">No tracks, or two tracks with one track ID.</exception>
    public Mp4Muxer(IEnumerable<Mp4Track> tracks)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        Tracks = [.. tracks];
        if (Tracks.Count == 0 || Tracks.Select(t => t.TrackId).Distinct().Count() != Tracks.Count)
        {
            throw new ArgumentException("A muxer needs at least one track, each with its own track ID.", nameof(tracks));
        }

        _states = [.. Tracks.Select(t => new TrackState(t))];
    }

    /// <summary>The tracks, in init segment order.</summary>
    public IReadOnlyList<Mp4Track> Tracks { get; }

    /// <summary>True when every track is configured, so <see cref="CreateInitSegment"/> can describe it.</summary>
    public bool IsInitSegmentReady => Tracks.All(t => t.IsConfigured);

    /// <summary>
    /// The MIME type for <c>MediaSource.addSourceBuffer</c>, for example <c>video/mp4; codecs="avc1.64001f,opus"</c>
    /// (RFC 6381); <c>audio/mp4</c> when there is no video track.
    /// </summary>
    public string MimeType =>
        $"{(Tracks.Any(t => t.IsVideo) ? "video" : "audio")}/mp4; codecs=\"{string.Join(',', Tracks.Select(t => t.CodecString))}\"";

    /// <summary>The sequence number of the last segment written; 0 before the first.</summary>
    public uint SequenceNumber => _sequenceNumber;

    /// <summary>Samples refused as malformed: no parsable SPS, bad Opus TOC, decode time not increasing.</summary>
    public long MalformedSamples { get; private set; }

    /// <summary>H.264 access units dropped because no SPS and PPS had been seen yet.</summary>
    public long SamplesBeforeConfiguration { get; private set; }

    /// <summary>Writes the init segment (ftyp + moov) for the current track configuration. Allocates.</summary>
    /// <exception cref="InvalidOperationException">A track is not configured yet (see <see cref="IsInitSegmentReady"/>).</exception>
    public byte[] CreateInitSegment()
    {
        if (!IsInitSegmentReady)
        {
            throw new InvalidOperationException("An H.264 track has no SPS and PPS yet; wait for a segment whose InitSegmentChanged is true.");
        }

        foreach (TrackState state in _states)
        {
            state.InitChangePending = false;
        }

        return Mp4InitSegmentWriter.Write(Tracks);
    }

    /// <summary>
    /// The exact length of the segment <see cref="TryWriteH264"/> writes for <paramref name="accessUnit"/>
    /// (0 when it holds no NAL unit that goes into a sample), so the caller can rent a buffer of that size.
    /// </summary>
    public static int MeasureH264(ReadOnlySpan<byte> accessUnit)
    {
        int payload = 0;
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(accessUnit))
        {
            if (IsSampleNal(nal))
            {
                payload += NalLengthSize + nal.Length;
            }
        }

        return payload == 0 ? 0 : Mp4FragmentWriter.HeaderLength(1) + payload;
    }

    /// <summary>The exact segment length for audio frames of <paramref name="payloadLength"/> bytes in total.</summary>
    public static int MeasureAudio(int payloadLength, int frameCount = 1) => Mp4FragmentWriter.HeaderLength(frameCount) + payloadLength;

    /// <summary>
    /// Writes one H.264 access unit as a media segment with one sample.
    /// </summary>
    /// <param name="track">An H.264 track of this muxer.</param>
    /// <param name="accessUnit">The access unit in Annex B (start codes before each NAL unit), as one frame.</param>
    /// <param name="decodeTime">Decode time in 90 kHz ticks; for streams without B-frames the (unwrapped) RTP timestamp.</param>
    /// <param name="destination">At least <see cref="MeasureH264"/> bytes.</param>
    /// <param name="info">What was written.</param>
    /// <param name="compositionOffset">Presentation time minus decode time in 90 kHz ticks (0 without B-frames).</param>
    /// <returns>False when nothing was written: no sample NAL units (parameter sets alone are still taken), no SPS/PPS
    /// yet, a malformed SPS, or a decode time not after the previous one.</returns>
    /// <exception cref="ArgumentException">The track is not an H.264 track of this muxer, or the destination is too short.</exception>
    public bool TryWriteH264(Mp4Track track, ReadOnlySpan<byte> accessUnit, long decodeTime, Span<byte> destination, out Mp4SegmentInfo info, int compositionOffset = 0)
    {
        info = default;
        TrackState state = StateOf(track, isVideo: true);
        ReadOnlySpan<byte> sps = default, pps = default;
        bool idr = false;
        int payload = 0;
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(accessUnit))
        {
            switch (nal[0] & 0x1F)
            {
                case NalTypeSps:
                    sps = nal;
                    break;
                case NalTypePps:
                    pps = nal;
                    break;
                case NalTypeIdr:
                    idr = true;
                    break;
            }

            if (IsSampleNal(nal))
            {
                payload += NalLengthSize + nal.Length;
            }
        }

        int length = Mp4FragmentWriter.HeaderLength(1) + payload;
        if (payload > 0 && destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; this segment needs {length} (see MeasureH264).", nameof(destination));
        }

        if (!sps.IsEmpty || !pps.IsEmpty)
        {
            ReadOnlySpan<byte> newSps = sps.IsEmpty ? track.Sps.Span : sps;
            ReadOnlySpan<byte> newPps = pps.IsEmpty ? track.Pps.Span : pps;
            if (!track.HasParameterSets(newSps, newPps))
            {
                if (!track.TrySetParameterSets(newSps, newPps))
                {
                    MalformedSamples++;
                    return false;
                }

                state.InitChangePending = true;
            }
        }

        if (payload == 0)
        {
            return false;
        }

        if (!track.IsConfigured)
        {
            SamplesBeforeConfiguration++;
            return false;
        }

        if (!state.TryAdvance(decodeTime, out uint duration))
        {
            MalformedSamples++;
            return false;
        }

        int header = Mp4FragmentWriter.WriteHeader(destination, ++_sequenceNumber, track.TrackId, (ulong)decodeTime, 1, payload);
        uint flags = idr ? Mp4FragmentWriter.SyncSampleFlags : Mp4FragmentWriter.NonSyncSampleFlags;
        Mp4FragmentWriter.WriteSample(destination, 0, duration, payload, flags, compositionOffset);
        int at = header;
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(accessUnit))
        {
            if (IsSampleNal(nal))
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], (uint)nal.Length);
                nal.CopyTo(destination[(at + NalLengthSize)..]);
                at += NalLengthSize + nal.Length;
            }
        }

        info = new Mp4SegmentInfo(length, header, _sequenceNumber, decodeTime, idr, state.InitChangePending);
        state.InitChangePending = false;
        return true;
    }

    /// <summary>Writes one audio frame (one Opus packet, or one raw AAC frame) as a media segment.</summary>
    /// <inheritdoc cref="TryWriteAudio(Mp4Track, ReadOnlySpan{byte}, ReadOnlySpan{int}, long, Span{byte}, out Mp4SegmentInfo)"/>
    public bool TryWriteAudio(Mp4Track track, ReadOnlySpan<byte> frame, long decodeTime, Span<byte> destination, out Mp4SegmentInfo info) =>
        TryWriteAudio(track, frame, [frame.Length], decodeTime, destination, out info);

    /// <summary>
    /// Writes several consecutive audio frames as one media segment, one sample each: batching (for example three
    /// 20 ms Opus packets) trades a little latency for less moof overhead (about 100 bytes per segment).
    /// </summary>
    /// <param name="track">An Opus or AAC track of this muxer.</param>
    /// <param name="frames">The frames back to back: Opus packets (RFC 6716) or raw AAC frames without ADTS headers.</param>
    /// <param name="frameSizes">Length in bytes of each frame in <paramref name="frames"/>, in order.</param>
    /// <param name="decodeTime">Decode time of the first frame in the track timescale (48 kHz for Opus).</param>
    /// <param name="destination">At least <see cref="MeasureAudio"/> bytes.</param>
    /// <param name="info">What was written.</param>
    /// <returns>False when nothing was written: no frames, sizes that do not add up, an unreadable Opus TOC, or a
    /// decode time not after the previous frame's.</returns>
    /// <exception cref="ArgumentException">The track is not an audio track of this muxer, or the destination is too short.</exception>
    public bool TryWriteAudio(Mp4Track track, ReadOnlySpan<byte> frames, ReadOnlySpan<int> frameSizes, long decodeTime, Span<byte> destination, out Mp4SegmentInfo info)
    {
        info = default;
        TrackState state = StateOf(track, isVideo: false);
        long total = 0;
        foreach (int size in frameSizes)
        {
            total += size <= 0 ? int.MinValue : size;
        }

        if (frameSizes.IsEmpty || total != frames.Length)
        {
            MalformedSamples++;
            return false;
        }

        int length = MeasureAudio(frames.Length, frameSizes.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; this segment needs {length} (see MeasureAudio).", nameof(destination));
        }

        long end = decodeTime;
        int offset = 0;
        foreach (int size in frameSizes)
        {
            if (!TryGetAudioDuration(track, frames.Slice(offset, size), out int samples))
            {
                MalformedSamples++;
                return false;
            }

            offset += size;
            end += samples;
        }

        if (!state.TryAdvance(decodeTime, out _))
        {
            MalformedSamples++;
            return false;
        }

        state.LastDecodeTime = end;
        int header = Mp4FragmentWriter.WriteHeader(destination, ++_sequenceNumber, track.TrackId, (ulong)decodeTime, frameSizes.Length, frames.Length);
        offset = 0;
        for (int i = 0; i < frameSizes.Length; i++)
        {
            ReadOnlySpan<byte> frame = frames.Slice(offset, frameSizes[i]);
            TryGetAudioDuration(track, frame, out int samples);
            Mp4FragmentWriter.WriteSample(destination, i, (uint)samples, frame.Length, Mp4FragmentWriter.SyncSampleFlags, 0);
            offset += frame.Length;
        }

        frames.CopyTo(destination[header..]);
        info = new Mp4SegmentInfo(length, header, _sequenceNumber, decodeTime, true, false);
        return true;
    }

    private static bool TryGetAudioDuration(Mp4Track track, ReadOnlySpan<byte> frame, out int samples)
    {
        if (track.Codec == Mp4Codec.Opus)
        {
            return OpusPacketInfo.TryGetSampleCount(frame, out samples);
        }

        samples = Mp4Track.AacFrameSamples;
        return !frame.IsEmpty;
    }

    // Access unit delimiters and parameter sets stay out of samples (parameter sets are in avcC).
    private static bool IsSampleNal(ReadOnlySpan<byte> nal) => (nal[0] & 0x1F) is not (NalTypeSps or NalTypePps or NalTypeAud);

    private TrackState StateOf(Mp4Track track, bool isVideo)
    {
        foreach (TrackState state in _states)
        {
            if (ReferenceEquals(state.Track, track))
            {
                return track.IsVideo == isVideo
                    ? state
                    : throw new ArgumentException($"Track {track.TrackId} is {track.Codec}; use the method for that codec.", nameof(track));
            }
        }

        throw new ArgumentException($"Track {track?.TrackId} does not belong to this muxer.", nameof(track));
    }

    private sealed class TrackState(Mp4Track track)
    {
        public Mp4Track Track { get; } = track;

        public bool HasDecodeTime { get; private set; }

        /// <summary>Video: the previous sample's decode time. Audio: where the previous batch ended.</summary>
        public long LastDecodeTime { get; set; }

        public uint Duration { get; private set; } = track.NominalSampleDuration;

        public bool InitChangePending { get; set; }

        /// <summary>
        /// Accepts a decode time after the previous one (audio: not before the previous batch's end) and returns
        /// the duration to write: the last interval, unless it exceeds one second.
        /// </summary>
        public bool TryAdvance(long decodeTime, out uint duration)
        {
            duration = Duration;
            if (decodeTime < 0)
            {
                return false;
            }

            if (HasDecodeTime)
            {
                long delta = decodeTime - LastDecodeTime;
                if (delta < 0 || (delta == 0 && Track.IsVideo))
                {
                    return false;
                }

                if (delta > 0 && delta <= Track.Timescale)
                {
                    Duration = (uint)delta;
                    duration = Duration;
                }
            }

            HasDecodeTime = true;
            LastDecodeTime = decodeTime;
            return true;
        }
    }
}
