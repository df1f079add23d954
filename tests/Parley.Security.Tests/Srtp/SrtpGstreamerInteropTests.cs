using System.Net;
using System.Net.Sockets;
using Parley.Media.Opus;
using Parley.Media.Tests.Infrastructure;
using Parley.Rtp;
using Parley.Security.Srtp;

namespace Parley.Security.Tests.Srtp;

/// <summary>
/// Our SRTP/SRTCP against libsrtp, which no one here wrote, through GStreamer's srtpenc and srtpdec
/// (gst-plugins-bad): packets GStreamer protects are unprotected by us, and packets we protect are unprotected by
/// srtpdec and sent back in the clear, where every byte is compared with what we protected. Both runs cross the
/// 16-bit sequence number wrap, so both sides' rollover counters must agree.
/// </summary>
public class SrtpGstreamerInteropTests
{
    private const uint Ssrc = 0x11223344;

    public static readonly TheoryData<SrtpProtectionProfile> Profiles =
    [
        SrtpProtectionProfile.Aes128CmHmacSha1_80,
        SrtpProtectionProfile.Aes128CmHmacSha1_32,
        SrtpProtectionProfile.AeadAes128Gcm,
    ];

    private static (string Cipher, string Auth) GstNames(SrtpProtectionProfile profile) => profile switch
    {
        SrtpProtectionProfile.Aes128CmHmacSha1_32 => ("aes-128-icm", "hmac-sha1-32"),
        SrtpProtectionProfile.AeadAes128Gcm => ("aes-128-gcm", "null"),
        _ => ("aes-128-icm", "hmac-sha1-80"),
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void We_unprotect_what_gstreamer_srtpenc_protects(SrtpProtectionProfile profile)
    {
        var (key, salt) = SrtpContextTests.MasterKeys(profile);
        var (cipher, auth) = GstNames(profile);
        using var socket = BindLoopback();
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        const int Buffers = 150;
        using var gst = TestMedia.Start("gst-launch-1.0", [
            "-q", "audiotestsrc", $"num-buffers={Buffers}", "samplesperbuffer=960", "!", "audio/x-raw,rate=48000,channels=1",
            "!", "opusenc", "frame-size=20", "!", "rtpopuspay", $"ssrc={Ssrc}", "seqnum-offset=65480", "pt=111",
            "!", "srtpenc", $"key={Convert.ToHexString([.. key, .. salt])}",
            $"rtp-cipher={cipher}", $"rtp-auth={auth}", $"rtcp-cipher={cipher}", $"rtcp-auth={(auth == "null" ? "null" : "hmac-sha1-80")}",
            "!", "udpsink", "host=127.0.0.1", $"port={port}", "sync=false",
        ]);

        using var receiver = new SrtpContext(profile, key, salt);
        byte[] buffer = new byte[2048];
        int ok = 0;
        int opusFrames = 0;
        long lastIndex = -1;
        bool crossedWrap = false;
        while (Receive(socket, buffer, gst.HasExited ? 500 : 10_000) is int length and > 0)
        {
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(buffer, length, out int plainLength));
            ok++;
            Assert.True(RtpPacketView.TryParse(buffer.AsSpan(0, plainLength), out var rtp));
            Assert.Equal(Ssrc, rtp.Ssrc);
            Assert.Equal(111, rtp.PayloadType);
            if (OpusPacketInfo.TryGetSampleCount(rtp.Payload, out int samples) && samples == 960)
            {
                opusFrames++; // decrypted payload is a real 20 ms Opus packet
            }

            crossedWrap |= lastIndex >= 0 && rtp.SequenceNumber < lastIndex;
            lastIndex = rtp.SequenceNumber;
        }

        string log = gst.StopAndGetStdErr();
        Assert.True(ok >= Buffers - 2, $"unprotected {ok} of {Buffers} packets from srtpenc: {log}");
        Assert.Equal(ok, opusFrames);
        Assert.True(crossedWrap, "the run should cross the sequence number wrap");
        Assert.Equal(0, receiver.AuthenticationFailures + receiver.Replays + receiver.MalformedPackets);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Gstreamer_srtpdec_unprotects_what_we_protect(SrtpProtectionProfile profile)
    {
        var (key, salt) = SrtpContextTests.MasterKeys(profile);
        var (cipher, auth) = GstNames(profile);
        string rtcpAuth = auth == "null" ? "null" : "hmac-sha1-80";
        string keyFields = $"ssrc=(uint){Ssrc},srtp-key=(buffer){Convert.ToHexString([.. key, .. salt])}," +
            $"srtp-cipher=(string){cipher},srtp-auth=(string){auth},srtcp-cipher=(string){cipher},srtcp-auth=(string){rtcpAuth}";
        using var back = BindLoopback();
        int backPort = ((IPEndPoint)back.LocalEndPoint!).Port;
        int rtpPort = TestMedia.FreeUdpPort();
        int rtcpPort = TestMedia.FreeUdpPort();
        using var gst = TestMedia.Start("gst-launch-1.0", [
            "-q", "srtpdec", "name=d",
            "udpsrc", "address=127.0.0.1", $"port={rtpPort}", $"caps=application/x-srtp,{keyFields}", "!", "d.rtp_sink",
            "udpsrc", "address=127.0.0.1", $"port={rtcpPort}", $"caps=application/x-srtcp,{keyFields}", "!", "d.rtcp_sink",
            "d.rtp_src", "!", "udpsink", "host=127.0.0.1", $"port={backPort}", "sync=false",
            "d.rtcp_src", "!", "udpsink", "host=127.0.0.1", $"port={backPort}", "sync=false", "async=false",
        ]);

        using var sender = new SrtpContext(profile, key, salt);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var rtpTarget = new IPEndPoint(IPAddress.Loopback, rtpPort);
        var rtcpTarget = new IPEndPoint(IPAddress.Loopback, rtcpPort);
        var sent = new Dictionary<ushort, byte[]>();
        byte[] buffer = new byte[2048];
        ushort seq = 65000;

        // Warm up until srtpdec answers (udpsrc binds asynchronously), then the measured run across the wrap.
        byte[] received = new byte[2048];
        int warmup = 0;
        while (true)
        {
            if (warmup++ > 200 || gst.HasExited)
            {
                Assert.Fail($"srtpdec never answered: {gst.StopAndGetStdErr()}");
            }

            SendRtp(seq++);
            if (Receive(back, received, 50) > 0)
            {
                break;
            }
        }

        while (Receive(back, received, 200) > 0)
        {
        }

        seq = 65450; // 150 packets: 86 before the wrap, 64 after; the receiver is at 65000 + warmup, same cycle
        const int Count = 150;
        for (int i = 0; i < Count; i++)
        {
            SendRtp(seq++);
            Thread.Sleep(1);
        }

        byte[] rtcp = TestPackets.Rtcp(Ssrc);
        for (int i = 0; i < 3; i++)
        {
            rtcp.CopyTo(buffer, 0);
            Assert.True(sender.TryProtectRtcp(buffer, rtcp.Length, out int length));
            socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, rtcpTarget);
        }

        int matched = 0;
        int rtcpMatched = 0;
        while (Receive(back, received, 1000) is int n and > 0)
        {
            if (received[1] == 201)
            {
                Assert.Equal(rtcp, received[..n]);
                rtcpMatched++;
                continue;
            }

            Assert.True(RtpPacketView.TryParse(received.AsSpan(0, n), out var view));
            Assert.True(sent.TryGetValue(view.SequenceNumber, out byte[]? plain), $"unexpected sequence number {view.SequenceNumber}");
            Assert.Equal(plain, received[..n]); // every byte, header extension and CSRCs included
            if (view.SequenceNumber is >= 65450 or < 100)
            {
                matched++;
            }
        }

        string log = gst.StopAndGetStdErr();
        Assert.True(matched >= Count - 2, $"srtpdec returned {matched} of {Count} packets: {log}");
        Assert.Equal(3, rtcpMatched);

        void SendRtp(ushort sequenceNumber)
        {
            byte[] plain = TestPackets.Rtp(sequenceNumber, Ssrc, payloadLength: 200 + (sequenceNumber % 100), csrcs: 2,
                extensionWords: 2, seed: sequenceNumber);
            sent[sequenceNumber] = plain;
            plain.CopyTo(buffer, 0);
            Assert.True(sender.TryProtectRtp(buffer, plain.Length, out int length));
            socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, rtpTarget);
        }
    }

    private static Socket BindLoopback()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>One datagram into <paramref name="buffer"/>, or 0 when none arrives within the timeout.</summary>
    private static int Receive(Socket socket, byte[] buffer, int timeoutMs) =>
        socket.Poll(timeoutMs * 1000, SelectMode.SelectRead) ? socket.Receive(buffer) : 0;
}
