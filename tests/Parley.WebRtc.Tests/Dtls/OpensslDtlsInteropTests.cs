using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Parley.Security.Dtls;
using Parley.Security.Srtp;
using Parley.WebRtc.Ice;

namespace Parley.WebRtc.Tests.Dtls;

/// <summary>
/// openssl s_client (OpenSSL 3.0) as the DTLS client of our DTLS-SRTP server, through the shared UDP mux: a peer no
/// one here wrote. DTLS without ICE: the test binds openssl's address to the session, as a valid check would.
/// </summary>
public sealed class OpensslDtlsInteropTests : IDisposable
{
    private static readonly DtlsCertificate ServerCertificate = DtlsCertificate.Generate("parley-test");
    private readonly string _dir = Directory.CreateTempSubdirectory("parley-dtls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("SRTP_AES128_CM_SHA1_80", SrtpProtectionProfile.Aes128CmHmacSha1_80, 60)]
    [InlineData("SRTP_AEAD_AES_128_GCM", SrtpProtectionProfile.AeadAes128Gcm, 56)]
    public async Task Openssl_client_negotiates_use_srtp_and_exports_the_same_keying_material(string opensslProfile, SrtpProtectionProfile profile, int length)
    {
        DtlsFingerprint clientFingerprint = MakeClientCertificate();
        var (result, keys, counters) = await RunAsync(clientFingerprint, opensslProfile, length);

        Assert.NotNull(keys);
        Assert.Contains($"SRTP Extension negotiated, profile={opensslProfile}", result);
        Assert.Equal(profile, keys.Profile);
        Match m = Regex.Match(result, @"Keying material: ([0-9A-Fa-f]+)");
        Assert.True(m.Success, result);
        Assert.Equal(Convert.ToHexString(keys.KeyingMaterial), m.Groups[1].Value.ToUpperInvariant());
        Assert.Equal(1, counters.Completed);
        Assert.Equal(0, counters.FingerprintMismatches);
    }

    [Fact]
    public async Task Openssl_client_with_a_certificate_that_does_not_match_the_sdp_fingerprint_is_refused_and_counted()
    {
        MakeClientCertificate();
        DtlsFingerprint expected = DtlsCertificate.Generate("the-real-peer").Fingerprint;
        var (result, keys, counters) = await RunAsync(expected, "SRTP_AES128_CM_SHA1_80", 60);

        Assert.Null(keys);
        Assert.Equal(1, counters.FingerprintMismatches);
        Assert.Equal(1, counters.Failed);
        Assert.Equal(0, counters.Completed);
        // openssl's side of the flight is done before our verdict arrives; what it gets is the alert (RFC 5246 §7.2.2: 42).
        Assert.Contains("alert bad certificate", result);
    }

    private DtlsFingerprint MakeClientCertificate()
    {
        RunOpenssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", Path.Combine(_dir, "key.pem"), "-out", Path.Combine(_dir, "cert.pem"), "-days", "1", "-subj", "/CN=openssl"]);
        string pem = File.ReadAllText(Path.Combine(_dir, "cert.pem"));
        string base64 = Regex.Match(pem, "-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", RegexOptions.Singleline).Groups[1].Value;
        return DtlsFingerprint.Sha256(Convert.FromBase64String(base64));
    }

    private async Task<(string Output, DtlsSrtpKeys? Keys, DtlsCounters Counters)> RunAsync(DtlsFingerprint expectedClient, string opensslProfile, int length)
    {
        await using var server = new IceServer(new IceServerOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        server.Start();
        IceSession session = server.CreateSession();
        int clientPort = FreeUdpPort();
        server.BindUdp(session, new IPEndPoint(IPAddress.Loopback, clientPort));
        var counters = new DtlsCounters();
        using var dtls = new DtlsSrtpTransport(DtlsRole.Server, ServerCertificate, expectedClient, session, counters);
        session.DtlsReceived = dtls.Receive;
        Task<DtlsSrtpKeys> handshake = dtls.HandshakeAsync();

        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[]
        {
            "s_client", "-dtls1_2", "-use_srtp", opensslProfile, "-connect", $"127.0.0.1:{server.UdpPort}",
            "-bind", $"127.0.0.1:{clientPort}", "-cert", Path.Combine(_dir, "cert.pem"), "-key", Path.Combine(_dir, "key.pem"),
            "-keymatexport", DtlsSrtpKeys.ExporterLabel, "-keymatexportlen", length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            psi.ArgumentList.Add(a);
        }

        using Process process = Process.Start(psi)!;
        try
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            DtlsSrtpKeys? keys = null;
            try
            {
                keys = await handshake.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception e) when (e is not TimeoutException)
            {
                // Refused: openssl is told by an alert and exits.
            }

            // End of stdin makes s_client close the connection and exit once it printed the session details.
            process.StandardInput.Close();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "openssl s_client did not exit");
            return (await stdout + await stderr, keys, counters);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
    }

    private static void RunOpenssl(string[] arguments)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
    }

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}
