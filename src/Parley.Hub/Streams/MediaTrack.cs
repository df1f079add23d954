using Parley.Media;
using Parley.Rtp;
using Parley.Rtp.Sdp;

namespace Parley.Hub.Streams;

/// <summary>
/// One track of a stream (an SDP media section): its codec as the publisher described it and what the hub has
/// seen of it (RFC 3550 A.1/A.3/A.8 statistics, the last sender report) for receiver reports and RTP-Info.
/// Mutated only on the publisher's receive path.
/// </summary>
public sealed class MediaTrack
{
    internal MediaTrack(int index, SdpMedia media)
    {
        Index = index;
        Media = media;
        MediaType = media.MediaType;
        if (media.Formats.Count > 0 && int.TryParse(media.Formats[0], out int payloadType)
            && media.TryGetRtpMap(payloadType, out var map))
        {
            EncodingName = map.EncodingName;
            ClockRate = map.ClockRate;
            Channels = map.Channels;
        }

        StartKind = RtpFrameStart.ForEncoding(MediaType, EncodingName);
        Statistics = new RtpSourceStatistics(ClockRate > 0 ? ClockRate : 90000);
    }

    /// <summary>Index of the media section in the stream's SDP.</summary>
    public int Index { get; }

    /// <summary>"video", "audio", "application", as in the SDP m= line.</summary>
    public string MediaType { get; }

    /// <summary>True for a video track.</summary>
    public bool IsVideo => string.Equals(MediaType, "video", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SDP media section the publisher sent for this track (rtpmap, fmtp, framerate).</summary>
    public SdpMedia Media { get; }

    /// <summary>Encoding name from the rtpmap (for example "H264", "opus", "JPEG"), or null when unknown.</summary>
    public string? EncodingName { get; }

    /// <summary>RTP clock rate in Hz, or 0 when unknown.</summary>
    public int ClockRate { get; }

    /// <summary>Audio channels from the rtpmap, 0 when not given.</summary>
    public int Channels { get; }

    /// <summary>How a reader finds a place to start decoding on this track.</summary>
    public FrameStartKind StartKind { get; }

    /// <summary>Receive statistics of the publisher's RTP on this track.</summary>
    public RtpSourceStatistics Statistics { get; }

    /// <summary>SSRC of the publisher's RTP on this track (0 until the first packet).</summary>
    public uint Ssrc { get; internal set; }

    /// <summary>
    /// Video: packets with the marker bit, which ends a frame (RFC 3550 §5.1, RFC 6184 §5.1, RFC 2435 §3), so the
    /// number of frames received; 0 for audio. Read from other threads for frame-rate figures.
    /// </summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    internal void CountFrame() => Interlocked.Increment(ref _framesReceived);

    private long _framesReceived;

    /// <summary>True once an RTP packet has arrived.</summary>
    public bool HasPackets { get; internal set; }

    /// <summary>Sequence number of the newest RTP packet.</summary>
    public ushort LastSequenceNumber { get; internal set; }

    /// <summary>RTP timestamp of the newest RTP packet, in clock-rate units.</summary>
    public uint LastTimestamp { get; internal set; }

    /// <summary>Middle 32 bits of the NTP time of the last sender report (RFC 3550 §6.4.1 LSR), 0 if none.</summary>
    public uint LastSenderReportNtpMiddle { get; internal set; }

    /// <summary>When the last sender report arrived, in <see cref="TimeProvider"/> timestamp units.</summary>
    public long LastSenderReportArrival { get; internal set; }

    /// <summary>Codec as a short human string, for logs: "H264/90000", "opus/48000/2".</summary>
    public string CodecDescription => EncodingName is null
        ? MediaType
        : Channels > 1 ? $"{EncodingName}/{ClockRate}/{Channels}" : $"{EncodingName}/{ClockRate}";
}
