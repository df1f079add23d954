using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Parley.Security.Dtls;

/// <summary>
/// One DTLS 1.2 association with use_srtp (RFC 6347, RFC 5764) over datagrams that something else carries: the ICE
/// session hands incoming DTLS records to <see cref="Receive"/> and this sends through an
/// <see cref="IDatagramSender"/>. The handshake authenticates the peer by the certificate fingerprint its SDP
/// gave (RFC 5763 §5) and yields the SRTP master keys (<see cref="DtlsSrtpKeys"/>).
/// </summary>
/// <remarks>
/// <para>
/// BouncyCastle's DTLS is blocking, so each transport runs one background thread: the handshake, then a receive
/// loop that answers retransmitted final flights and notices close_notify. Application data (SCTP for data
/// channels) is not used yet and is dropped.
/// </para>
/// <para>
/// Failures (timeout, fingerprint mismatch, no common SRTP profile, alerts) fault the task that
/// <see cref="HandshakeAsync"/> returns and are counted in <see cref="DtlsCounters"/>. Client certificates are
/// always requested and required (RFC 5763 §5: both ends authenticate with self-signed certificates).
/// </para>
/// </remarks>
public sealed class DtlsSrtpTransport : IDisposable
{
    private readonly DtlsRole _role;
    private readonly DtlsSrtpNegotiation _negotiation;
    private readonly DatagramQueueTransport _datagrams;
    private readonly DtlsCounters _counters;
    private readonly TaskCompletionSource<DtlsSrtpKeys> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;
    private volatile bool _disposed;
    private DtlsTransport? _dtls;
    private CancellationTokenRegistration _cancellation;

    /// <summary>Creates the transport; nothing is sent until <see cref="HandshakeAsync"/>.</summary>
    /// <param name="role">Server (a=setup:passive) or client (a=setup:active).</param>
    /// <param name="localCertificate">This process's certificate, whose fingerprint went into the local SDP.</param>
    /// <param name="remoteFingerprint">The a=fingerprint of the remote SDP; the peer's certificate must match it.</param>
    /// <param name="sender">Sends datagrams to the peer over the ICE-selected path.</param>
    /// <param name="counters">Where outcomes are counted; a private instance when null.</param>
    /// <param name="options">Profiles, timeout and sizes; defaults when null.</param>
    public DtlsSrtpTransport(
        DtlsRole role,
        DtlsCertificate localCertificate,
        DtlsFingerprint remoteFingerprint,
        IDatagramSender sender,
        DtlsCounters? counters = null,
        DtlsSrtpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(localCertificate);
        ArgumentNullException.ThrowIfNull(remoteFingerprint);
        ArgumentNullException.ThrowIfNull(sender);
        options ??= new DtlsSrtpOptions();
        if (options.Profiles.Count == 0)
        {
            throw new ArgumentException("At least one SRTP protection profile is needed.", nameof(options));
        }

        _role = role;
        _counters = counters ?? new DtlsCounters();
        _negotiation = new DtlsSrtpNegotiation(new BcTlsCrypto(new SecureRandom()), localCertificate, remoteFingerprint, options, _counters);
        _datagrams = new DatagramQueueTransport(sender, options.MaxDatagramSize, options.ReceiveQueueCapacity);
    }

    /// <summary>The role this side plays.</summary>
    public DtlsRole Role => _role;

    /// <summary>Outcome counters (shared when the constructor was given an instance).</summary>
    public DtlsCounters Counters => _counters;

    /// <summary>Incoming datagrams dropped because the queue was full or the transport closed.</summary>
    public long DroppedDatagrams => _datagrams.Dropped;

    /// <summary>Completes when the peer sent close_notify, the association failed, or this was disposed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>
    /// Hands one incoming DTLS record datagram (first byte 20-63, RFC 7983) to the transport. Copies it; never
    /// blocks; drops when the queue is full.
    /// </summary>
    public void Receive(ReadOnlySpan<byte> datagram) => _datagrams.Enqueue(datagram);

    /// <summary>
    /// Runs the handshake (once; later calls return the same task) on a background thread.
    /// </summary>
    /// <param name="cancellationToken">Cancelling closes the transport and fails the handshake.</param>
    /// <returns>
    /// The SRTP keys. Faults with <see cref="TlsFatalAlert"/> or <see cref="TlsTimeoutException"/> (or another
    /// <see cref="IOException"/>) when the handshake fails, including a peer certificate that does not match the
    /// expected fingerprint (<see cref="DtlsCounters.FingerprintMismatches"/>).
    /// </returns>
    public Task<DtlsSrtpKeys> HandshakeAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _cancellation = cancellationToken.Register(Dispose);
            var thread = new Thread(Run) { IsBackground = true, Name = $"dtls-{_role}" };
            thread.Start();
        }

        return _handshake.Task;
    }

    /// <summary>Sends close_notify when connected, stops the background thread and completes <see cref="Closed"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _dtls?.Close();
        }
        catch (IOException)
        {
            // The peer is gone; nothing more to tell it.
        }

        _datagrams.Close();
        _cancellation.Dispose();
        _closed.TrySetResult();
    }

    private void Run()
    {
        Func<bool> closeNotified = () => false;
        try
        {
            if (_role == DtlsRole.Server)
            {
                var server = new DtlsSrtpServerPeer(_negotiation);
                closeNotified = () => server.CloseNotifyReceived;
                _dtls = new DtlsServerProtocol().Accept(server, _datagrams);
            }
            else
            {
                var client = new DtlsSrtpClientPeer(_negotiation);
                closeNotified = () => client.CloseNotifyReceived;
                _dtls = new DtlsClientProtocol().Connect(client, _datagrams);
            }

            var keys = DtlsSrtpKeys.FromKeyingMaterial(_negotiation.Selected!.Value, _negotiation.KeyingMaterial!);
            _counters.CountCompleted();
            _handshake.TrySetResult(keys);
        }
        catch (Exception e) when (e is IOException or TlsException or InvalidOperationException or ArgumentException)
        {
            _counters.CountFailed();
            _handshake.TrySetException(_disposed ? new OperationCanceledException("The DTLS transport was closed.", e) : e);
            Dispose();
            return;
        }

        ReceiveUntilClosed(_dtls, closeNotified);
    }

    /// <summary>
    /// Keeps the record layer running after the handshake: it answers a retransmitted final flight (RFC 6347
    /// §4.2.4) and sees close_notify. Application data has no consumer yet and is dropped.
    /// </summary>
    private void ReceiveUntilClosed(DtlsTransport dtls, Func<bool> closeNotified)
    {
        byte[] buffer = new byte[dtls.GetReceiveLimit()];
        try
        {
            while (!_disposed && !closeNotified())
            {
                dtls.Receive(buffer, 0, buffer.Length, 1000);
            }
        }
        catch (Exception e) when (e is IOException or TlsException)
        {
            // close_notify, a fatal alert, or Dispose: the association is over either way.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}
