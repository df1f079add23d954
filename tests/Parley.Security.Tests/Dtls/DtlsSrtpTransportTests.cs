using Parley.Rtp;
using Parley.Security.Dtls;
using Parley.Security.Srtp;

namespace Parley.Security.Tests.Dtls;

public class DtlsSrtpTransportTests
{
    private static readonly DtlsCertificate ServerCertificate = DtlsCertificate.Generate("server");
    private static readonly DtlsCertificate ClientCertificate = DtlsCertificate.Generate("client");

    /// <summary>Delivers datagrams straight into the other transport: a lossless in-process wire.</summary>
    private sealed class Wire : IDatagramSender
    {
        public DtlsSrtpTransport? Peer { get; set; }

        public void Send(ReadOnlySpan<byte> datagram) => Peer?.Receive(datagram);
    }

    private static (DtlsSrtpTransport Server, DtlsSrtpTransport Client) Pair(
        DtlsFingerprint expectedByServer, DtlsFingerprint expectedByClient, DtlsCounters counters,
        DtlsSrtpOptions? serverOptions = null, DtlsSrtpOptions? clientOptions = null)
    {
        var toClient = new Wire();
        var toServer = new Wire();
        var server = new DtlsSrtpTransport(DtlsRole.Server, ServerCertificate, expectedByServer, toClient, counters, serverOptions);
        var client = new DtlsSrtpTransport(DtlsRole.Client, ClientCertificate, expectedByClient, toServer, counters, clientOptions);
        toClient.Peer = client;
        toServer.Peer = server;
        return (server, client);
    }

    [Fact]
    public async Task Handshake_agrees_on_gcm_and_the_same_keys_and_srtp_flows_both_ways()
    {
        var counters = new DtlsCounters();
        var (server, client) = Pair(ClientCertificate.Fingerprint, ServerCertificate.Fingerprint, counters);
        using (server)
        using (client)
        {
            Task<DtlsSrtpKeys> s = server.HandshakeAsync();
            Task<DtlsSrtpKeys> c = client.HandshakeAsync();
            DtlsSrtpKeys serverKeys = await s.WaitAsync(TimeSpan.FromSeconds(20));
            DtlsSrtpKeys clientKeys = await c.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(SrtpProtectionProfile.AeadAes128Gcm, serverKeys.Profile);
            Assert.Equal(SrtpProtectionProfile.AeadAes128Gcm, clientKeys.Profile);
            Assert.Equal(56, serverKeys.KeyingMaterial.Length);
            Assert.True(serverKeys.KeyingMaterial.SequenceEqual(clientKeys.KeyingMaterial));
            Assert.False(serverKeys.ClientWriteKey.SequenceEqual(serverKeys.ServerWriteKey));
            Assert.Equal(2, counters.Completed);
            Assert.Equal(0, counters.Failed);

            AssertSrtpFlows(serverKeys, DtlsRole.Server, clientKeys, DtlsRole.Client);
            AssertSrtpFlows(clientKeys, DtlsRole.Client, serverKeys, DtlsRole.Server);

            client.Dispose();
            await server.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task A_client_limited_to_aes_cm_gets_aes_cm_with_60_bytes_of_keying_material()
    {
        var counters = new DtlsCounters();
        var (server, client) = Pair(ClientCertificate.Fingerprint, ServerCertificate.Fingerprint, counters,
            clientOptions: new DtlsSrtpOptions { Profiles = [SrtpProtectionProfile.Aes128CmHmacSha1_80] });
        using (server)
        using (client)
        {
            Task<DtlsSrtpKeys> s = server.HandshakeAsync();
            DtlsSrtpKeys clientKeys = await client.HandshakeAsync().WaitAsync(TimeSpan.FromSeconds(20));
            DtlsSrtpKeys serverKeys = await s.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(SrtpProtectionProfile.Aes128CmHmacSha1_80, serverKeys.Profile);
            Assert.Equal(60, clientKeys.KeyingMaterial.Length);
            AssertSrtpFlows(clientKeys, DtlsRole.Client, serverKeys, DtlsRole.Server);
        }
    }

    [Fact]
    public async Task A_client_whose_certificate_does_not_match_the_sdp_fingerprint_is_refused_and_counted()
    {
        var counters = new DtlsCounters();
        DtlsFingerprint someoneElse = DtlsCertificate.Generate("someone-else").Fingerprint;
        var (server, client) = Pair(someoneElse, ServerCertificate.Fingerprint, counters);
        using (server)
        using (client)
        {
            Task<DtlsSrtpKeys> s = server.HandshakeAsync();
            Task<DtlsSrtpKeys> c = client.HandshakeAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => s.WaitAsync(TimeSpan.FromSeconds(20)));
            await Assert.ThrowsAnyAsync<Exception>(() => c.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(1, counters.FingerprintMismatches);
            Assert.Equal(0, counters.Completed);
            Assert.Equal(2, counters.Failed);
        }
    }

    [Fact]
    public async Task A_server_whose_certificate_does_not_match_is_refused_by_the_client()
    {
        var counters = new DtlsCounters();
        var (server, client) = Pair(ClientCertificate.Fingerprint, DtlsCertificate.Generate("x").Fingerprint, counters);
        using (server)
        using (client)
        {
            Task<DtlsSrtpKeys> s = server.HandshakeAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => client.HandshakeAsync().WaitAsync(TimeSpan.FromSeconds(20)));
            await Assert.ThrowsAnyAsync<Exception>(() => s.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(1, counters.FingerprintMismatches);
            Assert.Equal(0, counters.Completed);
        }
    }

    [Fact]
    public async Task No_common_srtp_profile_fails_and_is_counted()
    {
        var counters = new DtlsCounters();
        var (server, client) = Pair(ClientCertificate.Fingerprint, ServerCertificate.Fingerprint, counters,
            serverOptions: new DtlsSrtpOptions { Profiles = [SrtpProtectionProfile.AeadAes128Gcm] },
            clientOptions: new DtlsSrtpOptions { Profiles = [SrtpProtectionProfile.Aes128CmHmacSha1_80] });
        using (server)
        using (client)
        {
            Task<DtlsSrtpKeys> s = server.HandshakeAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => client.HandshakeAsync().WaitAsync(TimeSpan.FromSeconds(20)));
            await Assert.ThrowsAnyAsync<Exception>(() => s.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(1, counters.NoCommonProfile);
        }
    }

    [Fact]
    public async Task A_silent_peer_times_out()
    {
        var counters = new DtlsCounters();
        using var server = new DtlsSrtpTransport(DtlsRole.Client, ServerCertificate, ClientCertificate.Fingerprint, new Wire(), counters,
            new DtlsSrtpOptions { HandshakeTimeout = TimeSpan.FromSeconds(2) });
        await Assert.ThrowsAnyAsync<IOException>(() => server.HandshakeAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, counters.Failed);
        await server.Closed.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Keying_material_is_split_as_rfc_5764_section_4_2_orders_it()
    {
        byte[] material = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();
        var keys = DtlsSrtpKeys.FromKeyingMaterial(SrtpProtectionProfile.Aes128CmHmacSha1_80, material);
        Assert.Equal(material[..16], keys.ClientWriteKey.ToArray());
        Assert.Equal(material[16..32], keys.ServerWriteKey.ToArray());
        Assert.Equal(material[32..46], keys.ClientWriteSalt.ToArray());
        Assert.Equal(material[46..60], keys.ServerWriteSalt.ToArray());
        Assert.Throws<ArgumentException>(() => DtlsSrtpKeys.FromKeyingMaterial(SrtpProtectionProfile.AeadAes128Gcm, material));
    }

    [Fact]
    public void Fingerprints_print_and_parse_as_sdp_writes_them()
    {
        DtlsFingerprint f = ServerCertificate.Fingerprint;
        string text = f.ToString();
        Assert.Matches("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", text);
        Assert.True(DtlsFingerprint.TryParse(text.ToLowerInvariant(), out var parsed));
        Assert.Equal(f, parsed);
        Assert.True(parsed!.Matches(ServerCertificate.DerEncoded));
        Assert.False(parsed.Matches(ClientCertificate.DerEncoded));
        Assert.False(DtlsFingerprint.TryParse("sha-256 AB:CD", out _));
        Assert.False(DtlsFingerprint.TryParse("md5 " + text[8..], out _));
        Assert.False(DtlsFingerprint.TryParse(null, out _));
    }

    private static void AssertSrtpFlows(DtlsSrtpKeys senderKeys, DtlsRole senderRole, DtlsSrtpKeys receiverKeys, DtlsRole receiverRole)
    {
        using SrtpContext send = senderKeys.CreateSendContext(senderRole);
        using SrtpContext receive = receiverKeys.CreateReceiveContext(receiverRole);
        var buffer = new byte[200];
        var header = new RtpHeader { PayloadType = 111, SequenceNumber = 7, Timestamp = 960, Ssrc = 0x1234 };
        int length = RtpPacketWriter.Write(buffer, header, [1, 2, 3, 4, 5]);
        byte[] plain = buffer[..length];
        Assert.True(send.TryProtectRtp(buffer, length, out int protectedLength));
        Assert.Equal(SrtpResult.Ok, receive.UnprotectRtp(buffer, protectedLength, out int plainLength));
        Assert.Equal(plain, buffer[..plainLength]);
    }
}
