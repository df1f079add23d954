namespace Parley.Security.Dtls;

/// <summary>
/// Sends one datagram towards the remote peer of a DTLS association: over UDP, or framed over ICE-TCP. The DTLS
/// layer neither knows nor cares which (RFC 7983 multiplexing happens below it).
/// </summary>
public interface IDatagramSender
{
    /// <summary>Sends <paramref name="datagram"/> as one unit. Must not block for long; may drop on overload.</summary>
    void Send(ReadOnlySpan<byte> datagram);
}

/// <summary>Which end of the DTLS handshake this side plays (RFC 5763 §5: a=setup decides).</summary>
public enum DtlsRole
{
    /// <summary>DTLS server: a=setup:passive, the usual role of a hub answering a browser's actpass offer.</summary>
    Server,

    /// <summary>DTLS client: a=setup:active.</summary>
    Client,
}
