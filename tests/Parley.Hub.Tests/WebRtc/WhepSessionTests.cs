using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Parley.Hub.Protocols.WebRtc;
using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Rtcp;
using Parley.Rtp.Sdp;
using Parley.Security.Srtp;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;
using Parley.WebRtc.Tests.Ice;

namespace Parley.Hub.Tests.WebRtc;

[CollectionDefinition("WHEP allocation", DisableParallelization = true)]
public sealed class WhepAllocation;

/// <summary>
/// A WHEP session as a stream reader, over a real ICE-lite server on loopback and real SRTP, with a UDP socket as
/// the browser: what arrives is what the answer promised, SPS/PPS precede an IDR, a PLI reaches the publisher, and
/// the send path allocates nothing per packet.
/// </summary>
[Collection("WHEP allocation")]
public sealed class WhepSessionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // What ffmpeg announces for presenter-720p.mp4 (SPS/PPS only in sprop-parameter-sets).
    private const string Sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\n"
        + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QAH6zZQFAFuhAAAAMAEAAAAwPI8YMZYA==,aOvjyyLA; profile-level-id=64001F\r\n"
        + "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 opus/48000/2\r\n";

    private static readonly byte[] SendKey = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
    private static readonly byte[] SendSalt = [.. Enumerable.Range(40, 14).Select(i => (byte)i)];
    private static readonly byte[] ReceiveKey = [.. Enumerable.Range(100, 16).Select(i => (byte)i)];
    private static readonly byte[] ReceiveSalt = [.. Enumerable.Range(140, 14).Select(i => (byte)i)];

    [Fact]
    public async Task Packets_arrive_rewritten_with_parameter_sets_before_the_idr_and_a_pli_reaches_the_publisher()
    {
        var publisher = new RecordingPublisher();
        await using var rig = await Rig.StartAsync(publisher);
        var video = rig.Answer.Tracks[0];

        // An IDR as FU-A start, then its end: the browser gets a STAP-A (SPS, PPS) first, one sequence number earlier.
        rig.Stream.WriteRtp(0, Rtp(96, 1000, 90000, [0x7C, 0x85, 1, 2, 3], marker: false));
        rig.Stream.WriteRtp(0, Rtp(96, 1001, 90000, [0x7C, 0x45, 4, 5], marker: true));
        rig.Stream.WriteRtp(1, Rtp(97, 7, 480, [0xFC, 9, 9], marker: true));
        var got = new List<byte[]>();
        for (int i = 0; i < 4; i++)
        {
            got.Add(await rig.ReceiveRtpAsync());
        }

        Parse(got[0], out byte pt, out ushort seq, out uint ssrc, out byte[] payload);
        Assert.Equal((108, video.Ssrc), (pt, ssrc));
        Assert.Equal(24, payload[0] & 0x1F);
        Assert.Equal(0x67, payload[3]); // SPS NAL header after the 16-bit size
        Parse(got[1], out pt, out ushort seq1, out ssrc, out payload);
        Assert.Equal((108, video.Ssrc, (ushort)(seq + 1)), (pt, ssrc, seq1));
        Assert.Equal([0x7C, 0x85, 1, 2, 3], payload);
        Parse(got[2], out _, out ushort seq2, out _, out _);
        Assert.Equal(seq1 + 1, seq2);
        Parse(got[3], out pt, out _, out ssrc, out payload);
        Assert.Equal((111, rig.Answer.Tracks[1].Ssrc), (pt, ssrc));
        Assert.Equal([0xFC, 9, 9], payload);
        Assert.Equal(1, rig.Session.ParameterSetsInserted);

        // The browser's PLI (SRTCP) becomes a PLI to the publisher with the next packet.
        rig.SendRtcpFromPeer(video.Ssrc);
        await Until(() => rig.Session.KeyFrameRequests == 1);
        rig.Stream.WriteRtp(0, Rtp(96, 1002, 93000, [0x41, 1], marker: true));
        Assert.Equal(1, rig.Stream.KeyFrameRequestsSent);
        var rtcp = new RtcpCompoundReader(publisher.Last);
        Assert.True(rtcp.TryReadNext(out _));
        Assert.True(rtcp.TryReadNext(out var feedback));
        Assert.True(RtcpFeedbackView.TryParse(feedback, out var pli) && pli.IsPictureLossIndication);
        Assert.Equal(0x01020304u, pli.MediaSsrc);
    }

    [Fact]
    public async Task A_nack_is_answered_with_the_same_packet_re_protected_and_misses_are_counted()
    {
        await using var rig = await Rig.StartAsync(new RecordingPublisher());
        var video = rig.Answer.Tracks[0];
        rig.Stream.WriteRtp(0, Rtp(96, 2000, 90000, [0x65, 1, 2, 3], marker: true)); // a key frame: the reader starts
        rig.Stream.WriteRtp(0, Rtp(96, 2001, 93000, [0x41, 4, 5, 6], marker: true));
        rig.Stream.WriteRtp(0, Rtp(96, 2002, 96000, [0x41, 7, 8, 9], marker: true));
        byte[] first = await rig.ReceiveRtpAsync(); // SPS and PPS in front of the IDR
        await rig.ReceiveRtpAsync(); // the IDR
        byte[] lost = await rig.ReceiveProtectedAsync(); // lost on the way: never decrypted by the browser
        byte[] third = await rig.ReceiveRtpAsync();
        Parse(first, out _, out ushort firstSequence, out _, out _);
        Parse(third, out _, out ushort thirdSequence, out _, out _);
        Assert.Equal(firstSequence + 3, thirdSequence);

        // The browser names the lost packet and one far older than the cache holds.
        ushort lostSequence = (ushort)(firstSequence + 2);
        rig.SendNackFromPeer(video.Ssrc, [unchecked((ushort)(firstSequence - 5000)), lostSequence]);
        byte[] resent = await rig.ReceiveRtpAsync();
        Parse(resent, out byte pt, out ushort sequence, out uint ssrc, out byte[] payload);
        Assert.Equal((108, lostSequence, video.Ssrc), (pt, sequence, ssrc));
        Assert.Equal([0x41, 4, 5, 6], payload);
        // SRTP leaves the header in clear: the first sending had the same sequence number and SSRC.
        Assert.Equal((lostSequence, video.Ssrc), (BinaryPrimitives.ReadUInt16BigEndian(lost.AsSpan(2)), BinaryPrimitives.ReadUInt32BigEndian(lost.AsSpan(8))));
        await Until(() => rig.Session.RetransmissionsMissed == 1);
        Assert.Equal((1, 1, 1), (rig.Session.NacksReceived, rig.Session.PacketsRetransmitted, rig.Session.RetransmissionsMissed));

        // The retransmission carries a transport-wide sequence number of its own, after the third packet's.
        Assert.Equal(TransportSequence(third) + 1, TransportSequence(resent));
    }

    private static int TransportSequence(byte[] packet)
    {
        Assert.True(RtpPacketView.TryParse(packet, out var rtp));
        var reader = new RtpHeaderExtensionReader(rtp.ExtensionProfile, rtp.ExtensionData);
        while (reader.TryReadNext(out byte id, out var value))
        {
            if (id == 4)
            {
                return BinaryPrimitives.ReadUInt16BigEndian(value);
            }
        }

        Assert.Fail("no transport-wide sequence number (extension 4)");
        return -1;
    }

    [Fact]
    public async Task The_send_path_allocates_nothing_per_packet()
    {
        await using var rig = await Rig.StartAsync(new RecordingPublisher());
        byte[] packet = Rtp(96, 0, 0, new byte[1100], marker: true);
        packet[12] = 0x41;
        void Send(int count)
        {
            for (int i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)i);
                rig.Stream.WriteRtp(0, packet);
            }
        }

        rig.Stream.WriteRtp(0, Rtp(96, 65000, 0, [0x65, 1], marker: true)); // the key frame the reader starts at
        Send(2000);
        const int packets = 5000;
        // Inline delivery: protection and the send run on this thread.
        long before = GC.GetAllocatedBytesForCurrentThread();
        Send(packets);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{allocated} bytes allocated for {packets} packets of 1112 bytes (fan-out, RTP rewrite, SRTP, UDP send)");
        Assert.True(allocated < 4_000, $"{allocated} bytes allocated for {packets} packets");
        Assert.True(rig.Session.PacketsQueued > packets);
        Assert.Equal(0, rig.Session.PacketsDropped);
    }

    private static byte[] Rtp(byte pt, ushort seq, uint timestamp, byte[] payload, bool marker)
    {
        var header = new RtpHeader { PayloadType = pt, SequenceNumber = seq, Timestamp = timestamp, Ssrc = 0x01020304, Marker = marker };
        var buffer = new byte[RtpPacketWriter.GetPacketLength(header, payload.Length)];
        RtpPacketWriter.Write(buffer, header, payload);
        return buffer;
    }

    private static void Parse(byte[] packet, out byte pt, out ushort seq, out uint ssrc, out byte[] payload)
    {
        Assert.True(RtpPacketView.TryParse(packet, out var view));
        (pt, seq, ssrc, payload) = (view.PayloadType, view.SequenceNumber, view.Ssrc, view.Payload.ToArray());
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    private sealed class RecordingPublisher : IStreamPublisher
    {
        public string Description => "test publisher";

        public byte[] Last { get; private set; } = [];

        public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
        {
            if (compound.Length > 8 && compound[8 + 1] == RtcpPacketType.PayloadFeedback)
            {
                Last = compound.ToArray();
            }
        }

        public void Kick(string reason)
        {
        }
    }

    private sealed class Rig : IAsyncDisposable
    {
        private readonly IceServer _ice;
        private readonly Socket _peer;
        private readonly SrtpContext _peerSrtp;

        private Rig(IceServer ice, Socket peer, MediaStream stream, WebRtcAnswer answer, WhepSession session)
        {
            _ice = ice;
            _peer = peer;
            Stream = stream;
            Answer = answer;
            Session = session;
            _peerSrtp = new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, ReceiveKey, ReceiveSalt);
        }

        public MediaStream Stream { get; }

        public WebRtcAnswer Answer { get; }

        public WhepSession Session { get; }

        public static async Task<Rig> StartAsync(IStreamPublisher publisher)
        {
            Assert.True(SdpSession.TryParse(Sdp, out var sdp, out _));
            var stream = new MediaStream("t", sdp!, publisher, new MediaPacketPool(), TimeProvider.System);
            string offerText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-156-whep-offer.sdp")).ReplaceLineEndings("\r\n");
            Assert.True(WebRtcOffer.TryParse(offerText, out var offer, out _));
            var sources = stream.Tracks.Select(t => new WebRtcSourceTrack(t.Index, t.MediaType, t.EncodingName, t.ClockRate, t.Media.GetFormatParameterMap(int.Parse(t.Media.Formats[0], System.Globalization.CultureInfo.InvariantCulture)))).ToList();
            Assert.True(WebRtcAnswer.TryNegotiate(offer, sources, out var answer, out _, out _));

            var ice = new IceServer(new IceServerOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
            ice.Start();
            var iceSession = ice.CreateSession();
            var peer = StunClient.UdpSocket();
            var server = new IPEndPoint(IPAddress.Loopback, ice.UdpPort);
            await peer.SendToAsync(StunClient.Check(iceSession.LocalCredentials.Ufrag + ":peer", iceSession.LocalCredentials.Password, useCandidate: true), server);
            Assert.NotNull(await StunClient.ReceiveAsync(peer, TimeSpan.FromSeconds(5)));
            peer.Connect(server);

            var session = new WhepSession("s1", stream, answer, iceSession, "test");
            session.Activate(new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, SendKey, SendSalt),
                new SrtpContext(SrtpProtectionProfile.Aes128CmHmacSha1_80, ReceiveKey, ReceiveSalt));
            Assert.True(stream.AddReader(session));
            return new Rig(ice, peer, stream, answer, session);
        }

        private SrtpContext PeerReceive { get; } = new(SrtpProtectionProfile.Aes128CmHmacSha1_80, SendKey, SendSalt);

        public async Task<byte[]> ReceiveRtpAsync()
        {
            var data = await StunClient.ReceiveAsync(_peer, TimeSpan.FromSeconds(5));
            Assert.NotNull(data);
            Assert.Equal(SrtpResult.Ok, PeerReceive.UnprotectRtp(data, data.Length, out int plain));
            return data[..plain];
        }

        public async Task<byte[]> ReceiveProtectedAsync()
        {
            var data = await StunClient.ReceiveAsync(_peer, TimeSpan.FromSeconds(5));
            Assert.NotNull(data);
            return data;
        }

        public void SendNackFromPeer(uint mediaSsrc, ushort[] lost)
        {
            var buffer = new byte[128];
            int length = RtcpWriter.WriteReceiverReport(buffer, 0xABCD, []);
            length += RtcpWriter.WriteGenericNack(buffer.AsSpan(length), 0xABCD, mediaSsrc, lost);
            Assert.True(_peerSrtp.TryProtectRtcp(buffer, length, out int protectedLength));
            _peer.Send(buffer.AsSpan(0, protectedLength));
        }

        public void SendRtcpFromPeer(uint mediaSsrc)
        {
            var buffer = new byte[128];
            int length = RtcpWriter.WriteReceiverReport(buffer, 0xABCD, []);
            length += RtcpWriter.WritePictureLossIndication(buffer.AsSpan(length), 0xABCD, mediaSsrc);
            Assert.True(_peerSrtp.TryProtectRtcp(buffer, length, out int protectedLength));
            _peer.Send(buffer.AsSpan(0, protectedLength));
        }

        public async ValueTask DisposeAsync()
        {
            Stream.RemoveReader(Session);
            Session.Close();
            _peer.Dispose();
            _peerSrtp.Dispose();
            PeerReceive.Dispose();
            await _ice.DisposeAsync();
        }
    }
}
