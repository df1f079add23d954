using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.Endpoint.Send;

/// <summary>
/// What every sent RTP stream keeps: its SSRC, the tie between its RTP clock and the capture wall clock, and the
/// counts a sender report carries (RFC 3550 §6.4.1). Written by the track's capture thread; read for reports.
/// </summary>
internal sealed class SenderTrack
{
    private readonly Lock _gate = new();
    private uint _lastRtpTimestamp;
    private DateTime _lastCaptureUtc;
    private bool _hasTimestamp;

    public SenderTrack(int mediaIndex, string mediaType, int clockRate, uint ssrc)
    {
        MediaIndex = mediaIndex;
        MediaType = mediaType;
        ClockRate = clockRate;
        Ssrc = ssrc;
    }

    public int MediaIndex { get; }

    public string MediaType { get; }

    public int ClockRate { get; }

    public uint Ssrc { get; }

    public long Frames { get; private set; }

    public long Packets { get; private set; }

    public long PayloadBytes { get; private set; }

    /// <summary>Packets not sent because the hub was not connected or the connection failed.</summary>
    public long PacketsDropped { get; private set; }

    /// <summary>Opus frames not sent because they were DTX silence (RFC 7587 §3.1.3).</summary>
    public long DtxFrames { get; set; }

    /// <summary>Key frames asked for by receivers (RTCP PLI or FIR).</summary>
    public long KeyFrameRequests { get; set; }

    /// <summary>
    /// Wall time from handing a frame to the encoder to getting its output (JPEG: the encoder's own CPU time;
    /// H.264: GStreamer's encoder threads, whose CPU is the rest of the process).
    /// </summary>
    public TimeSpan EncodeTime { get; set; }

    /// <summary>CPU time of the sender thread reading frames from the source (the test source renders on it; devices and files capture on GStreamer's threads).</summary>
    public TimeSpan CaptureTime { get; set; }

    /// <summary>CPU time of the sender thread packetizing.</summary>
    public TimeSpan PacketizeTime { get; set; }

    /// <summary>CPU time of the sender thread sending (socket writes included).</summary>
    public TimeSpan SendTime { get; set; }

    /// <summary>Starts the counts afresh (at RECORD: what was captured before had nowhere to go).</summary>
    public void ResetCounters()
    {
        lock (_gate)
        {
            Frames = Packets = PayloadBytes = PacketsDropped = DtxFrames = 0;
            EncodeTime = CaptureTime = PacketizeTime = SendTime = TimeSpan.Zero;
        }
    }

    public void CountFrame(uint rtpTimestamp, DateTime captureUtc)
    {
        lock (_gate)
        {
            Frames++;
            _lastRtpTimestamp = rtpTimestamp;
            _lastCaptureUtc = captureUtc;
            _hasTimestamp = true;
        }
    }

    public void CountPacket(int payloadBytes, bool sent)
    {
        lock (_gate)
        {
            if (sent)
            {
                Packets++;
                PayloadBytes += payloadBytes;
            }
            else
            {
                PacketsDropped++;
            }
        }
    }

    /// <summary>
    /// Writes an SR with SDES CNAME for now: the RTP timestamp is extrapolated from the last frame's capture time
    /// so the report's NTP and RTP times are the same instant (RFC 3550 §6.4.1).
    /// </summary>
    /// <returns>The compound length, or 0 before the first frame.</returns>
    public int WriteSenderReport(Span<byte> destination, DateTime nowUtc, ReadOnlySpan<byte> cname)
    {
        uint rtp;
        uint packets, octets;
        lock (_gate)
        {
            if (!_hasTimestamp)
            {
                return 0;
            }

            rtp = unchecked(_lastRtpTimestamp + (uint)(long)((nowUtc - _lastCaptureUtc).TotalSeconds * ClockRate));
            packets = unchecked((uint)Packets);
            octets = unchecked((uint)PayloadBytes);
        }

        int length = RtcpWriter.WriteSenderReport(destination, Ssrc, NtpTimestamp.FromDateTime(nowUtc), rtp, packets, octets, []);
        return length + RtcpWriter.WriteSourceDescriptionCname(destination[length..], Ssrc, cname);
    }
}
