namespace Parley.Rtp.Rtcp;

/// <summary>RTCP packet type (PT) values, the second header byte (RFC 3550 §12.1, RFC 4585 §6.1).</summary>
public static class RtcpPacketType
{
    /// <summary>SR, sender report (RFC 3550 §6.4.1).</summary>
    public const byte SenderReport = 200;

    /// <summary>RR, receiver report (RFC 3550 §6.4.2).</summary>
    public const byte ReceiverReport = 201;

    /// <summary>SDES, source description (RFC 3550 §6.5).</summary>
    public const byte SourceDescription = 202;

    /// <summary>BYE, goodbye (RFC 3550 §6.6).</summary>
    public const byte Goodbye = 203;

    /// <summary>APP, application-defined (RFC 3550 §6.7).</summary>
    public const byte ApplicationDefined = 204;

    /// <summary>RTPFB, transport-layer feedback such as generic NACK (RFC 4585 §6.2).</summary>
    public const byte TransportFeedback = 205;

    /// <summary>PSFB, payload-specific feedback such as PLI (RFC 4585 §6.3).</summary>
    public const byte PayloadFeedback = 206;

    /// <summary>XR, extended reports (RFC 3611); recognised but not interpreted here.</summary>
    public const byte ExtendedReport = 207;
}

/// <summary>Feedback message types, the FMT field of RTPFB/PSFB packets (RFC 4585 §6.1, RFC 5104 §4).</summary>
public static class RtcpFeedbackFormat
{
    /// <summary>Generic NACK, in <see cref="RtcpPacketType.TransportFeedback"/> (RFC 4585 §6.2.1).</summary>
    public const int GenericNack = 1;

    /// <summary>Transport-wide congestion control feedback, in RTPFB (draft-holmer-rmcat-transport-wide-cc-extensions-01).</summary>
    public const int TransportWideCongestionControl = 15;

    /// <summary>Picture loss indication, in <see cref="RtcpPacketType.PayloadFeedback"/> (RFC 4585 §6.3.1).</summary>
    public const int PictureLossIndication = 1;

    /// <summary>Slice loss indication, in PSFB (RFC 4585 §6.3.2).</summary>
    public const int SliceLossIndication = 2;

    /// <summary>Reference picture selection indication, in PSFB (RFC 4585 §6.3.3).</summary>
    public const int ReferencePictureSelectionIndication = 3;

    /// <summary>Full intra request, in PSFB (RFC 5104 §4.3.1).</summary>
    public const int FullIntraRequest = 4;

    /// <summary>Application layer feedback (e.g. REMB), in PSFB (RFC 4585 §6.4).</summary>
    public const int ApplicationLayerFeedback = 15;
}
