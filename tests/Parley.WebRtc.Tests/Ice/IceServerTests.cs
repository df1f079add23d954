using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Parley.Rtp.Stun;
using Parley.WebRtc.Ice;

namespace Parley.WebRtc.Tests.Ice;

public class IceServerTests
{
    private static IceServer StartServer(TimeProvider? time = null, bool tcp = false)
    {
        var server = new IceServer(new IceServerOptions
        {
            UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TcpEndPoint = tcp ? new IPEndPoint(IPAddress.Loopback, 0) : null,
            TimeProvider = time ?? TimeProvider.System,
        });
        server.Start();
        return server;
    }

    private static string UsernameFor(IceSession session) => session.LocalCredentials.Ufrag + ":peer";

    [Fact]
    public async Task A_valid_check_is_answered_with_xor_mapped_address_integrity_and_fingerprint()
    {
        await using IceServer server = StartServer();
        IceSession session = server.CreateSession();
        using Socket peer = StunClient.UdpSocket();
        var serverEndPoint = new IPEndPoint(IPAddress.Loopback, server.UdpPort);

        byte[] check = StunClient.Check(UsernameFor(session), session.LocalCredentials.Password, useCandidate: true);
        await peer.SendToAsync(check, serverEndPoint);
        byte[]? response = await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5));

        Assert.NotNull(response);
        Assert.True(StunMessageView.TryParse(response, out var m));
        Assert.Equal(StunMessageType.BindingSuccess, m.Type);
        Assert.True(m.TransactionId.SequenceEqual(check.AsSpan(8, 12)));
        Assert.True(m.TryGetXorMappedAddress(out var mapped));
        Assert.Equal(peer.LocalEndPoint, mapped);
        Assert.True(m.VerifyMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(session.LocalCredentials.Password)));
        Assert.True(m.VerifyFingerprint());
        await session.Connected.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(session.Agent.IsNominated);
        Assert.Equal(peer.LocalEndPoint, session.SelectedRemote);
        Assert.Equal(IceTransportProtocol.Udp, session.SelectedProtocol);
        Assert.Equal(1, server.ChecksAnswered);
    }

    [Fact]
    public async Task A_check_with_a_bad_message_integrity_is_ignored_and_counted()
    {
        await using IceServer server = StartServer();
        IceSession session = server.CreateSession();
        using Socket peer = StunClient.UdpSocket();
        var serverEndPoint = new IPEndPoint(IPAddress.Loopback, server.UdpPort);

        byte[] bad = StunClient.Check(UsernameFor(session), "wrongwrongwrongwrongwrong");
        await peer.SendToAsync(bad, serverEndPoint);
        Assert.Null(await StunClient.ReceiveAsync(peer, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1, server.IntegrityFailures);
        Assert.Equal(1, session.Agent.IntegrityFailures);
        Assert.Null(session.SelectedRemote);

        // The same peer with the right password is answered: the bad check changed nothing.
        await peer.SendToAsync(StunClient.Check(UsernameFor(session), session.LocalCredentials.Password), serverEndPoint);
        Assert.NotNull(await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5)));
        Assert.Equal(1, server.IntegrityFailures);
        Assert.Equal(1, server.ChecksAnswered);
    }

    [Fact]
    public async Task A_check_for_an_unknown_ufrag_is_ignored_and_counted()
    {
        await using IceServer server = StartServer();
        IceSession session = server.CreateSession();
        using Socket peer = StunClient.UdpSocket();
        await peer.SendToAsync(StunClient.Check("nobody:peer", session.LocalCredentials.Password), new IPEndPoint(IPAddress.Loopback, server.UdpPort));
        Assert.Null(await StunClient.ReceiveAsync(peer, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1, server.UnknownUsernames);
    }

    [Fact]
    public async Task A_peer_that_claims_the_controlled_role_gets_487()
    {
        await using IceServer server = StartServer();
        IceSession session = server.CreateSession();
        using Socket peer = StunClient.UdpSocket();
        await peer.SendToAsync(StunClient.Check(UsernameFor(session), session.LocalCredentials.Password, controlled: true), new IPEndPoint(IPAddress.Loopback, server.UdpPort));
        byte[]? response = await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5));
        Assert.True(StunMessageView.TryParse(response, out var m));
        Assert.Equal(StunMessageType.BindingError, m.Type);
        Assert.True(m.TryGetErrorCode(out int code, out _));
        Assert.Equal(487, code);
        Assert.Null(session.SelectedRemote);
    }

    [Fact]
    public async Task Rtp_and_dtls_are_routed_only_from_a_validated_address()
    {
        await using IceServer server = StartServer();
        IceSession session = server.CreateSession();
        var rtp = new List<byte[]>();
        var dtls = new List<byte[]>();
        session.RtpReceived = p => { lock (rtp) { rtp.Add(p.ToArray()); } };
        session.DtlsReceived = p => { lock (dtls) { dtls.Add(p.ToArray()); } };
        using Socket peer = StunClient.UdpSocket();
        using Socket stranger = StunClient.UdpSocket();
        var serverEndPoint = new IPEndPoint(IPAddress.Loopback, server.UdpPort);
        byte[] rtpPacket = [0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3];
        byte[] dtlsRecord = [22, 0xFE, 0xFD, 0, 0];

        await stranger.SendToAsync(rtpPacket, serverEndPoint);
        await stranger.SendToAsync(dtlsRecord, serverEndPoint);
        await peer.SendToAsync(StunClient.Check(UsernameFor(session), session.LocalCredentials.Password, useCandidate: true), serverEndPoint);
        Assert.NotNull(await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5)));
        await peer.SendToAsync(rtpPacket, serverEndPoint);
        await peer.SendToAsync(dtlsRecord, serverEndPoint);

        await Until(() => rtp.Count == 1 && dtls.Count == 1);
        Assert.Equal(rtpPacket, rtp[0]);
        Assert.Equal(dtlsRecord, dtls[0]);
        Assert.Equal(2, server.UnroutablePackets);

        // And the session sends back on the nominated path.
        session.Send([0x80, 1, 2, 3]);
        Assert.Equal(new byte[] { 0x80, 1, 2, 3 }, await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Consent_lapses_30_seconds_after_the_last_valid_check_and_the_session_closes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using IceServer server = StartServer(time);
        IceSession session = server.CreateSession();
        var closed = new TaskCompletionSource<IceCloseReason>();
        session.Closed += (_, reason) => closed.TrySetResult(reason);
        using Socket peer = StunClient.UdpSocket();
        var serverEndPoint = new IPEndPoint(IPAddress.Loopback, server.UdpPort);

        for (int i = 0; i < 3; i++)
        {
            // A check every 20 s keeps consent fresh.
            await peer.SendToAsync(StunClient.Check(UsernameFor(session), session.LocalCredentials.Password), serverEndPoint);
            Assert.NotNull(await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5)));
            time.Advance(TimeSpan.FromSeconds(20));
            Assert.False(session.IsClosed);
        }

        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(IceCloseReason.ConsentExpired, await closed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, server.SessionCount);

        // Its address no longer routes, and its ufrag no longer answers.
        await peer.SendToAsync(StunClient.Check(UsernameFor(session), session.LocalCredentials.Password), serverEndPoint);
        Assert.Null(await StunClient.ReceiveAsync(peer, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Ice_tcp_answers_framed_checks_and_routes_framed_rtp()
    {
        await using IceServer server = StartServer(tcp: true);
        IceSession session = server.CreateSession();
        var rtp = new TaskCompletionSource<byte[]>();
        session.RtpReceived = p => rtp.TrySetResult(p.ToArray());
        Assert.Contains(server.Candidates, c => c.Protocol == IceTransportProtocol.Tcp && c.Port == server.TcpPort);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.TcpPort!.Value);
        NetworkStream stream = client.GetStream();
        byte[] check = StunClient.Check(UsernameFor(session), session.LocalCredentials.Password, useCandidate: true);
        await WriteFrame(stream, check);
        var buffer = new byte[65535];
        int n = await Rfc4571Framing.ReadAsync(stream, buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(StunMessageView.TryParse(buffer.AsSpan(0, n), out var m));
        Assert.Equal(StunMessageType.BindingSuccess, m.Type);
        Assert.True(m.VerifyMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(session.LocalCredentials.Password)));
        await session.Connected.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(IceTransportProtocol.Tcp, session.SelectedProtocol);

        byte[] rtpPacket = [0x80, 96, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 42];
        await WriteFrame(stream, rtpPacket);
        Assert.Equal(rtpPacket, await rtp.Task.WaitAsync(TimeSpan.FromSeconds(5)));

        session.Send([0x80, 5, 6]);
        n = await Rfc4571Framing.ReadAsync(stream, buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new byte[] { 0x80, 5, 6 }, buffer[..n]);
    }

    [Fact]
    public async Task Rfc_4571_framing_round_trips_over_a_real_tcp_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using TcpClient accepted = await listener.AcceptTcpClientAsync();
        var random = new Random(7);
        byte[][] packets = [.. Enumerable.Range(0, 50).Select(i => new byte[i == 0 ? 0 : i == 1 ? 65535 : random.Next(1, 1500)])];
        foreach (byte[] p in packets)
        {
            random.NextBytes(p);
        }

        Task writer = Task.Run(async () =>
        {
            foreach (byte[] p in packets)
            {
                await WriteFrame(client.GetStream(), p);
            }

            client.Client.Shutdown(SocketShutdown.Send);
        });
        var buffer = new byte[65535];
        foreach (byte[] expected in packets)
        {
            int n = await Rfc4571Framing.ReadAsync(accepted.GetStream(), buffer);
            Assert.Equal(expected, buffer[..n]);
        }

        Assert.Equal(-1, await Rfc4571Framing.ReadAsync(accepted.GetStream(), buffer));
        await writer;
    }

    internal static async Task WriteFrame(Stream stream, byte[] packet)
    {
        var frame = new byte[packet.Length + 2];
        Rfc4571Framing.Write(frame, packet);
        await stream.WriteAsync(frame);
    }

    internal static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 5 s");
            await Task.Delay(10);
        }
    }
}
