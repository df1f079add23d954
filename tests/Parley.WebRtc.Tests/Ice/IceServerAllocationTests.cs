using System.Net;
using System.Net.Sockets;
using Parley.WebRtc.Ice;

namespace Parley.WebRtc.Tests.Ice;

[CollectionDefinition("Allocation measurements", DisableParallelization = true)]
public sealed class AllocationMeasurements;

/// <summary>Runs alone: it counts the bytes the whole process allocates while RTP flows through the mux.</summary>
[Collection("Allocation measurements")]
public class IceServerAllocationTests
{
    [Fact]
    public async Task Rtp_demux_on_the_udp_mux_allocates_nothing_per_packet()
    {
        await using var server = new IceServer(new IceServerOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        server.Start();
        IceSession session = server.CreateSession();
        long received = 0;
        session.RtpReceived = _ => Interlocked.Increment(ref received);
        using Socket peer = StunClient.UdpSocket();
        var serverEndPoint = new IPEndPoint(IPAddress.Loopback, server.UdpPort);
        await peer.SendToAsync(StunClient.Check(session.LocalCredentials.Ufrag + ":peer", session.LocalCredentials.Password, useCandidate: true), serverEndPoint);
        Assert.NotNull(await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5)));
        peer.Connect(serverEndPoint);
        byte[] rtp = new byte[200];
        rtp[0] = 0x80;

        async Task SendBatch(int count)
        {
            long target = Interlocked.Read(ref received) + count;
            for (int i = 0; i < count; i++)
            {
                peer.Send(rtp);
                if (i % 10 == 9)
                {
                    // At most 20 packets in flight: well inside the socket buffer, so nothing is lost.
                    while (Interlocked.Read(ref received) < target - count + i - 20)
                    {
                        await Task.Yield();
                    }
                }
            }

            await IceServerTests.Until(() => Interlocked.Read(ref received) >= target);
        }

        await SendBatch(2000); // warm-up: JIT, tiering, socket async machinery
        const int packets = 5000;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await SendBatch(packets);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // One object per packet would be at least 24 bytes * 5000 = 120 kB; allow the test's own polling.
        Assert.True(allocated < 40_000, $"{allocated} bytes allocated for {packets} packets ({(double)allocated / packets:F1} B/packet)");
        Assert.Equal(0, server.UnroutablePackets);
    }
}
