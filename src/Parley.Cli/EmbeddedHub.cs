using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Hub;
using Parley.Hub.Configuration;

namespace Parley.Cli;

/// <summary>
/// The in-process hub of `parley send --listen` and `parley call --listen`: peers reach this machine directly, with
/// no `parley serve` anywhere. RTSP only (no web UI, no demo), RTP/RTCP on free UDP ports.
/// </summary>
internal static class EmbeddedHub
{
    /// <returns>The running hub and the URL this process reaches it at (loopback when listening on any address);
    /// (null, null) after printing why when the port cannot be bound.</returns>
    public static async Task<(HubHost? Hub, Uri? Url)> StartAsync(string command, IPEndPoint endpoint, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
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
        var hub = new HubHost(options, loggerFactory);
        try
        {
            await hub.StartAsync(cancellationToken);
        }
        catch (SocketException e)
        {
            await hub.DisposeAsync();
            await Console.Error.WriteLineAsync($"{command}: cannot listen on {endpoint} ({e.Message}). Another program may hold that port; choose another with --listen ADDRESS:PORT.");
            return (null, null);
        }

        var self = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endpoint.Address;
        return (hub, new Uri($"rtsp://{new IPEndPoint(self, hub.Rtsp.Port)}"));
    }
}
