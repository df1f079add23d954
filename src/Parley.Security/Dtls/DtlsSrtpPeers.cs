using Org.BouncyCastle.Tls;

namespace Parley.Security.Dtls;

/// <summary>The DTLS 1.2 server end (a=setup:passive): requires a client certificate (RFC 5763 §5).</summary>
internal sealed class DtlsSrtpServerPeer : DefaultTlsServer
{
    private readonly DtlsSrtpNegotiation _negotiation;

    public DtlsSrtpServerPeer(DtlsSrtpNegotiation negotiation)
        : base(negotiation.Crypto)
    {
        _negotiation = negotiation;
    }

    public bool CloseNotifyReceived { get; private set; }

    public override int GetHandshakeTimeoutMillis() => (int)_negotiation.Options.HandshakeTimeout.TotalMilliseconds;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => _negotiation.SupportedCipherSuites();

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        _negotiation.SelectFromOffer(clientExtensions);
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        IDictionary<int, byte[]> extensions = base.GetServerExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([(int)_negotiation.Selected!.Value], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override CertificateRequest GetCertificateRequest() => new(
        [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
        TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context),
        null);

    public override void NotifyClientCertificate(Certificate clientCertificate) => _negotiation.CheckPeerCertificate(clientCertificate);

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => _negotiation.Signer(m_context);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        _negotiation.Export(m_context);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        CloseNotifyReceived |= alertDescription == AlertDescription.close_notify;
    }
}

/// <summary>The DTLS 1.2 client end (a=setup:active): offers use_srtp and authenticates with its certificate.</summary>
internal sealed class DtlsSrtpClientPeer : DefaultTlsClient
{
    private readonly DtlsSrtpNegotiation _negotiation;

    public DtlsSrtpClientPeer(DtlsSrtpNegotiation negotiation)
        : base(negotiation.Crypto)
    {
        _negotiation = negotiation;
    }

    public bool CloseNotifyReceived { get; private set; }

    public override int GetHandshakeTimeoutMillis() => (int)_negotiation.Options.HandshakeTimeout.TotalMilliseconds;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => _negotiation.SupportedCipherSuites();

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        IDictionary<int, byte[]> extensions = base.GetClientExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, _negotiation.Offer());
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        _negotiation.AcceptAnswer(serverExtensions);
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        _negotiation.Export(m_context);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        CloseNotifyReceived |= alertDescription == AlertDescription.close_notify;
    }

    private sealed class Authentication(DtlsSrtpClientPeer owner) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            owner._negotiation.CheckPeerCertificate(serverCertificate.Certificate);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            owner._negotiation.Signer(owner.m_context);
    }
}
