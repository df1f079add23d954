namespace Parley.Media.H264;

/// <summary>
/// Gives each H.264 access unit of a live stream a decode timestamp (DTS) from its presentation timestamp (PTS),
/// without lookahead, for muxers that need both (fMP4: tfdt plus a trun composition offset). RTP carries only
/// presentation time (RFC 6184 §5.1), which goes backwards across B-frames, while decode times must increase.
/// </summary>
/// <remarks>
/// <para>The estimator runs the output side of a decoder's picture buffer (ITU-T H.264 Annex C.4.5.3, "bumping")
/// with a reorder depth R: every access unit goes in, and once more than R wait, the one with the lowest PTS comes
/// out; the DTS of the access unit that went in is the PTS of the one that came out. With R at least the stream's
/// max_num_reorder_frames (Annex E.2.1), no later access unit presents before it, so DTS ≤ PTS, and DTS increases
/// strictly because frames come out in presentation order. Every DTS is the PTS of a frame at most R + 1 access
/// units back, so the composition offset (PTS − DTS) stays within a few frame durations and never grows over
/// time: there is nothing to drift, and no separate re-anchoring at IDRs is needed. Without B-frames (R = 0) each
/// access unit comes out as it goes in: DTS = PTS, composition offset 0.</para>
/// <para>Until R access units have gone in (the start of the stream) the DTS is extrapolated back from the lowest
/// waiting PTS by one <see cref="FrameDuration"/> per missing access unit; callers leave
/// <see cref="StartupLead"/> of headroom on their timeline so that stays non-negative.</para>
/// <para>Where R comes from: the SPS's max_num_reorder_frames when the bitstream restriction is present; 0 for
/// the Baseline profile (no B slices, §A.2.1) and for pic_order_cnt_type 2 (output order is decoding order,
/// §8.2.1.3); otherwise it is learned: the first access unit whose PTS is below the last DTS given out shows
/// B-frames, and R rises to the number of recent access units that present after it (max_num_reorder_frames as
/// Annex E.2.1 defines it, over the last 16), at least 2 (x264's B-pyramid depth), so later B-frames fit. The access unit that revealed them gets the last DTS plus one tick (a negative
/// composition offset, which trun version 1 carries); the few after it get one tick more each until the buffer
/// holds R + 1 again. Decode times are never given out twice or backwards, whatever the input.</para>
/// <para>Not thread-safe; one per stream's H.264 track. Allocates only in the constructor.</para>
/// </remarks>
public sealed class H264DecodeTimestamps
{
    /// <summary>The largest reorder depth: a decoded picture buffer holds at most 16 frames (§A.3.1, MaxDpbFrames).</summary>
    public const int MaxReorderDepth = 16;

    // A frame duration over one second is a paused source, not a frame rate.
    private const long MaxFrameDuration = 90_000;
    private const int History = MaxReorderDepth;

    private readonly long[] _waiting = new long[MaxReorderDepth + 1];
    private readonly long[] _recent = new long[History];
    private int _waitingCount;
    private int _recentCount;
    private int _recentNext;
    private bool _depthFromSps;
    private bool _hasDecodeTime;
    private long _lastDecodeTime;
    private bool _hasOutput;
    private long _lastOutput;
    private long _configuredDuration;
    private long _observedDuration;

    /// <summary>Creates an estimator.</summary>
    /// <param name="frameDuration">The nominal frame duration in 90 kHz ticks (from SDP a=framerate), or 0 when
    /// unknown; then the SPS timing or the observed PTS steps decide.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frameDuration"/> is negative.</exception>
    public H264DecodeTimestamps(long frameDuration = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameDuration);
        _configuredDuration = Math.Min(frameDuration, MaxFrameDuration);
    }

    /// <summary>The reorder depth R in frames (0-16) in use now.</summary>
    public int ReorderDepth { get; private set; }

    /// <summary>True when <see cref="ReorderDepth"/> came from an SPS (bitstream restriction, profile or POC type)
    /// rather than from detection.</summary>
    public bool ReorderDepthFromSps => _depthFromSps;

    /// <summary>Access units that present before the last DTS given out (each gets a negative composition offset):
    /// the ones that revealed B-frames the SPS did not announce, and those while the buffer refilled after that.</summary>
    public long ReorderViolations { get; private set; }

    /// <summary>One frame's duration in 90 kHz ticks: configured (SDP), else from the SPS timing, else the smallest
    /// step seen between consecutive frames in presentation order; 3000 (30 fps) before any of those is known.</summary>
    public long FrameDuration => _configuredDuration > 0 ? _configuredDuration : _observedDuration > 0 ? _observedDuration : 3000;

    /// <summary>How far in 90 kHz ticks the first DTS lies before the first PTS: <see cref="ReorderDepth"/> frame
    /// durations. A caller that starts its PTS timeline at least this far above 0 gets no negative decode times.</summary>
    public long StartupLead => ReorderDepth * FrameDuration;

    /// <summary>
    /// Takes the reorder depth and frame rate from an SPS (in the SDP or in-band). A depth the SPS states replaces a
    /// learned one only when larger, so a stream that proved deeper than its SPS claims stays safe.
    /// </summary>
    /// <param name="sps">A parsed SPS.</param>
    public void Configure(in H264SequenceParameterSet sps)
    {
        int? depth = sps.MaxNumReorderFrames
            ?? (sps.ProfileIdc == 66 || sps.PicOrderCntType == 2 ? 0 : null);
        if (depth is { } stated)
        {
            _depthFromSps = true;
            RaiseDepth(stated, fromStart: !_hasDecodeTime);
        }

        if (_configuredDuration == 0 && sps.FrameRate is > 0 and var rate)
        {
            _configuredDuration = Math.Clamp((long)Math.Round(90_000 / rate), 1, MaxFrameDuration);
        }
    }

    /// <summary>
    /// The decode timestamp of the next access unit in decoding order.
    /// </summary>
    /// <param name="presentationTime">Its PTS in 90 kHz ticks, unwrapped (64-bit, <c>TimestampUnwrapper</c>).</param>
    /// <returns>Its DTS in 90 kHz ticks: greater than every DTS returned before, and at most
    /// <paramref name="presentationTime"/> whenever the reorder depth covers the stream (see the remarks).</returns>
    public long Next(long presentationTime)
    {
        if (_hasDecodeTime && presentationTime < _lastDecodeTime)
        {
            ReorderViolations++;
            // While the buffer refills after a raise, late access units are expected; only a deeper need raises again.
            RaiseDepth(Math.Max(2, RecentAfter(presentationTime)), fromStart: false);
        }

        Remember(presentationTime);
        Insert(presentationTime);
        long candidate;
        if (_waitingCount > ReorderDepth)
        {
            candidate = RemoveLowest();
            if (_hasOutput && candidate > _lastOutput && candidate - _lastOutput <= MaxFrameDuration
                && (_observedDuration == 0 || candidate - _lastOutput < _observedDuration))
            {
                _observedDuration = candidate - _lastOutput;
            }

            _hasOutput = true;
            _lastOutput = candidate;
        }
        else
        {
            // Still filling: extrapolate back from the lowest waiting PTS, one frame per access unit still to come.
            candidate = Lowest() - ((ReorderDepth - _waitingCount + 1) * FrameDuration);
        }

        long decodeTime = _hasDecodeTime && candidate <= _lastDecodeTime ? _lastDecodeTime + 1 : candidate;
        _hasDecodeTime = true;
        _lastDecodeTime = decodeTime;
        return decodeTime;
    }

    /// <summary>Forgets the stream's timing (a new publisher, a timestamp discontinuity) but keeps the reorder depth
    /// and frame duration: the next access unit starts a new timeline.</summary>
    public void Reset()
    {
        _waitingCount = 0;
        _recentCount = 0;
        _hasDecodeTime = false;
        _hasOutput = false;
    }

    private void RaiseDepth(int depth, bool fromStart)
    {
        depth = Math.Clamp(depth, 0, MaxReorderDepth);
        if (fromStart || depth > ReorderDepth)
        {
            ReorderDepth = depth;
        }
    }

    // How many of the last access units present after this one: the depth that would have been needed for it.
    private int RecentAfter(long presentationTime)
    {
        int count = 0;
        for (int i = 0; i < _recentCount; i++)
        {
            count += _recent[i] > presentationTime ? 1 : 0;
        }

        return count;
    }

    private void Remember(long presentationTime)
    {
        _recent[_recentNext] = presentationTime;
        _recentNext = (_recentNext + 1) % History;
        _recentCount = Math.Min(_recentCount + 1, History);
    }

    // The depth never shrinks while access units wait, so at most R + 1 <= 17 do: linear scans beat any heap here.
    private void Insert(long presentationTime) => _waiting[_waitingCount++] = presentationTime;

    private long Lowest()
    {
        long lowest = _waiting[0];
        for (int i = 1; i < _waitingCount; i++)
        {
            lowest = Math.Min(lowest, _waiting[i]);
        }

        return lowest;
    }

    private long RemoveLowest()
    {
        int at = 0;
        for (int i = 1; i < _waitingCount; i++)
        {
            if (_waiting[i] < _waiting[at])
            {
                at = i;
            }
        }

        long lowest = _waiting[at];
        _waiting[at] = _waiting[--_waitingCount];
        return lowest;
    }
}
