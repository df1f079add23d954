using System.Text.RegularExpressions;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// `parley serve` with its embedded defaults, seen from its own machine and from another one: it runs in a network
/// namespace of its own (so the fixed default ports 8080, 8443, 8554 and 8322 are free and nothing leaves the
/// namespace), and curl, openssl and ffprobe reach it from 127.0.0.1 (this machine) and from 10.253.0.1 (an address
/// that is not loopback, so the hub treats it as another machine on the LAN).
/// </summary>
public sealed partial class PlainPortsTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    [Fact]
    public async Task Defaults_serve_plaintext_to_loopback_and_send_the_lan_to_https_and_rtsps()
    {
        string dir = TestPaths.NewTempDirectory();
        using var ns = NetworkNamespace.Create();
        string lan = ns.LanAddress;
        await using (var serve = ns.Start(dir, Parley, "serve"))
        {
            await WaitForStartAsync(serve);
            string log = serve.StandardOutput;
            var fingerprint = FingerprintLine().Match(log);
            Assert.True(fingerprint.Success, "the certificate fingerprint is printed at start:\n" + log);
            Assert.Contains("https://localhost:8443/", log, StringComparison.Ordinal);

            // This machine: plain HTTP and plain RTSP as before.
            Assert.Equal("200", await CurlAsync(ns, "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:8080/demo"));
            Assert.Equal("200", await CurlAsync(ns, "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:8080/api/streams"));
            Assert.Contains("RTSP/1.0 200 OK", await CurlAsync(ns, "-i", "--request", "OPTIONS", "rtsp://127.0.0.1:8554/demo"), StringComparison.Ordinal);

            // Another machine, plain HTTP: pages are redirected to the same URL on HTTPS; API calls and WebSocket
            // handshakes are refused with the HTTPS URL, before any credentials could be checked (or sent).
            Assert.Equal($"308 https://{lan}:8443/demo?x=1",
                await CurlAsync(ns, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", $"http://{lan}:8080/demo?x=1"));
            string api = await CurlAsync(ns, "-i", $"http://{lan}:8080/api/streams");
            Assert.StartsWith("HTTP/1.1 403", api, StringComparison.Ordinal);
            Assert.Contains($"use https://{lan}:8443/api/streams", api, StringComparison.Ordinal);
            string socket = await CurlAsync(ns, "-i", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", $"http://{lan}:8080/r/lobby/ws");
            Assert.StartsWith("HTTP/1.1 403", socket, StringComparison.Ordinal);
            Assert.Matches($"(?i)x-parley-error: .*use https://{Regex.Escape(lan)}:8443/r/lobby/ws", socket);

            // Another machine, HTTPS: the page is served, the API asks for credentials (access control still applies),
            // and the certificate on the wire is the one whose fingerprint was printed.
            Assert.Equal("200", await CurlAsync(ns, "-k", "-o", "/dev/null", "-w", "%{http_code}", $"https://{lan}:8443/demo"));
            Assert.Equal("401", await CurlAsync(ns, "-k", "-o", "/dev/null", "-w", "%{http_code}", $"https://{lan}:8443/api/streams"));
            string served = await ns.RunAsync("sh", "-c", $"openssl s_client -connect {lan}:8443 </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256");
            Assert.Equal(Hex(fingerprint.Groups[1].Value), Hex(served[(served.IndexOf('=', StringComparison.Ordinal) + 1)..]));

            // Another machine, plain RTSP: 403 naming the rtsps:// URL; over RTSPS with the admin's password it plays.
            // curl only sends "OPTIONS *" over RTSP; a DESCRIBE of the demo URL is written by hand.
            string rtsp = await ns.RunAsync("/usr/bin/python3", "-c",
                "import socket; s = socket.create_connection(('" + lan + "', 8554)); " +
                "s.sendall(b'DESCRIBE rtsp://" + lan + ":8554/demo RTSP/1.0\\r\\nCSeq: 2\\r\\n\\r\\n'); print(s.recv(4096).decode())");
            output.WriteLine(rtsp);
            Assert.StartsWith("RTSP/1.0 403", rtsp, StringComparison.Ordinal);
            Assert.Contains($"use rtsps://{lan}:8322/demo", rtsp, StringComparison.Ordinal);
            string password = AdminPassword().Match(log).Groups[1].Value;
            Assert.NotEmpty(password);
            string probe = await ns.RunAsync("ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                $"rtsps://admin:{password}@{lan}:8322/demo");
            Assert.Contains("mjpeg", probe, StringComparison.Ordinal);
            string plainProbe = await ns.RunAsync("ffprobe", "-v", "error", "-rtsp_transport", "tcp", $"rtsp://admin:{password}@{lan}:8554/demo");
            Assert.Contains("403", plainProbe, StringComparison.Ordinal);
            await serve.InterruptAsync();
            await serve.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Plaintext_allow_serves_the_lan_over_plain_http_and_rtsp()
    {
        string dir = TestPaths.NewTempDirectory();
        using var ns = NetworkNamespace.Create();
        string lan = ns.LanAddress;
        await using (var serve = ns.Start(dir, Parley, "serve", "--set", "http.plaintext=allow", "--set", "rtsp.plaintext=allow", "--set", "http.tls=false"))
        {
            await WaitForStartAsync(serve);
            Assert.DoesNotContain("https://", serve.StandardOutput, StringComparison.Ordinal);
            Assert.Equal("200", await CurlAsync(ns, "-o", "/dev/null", "-w", "%{http_code}", $"http://{lan}:8080/demo"));
            // Allowed to use plain HTTP, still not allowed in without credentials.
            Assert.Equal("401", await CurlAsync(ns, "-o", "/dev/null", "-w", "%{http_code}", $"http://{lan}:8080/api/streams"));
            Assert.Contains("RTSP/1.0 200 OK", await CurlAsync(ns, "-i", "--request", "OPTIONS", $"rtsp://{lan}:8554/demo"), StringComparison.Ordinal);
            await serve.InterruptAsync();
            await serve.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static Task<string> CurlAsync(NetworkNamespace ns, params string[] arguments) =>
        ns.RunAsync("curl", ["-s", "--max-time", "10", .. arguments]);

    private static string Hex(string fingerprint) => fingerprint.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant();

    private async Task WaitForStartAsync(ExternalProcess serve)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !serve.HasExited && !serve.StandardOutput.Contains("hub running", StringComparison.Ordinal))
        {
            await Task.Delay(50);
        }

        output.WriteLine(serve.StandardOutput + serve.StandardError);
        Assert.Contains("hub running", serve.StandardOutput, StringComparison.Ordinal);
    }

    [GeneratedRegex("SHA-256 fingerprint ([0-9A-Fa-f:]+)")]
    private static partial Regex FingerprintLine();

    [GeneratedRegex(@"created user 'admin' with password (\S+)")]
    private static partial Regex AdminPassword();
}
