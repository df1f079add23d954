using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Parley.Rtp.Stun;

namespace Parley.WebRtc.Tests.Ice;

/// <summary>A minimal full-agent side for tests: builds checks with our STUN writer and sends them from a real socket.</summary>
internal static class StunClient
{
    /// <summary>The PRIORITY a browser puts in its checks (a peer-reflexive candidate's, RFC 8445 §7.1.1).</summary>
    public const uint PeerReflexivePriority = 1853824767;

    public static byte[] Check(string username, string password, bool useCandidate = false, bool controlled = false)
    {
        var buffer = new byte[256];
        var w = new StunMessageWriter(buffer, StunMessageType.BindingRequest, RandomNumberGenerator.GetBytes(12));
        w.AddUsername(username);
        w.AddPriority(PeerReflexivePriority);
        if (controlled)
        {
            w.AddIceControlled(42);
        }
        else
        {
            w.AddIceControlling(42);
        }

        if (useCandidate)
        {
            w.AddUseCandidate();
        }

        w.AddMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(password));
        w.AddFingerprint();
        return w.Written.ToArray();
    }

    public static Socket UdpSocket()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for one datagram; null when none came.</summary>
    public static async Task<byte[]?> ReceiveAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[2048];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return buffer[..result.ReceivedBytes];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
