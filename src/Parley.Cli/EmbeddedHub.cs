using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Hub;
using Parley.Hub.Configuration;
using Parley.Security.Pinning;

namespace Parley.Cli;

/// <summary>
/// The in-process hub of `parley send --listen` and `parley call --listen`: peers reach this machine directly, with
/// no `parley serve` anywhere. RTSP and RTSPS (no web UI, no demo), RTP/RTCP on free UDP ports. The RTSPS
/// certificate is generated once and kept next to the known-hubs file, so a peer that pinned it on its first call
/// keeps trusting this machine.
/// </summary>
internal static class EmbeddedHub
{
    /// <summary>Where the peer hub keeps its certificate: next to the known-hubs file.</summary>
    public static string CertificatePath =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(KnownHubs.DefaultPath())) ?? ".", "listen-tls.pfx");

    /// <summary>The RTSPS port for --listen ADDRESS:PORT without --rtsps-port: PORT + 1, or a free one when PORT is 0.</summary>
    public static int DefaultTlsPort(IPEndPoint endpoint) => endpoint.Port == 0 || endpoint.Port == IPEndPoint.MaxPort ? 0 : endpoint.Port + 1;

    /// <returns>The running hub and the URL this process reaches it at (loopback when listening on any address, plain
    /// RTSP: this process talks to itself); (null, null) after printing why when a port cannot be bound.</returns>
    public static async Task<(HubHost? Hub, Uri? Url)> StartAsync(string command, IPEndPoint endpoint, int tlsPort, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var options = new HubOptions();
        options.Rtsp.Address = endpoint.Address;
        options.Rtsp.Port = endpoint.Port;
        options.Rtsp.RtpPort = 0;
        options.Http.Enabled = false;
        options.Demo.Enabled = false;
        // A direct peer-to-peer link: the other side has no account here and nothing asks it for one yet, and a
        // one-call hub should leave no state file behind in the working directory.
        options.Auth.Enabled = false;
        options.Rtsp.Tls = true;
        options.Rtsp.TlsPort = tlsPort;
        options.Tls.GeneratedCertificate = CertificatePath;
        HubHost hub;
        try
        {
            hub = new HubHost(options, loggerFactory);
        }
        catch (InvalidOperationException e)
        {
            // The certificate could not be generated or read; the message names the file.
            await Console.Error.WriteLineAsync($"{command}: {e.Message}");
            return (null, null);
        }

        try
        {
            await hub.StartAsync(cancellationToken);
        }
        catch (SocketException e)
        {
            await hub.DisposeAsync();
            await Console.Error.WriteLineAsync($"{command}: cannot listen on {endpoint} or RTSPS port {tlsPort} ({e.Message}). Another program may hold that port; choose another with --listen ADDRESS:PORT or --rtsps-port PORT.");
            return (null, null);
        }

        var self = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endpoint.Address;
        return (hub, new Uri($"rtsp://{new IPEndPoint(self, hub.Rtsp.Port)}"));
    }
}
