using Parley.Rtp;
using Parley.Rtsp.Client;

namespace Parley.Endpoint.Bench;

/// <summary>
/// Counts what one light RTSP reader receives: RTP packets, bytes, packets lost (RFC 3550 A.3 from sequence numbers)
/// and video frames (RTP marker bits), per media of the SDP. Nothing is decoded or copied.
/// </summary>
/// <remarks>
/// Each media's counters are written only by the loop that receives that media (one TCP loop, or one UDP socket loop
/// per media), so updates need no locks; <see cref="Snapshot"/> may read slightly stale values from another thread.
/// </remarks>
public sealed class ReaderCounters : IRtspMediaReceiver
{
    private MediaCounters[] _media = [];

    /// <summary>
    /// Sets up counters for the media of the described session; call after DESCRIBE and before PLAY.
    /// </summary>
    /// <param name="clockRates">RTP clock rate (Hz) of each media, in SDP order.</param>
    public void Configure(IReadOnlyList<int> clockRates)
    {
        ArgumentNullException.ThrowIfNull(clockRates);
        var media = new MediaCounters[clockRates.Count];
        for (int i = 0; i < media.Length; i++)
        {
            media[i] = new MediaCounters(clockRates[i]);
        }

        _media = media;
    }

    /// <summary>Number of media configured.</summary>
    public int MediaCount => _media.Length;

    private long _malformedPackets;

    /// <summary>RTP packets that did not parse (RFC 3550 §5.1) or arrived for an unknown media.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformedPackets);

    /// <inheritdoc/>
    public void OnRtp(int mediaIndex, ReadOnlySpan<byte> packet)
    {
        if ((uint)mediaIndex >= (uint)_media.Length || !RtpPacketView.TryParse(packet, out var rtp))
        {
            Interlocked.Increment(ref _malformedPackets);
            return;
        }

        _media[mediaIndex].Add(rtp, packet.Length);
    }

    /// <inheritdoc/>
    public void OnRtcp(int mediaIndex, ReadOnlySpan<byte> packet)
    {
        if ((uint)mediaIndex < (uint)_media.Length)
        {
            _media[mediaIndex].RtcpPackets++;
        }
    }

    /// <summary>Totals so far for media <paramref name="mediaIndex"/>.</summary>
    public ReaderMediaTotals Snapshot(int mediaIndex)
    {
        var m = _media[mediaIndex];
        return new ReaderMediaTotals(m.Statistics.PacketsReceived, m.Statistics.BytesReceived, m.Statistics.CumulativeLost, m.Frames, m.RtcpPackets);
    }

    private sealed class MediaCounters(int clockRate)
    {
        public RtpSourceStatistics Statistics { get; } = new(clockRate, minSequential: 1);

        public long Frames { get; private set; }

        public long RtcpPackets { get; set; }

        public void Add(RtpPacketView rtp, int length)
        {
            Statistics.Update(rtp.SequenceNumber, rtp.Timestamp, Environment.TickCount64, 1000, length - rtp.HeaderLength);
            if (rtp.Marker)
            {
                Frames++;
            }
        }
    }
}

/// <summary>What one reader received for one media.</summary>
/// <param name="Packets">RTP packets counted by RFC 3550 A.1 (after probation).</param>
/// <param name="PayloadBytes">RTP payload bytes.</param>
/// <param name="Lost">Packets expected from the sequence numbers but not received (RFC 3550 A.3); negative with duplicates.</param>
/// <param name="Frames">Packets with the marker bit set: video frames (for audio, talk-spurt starts).</param>
/// <param name="RtcpPackets">RTCP compound packets received.</param>
public readonly record struct ReaderMediaTotals(long Packets, long PayloadBytes, long Lost, long Frames, long RtcpPackets);
