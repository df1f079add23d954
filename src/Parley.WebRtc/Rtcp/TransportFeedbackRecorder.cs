using Parley.Rtp;
using Parley.Rtp.Rtcp;

namespace Parley.WebRtc.Rtcp;

/// <summary>
/// The receive side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01):
/// remembers the arrival time of every transport-wide sequence number a peer sends (RFC 8285 header extension,
/// see <see cref="Parley.WebRtc.Sdp.WebRtcHeaderExtensionIds"/>) and writes the RTPFB FMT 15 feedback that lets the peer's
/// bandwidth estimator measure queuing delay. The caller sends feedback every <see cref="DefaultInterval"/> or so.
/// </summary>
/// <remarks>
/// One instance per transport (a BUNDLE carries one transport-wide sequence); not thread-safe: call
/// <see cref="Record"/> and <see cref="TryWriteFeedback"/> from the receive thread. Arrivals live in a ring of
/// <c>capacity</c> slots indexed by the unwrapped sequence number; nothing allocates after construction. A packet
/// that arrives after the feedback covering it was written is counted in <see cref="LatePackets"/> and not
/// reported again.
/// </remarks>
public sealed class TransportFeedbackRecorder
{
    /// <summary>How often a receiver should send feedback: 50 ms, inside the draft's usual 50-100 ms.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    private readonly long[] _arrivals;
    private readonly long[] _scratch;
    private readonly int _mask;
    private SequenceUnwrapper _unwrapper;
    private long _next = -1;
    private long _highest = -1;
    private uint _mediaSsrc;
    private byte _feedbackCount;

    /// <summary>Creates a recorder.</summary>
    /// <param name="senderSsrc">The SSRC this side writes as the feedback's sender.</param>
    /// <param name="capacity">Sequence numbers remembered between two feedback packets, a power of two (1024 holds
    /// 100 ms at 80 Mbit/s of 1200-byte packets).</param>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is not a power of two from 16 to 32768.</exception>
    public TransportFeedbackRecorder(uint senderSsrc, int capacity = 1024)
    {
        if (capacity is < 16 or > 32768 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two from 16 to 32768");
        }

        SenderSsrc = senderSsrc;
        _arrivals = new long[capacity];
        _scratch = new long[capacity];
        _mask = capacity - 1;
        Array.Fill(_arrivals, RtcpTransportFeedback.NotReceived);
    }

    /// <summary>The SSRC written as the feedback's sender.</summary>
    public uint SenderSsrc { get; }

    /// <summary>Packets recorded.</summary>
    public long PacketsRecorded { get; private set; }

    /// <summary>Packets that arrived after feedback already reported them as not received (or were duplicates of reported ones).</summary>
    public long LatePackets { get; private set; }

    /// <summary>Feedback packets written.</summary>
    public long FeedbackWritten { get; private set; }

    /// <summary>Remembers that <paramref name="transportSequenceNumber"/> arrived at <paramref name="arrivalMicroseconds"/>.</summary>
    /// <param name="transportSequenceNumber">The value of the transport-wide sequence number extension.</param>
    /// <param name="mediaSsrc">The SSRC of the RTP packet that carried it (written as the feedback's media SSRC).</param>
    /// <param name="arrivalMicroseconds">Arrival time in microseconds on a monotonic clock, 0 or more.</param>
    public void Record(ushort transportSequenceNumber, uint mediaSsrc, long arrivalMicroseconds)
    {
        long sequence = _unwrapper.Unwrap(transportSequenceNumber);
        _mediaSsrc = mediaSsrc;
        PacketsRecorded++;
        if (_next < 0)
        {
            _next = sequence;
        }
        else if (sequence < _next)
        {
            LatePackets++;
            return;
        }

        long overflow = sequence - _next - _mask;
        if (overflow > 0)
        {
            // More unreported sequence numbers than slots: the oldest are given up (never reported).
            if (overflow > _mask)
            {
                Array.Fill(_arrivals, RtcpTransportFeedback.NotReceived);
                _next = sequence;
            }
            else
            {
                for (long s = _next; s < _next + overflow; s++)
                {
                    _arrivals[s & _mask] = RtcpTransportFeedback.NotReceived;
                }

                _next += overflow;
            }
        }

        _arrivals[sequence & _mask] = arrivalMicroseconds;
        _highest = Math.Max(_highest, sequence);
    }

    /// <summary>
    /// Writes one feedback packet about every sequence number recorded since the last one (from the oldest
    /// unreported to the highest seen; gaps are reported as not received).
    /// </summary>
    /// <param name="destination">Receives the RTCP packet; at least 32 bytes (1200 hold any feedback of 100 ms).</param>
    /// <param name="length">Bytes written.</param>
    /// <returns>False, writing nothing, when nothing new arrived.</returns>
    public bool TryWriteFeedback(Span<byte> destination, out int length)
    {
        length = 0;
        if (_next < 0 || _next > _highest)
        {
            return false;
        }

        int count = (int)(_highest - _next + 1);
        for (int i = 0; i < count; i++)
        {
            _scratch[i] = _arrivals[(_next + i) & _mask];
        }

        length = RtcpTransportFeedback.Write(destination, SenderSsrc, _mediaSsrc, unchecked((ushort)_next), _feedbackCount++,
            _scratch.AsSpan(0, count), out int written);
        for (int i = 0; i < written; i++)
        {
            _arrivals[(_next + i) & _mask] = RtcpTransportFeedback.NotReceived;
        }

        _next += written;
        FeedbackWritten++;
        return true;
    }

    /// <summary>Finds the transport-wide sequence number extension (element <paramref name="id"/>) in a received packet. Never throws.</summary>
    /// <returns>False when the packet has no such element, or it is not 2 bytes.</returns>
    public static bool TryReadSequenceNumber(in RtpPacketView rtp, byte id, out ushort transportSequenceNumber)
    {
        transportSequenceNumber = 0;
        if (id == 0 || !rtp.HasExtension)
        {
            return false;
        }

        var reader = new RtpHeaderExtensionReader(rtp.ExtensionProfile, rtp.ExtensionData);
        while (reader.TryReadNext(out byte element, out var value))
        {
            if (element == id)
            {
                if (value.Length != 2)
                {
                    return false;
                }

                transportSequenceNumber = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(value);
                return true;
            }
        }

        return false;
    }
}
