using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Parley.Hub.Protocols.WebRtc;
using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Stun;
using Parley.Security.Dtls;
using Parley.Security.Srtp;
using Parley.WebRtc.Ice;
using Parley.WebRtc.Sdp;

namespace Parley.Benchmarks;

/// <summary>
/// The hub's WebRTC forwarding path, WHIP in and WHEP out, with the real classes: one SRTP packet from a publishing
/// browser enters <see cref="WhipPublisher"/>'s receive path (SRTP decrypt, transport-wide sequence number recorded
/// for congestion control feedback, <see cref="MediaStream.WriteRtp"/>), and every <see cref="WhepSession"/> reader
/// rewrites it (payload type, SSRC, sequence number, its own header extensions), keeps it for NACKs, SRTP-encrypts
/// it and sends it as a UDP datagram on loopback. <see cref="PeerProtect"/> is the browser's share of each
/// iteration (encrypting the input), to subtract.
/// </summary>
/// <remarks>
/// The sends are real sendto() calls to a loopback socket nobody reads (the kernel drops once its buffer is full),
/// so the per-subscriber figure includes the system call. Feedback (TWCC every 50 ms, receiver reports every second)
/// goes out too, as in production.
/// </remarks>
[MemoryDiagnoser]
public class WebRtcForwardingBenchmark
{
    private const int PayloadLength = 1100;
    private const byte TransportSequenceId = 3;

    private readonly byte[] _template = new byte[1500];
    private readonly byte[] _buffer = new byte[1500];
    private readonly List<Socket> _peers = [];
    private int _templateLength;
    private IceServer _ice = null!;
    private WhipPublisher _publisher = null!;
    private SrtpContext _browser = null!;
    private SrtpContext _browserAlone = null!;
    private ushort _sequence;
    private ushort _transportSequence;
    private ushort _aloneSequence;

    /// <summary>The SRTP profile on both legs: the hub prefers AES-GCM (Chromium takes it), AES-CM + HMAC-SHA1 is the fallback.</summary>
    [Params(SrtpProtectionProfile.AeadAes128Gcm, SrtpProtectionProfile.Aes128CmHmacSha1_80)]
    public SrtpProtectionProfile Profile { get; set; }

    /// <summary>WHEP readers of the stream (0: the publisher's receive path alone).</summary>
    [Params(0, 1, 10)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ice = new IceServer(new IceServerOptions { UdpEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        _ice.Start();
        string fingerprint = DtlsCertificate.Generate().Fingerprint.ToString();
        if (!WebRtcOffer.TryParse(Offer("sendonly", fingerprint), out var whipOffer, out string? error)
            || !WebRtcAnswer.TryNegotiateReceive(whipOffer, out var whipAnswer, out error))
        {
            throw new InvalidOperationException(error);
        }

        _publisher = new WhipPublisher("bench", whipAnswer, Connect(), "bench");
        var stream = new MediaStream("bench", _publisher.StreamDescription, _publisher, new MediaPacketPool(), TimeProvider.System);
        _publisher.Stream = stream;
        _publisher.Activate(Context(), Context());
        _browser = Context();
        _browserAlone = Context();

        var sources = stream.Tracks.Select(t => new WebRtcSourceTrack(t.Index, t.MediaType, t.EncodingName, t.ClockRate,
            t.Media.GetFormatParameterMap(int.Parse(t.Media.Formats[0], System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        for (int i = 0; i < Subscribers; i++)
        {
            if (!WebRtcOffer.TryParse(Offer("recvonly", fingerprint), out var whepOffer, out error)
                || !WebRtcAnswer.TryNegotiate(whepOffer, sources, out var whepAnswer, out _, out error))
            {
                throw new InvalidOperationException(error);
            }

            var session = new WhepSession("s" + i, stream, whepAnswer, Connect(), "bench");
            session.Activate(Context(), Context());
            stream.AddReader(session);
        }

        // The browser's packets: H.264 with the transport-wide sequence number extension (id 3) as Chromium sends it.
        var header = new RtpHeader
        {
            PayloadType = 108, Ssrc = 0x5EED, Timestamp = 0, Marker = true, HasExtension = true,
            ExtensionProfile = RtpHeaderExtensionWriter.OneByteProfile, ExtensionData = new byte[] { (TransportSequenceId << 4) | 1, 0, 0, 0 },
        };
        byte[] payload = new byte[PayloadLength];
        RandomNumberGenerator.Fill(payload);
        payload[0] = 0x65; // an IDR slice first, so the readers start
        _templateLength = RtpPacketWriter.Write(_template, header, payload);
        ForwardOne();
        _template[20] = 0x41; // later packets: non-IDR slices (the payload follows 12 header and 8 extension bytes)
        for (int i = 0; i < 5_000; i++)
        {
            ForwardOne();
        }
    }

    /// <summary>The browser's encryption of one input packet (not hub work; subtract it from <see cref="ForwardOne"/>).</summary>
    [Benchmark]
    public int PeerProtect()
    {
        _template.AsSpan(0, _templateLength).CopyTo(_buffer);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _aloneSequence++);
        _browserAlone.TryProtectRtp(_buffer, _templateLength, out int length);
        return length;
    }

    /// <summary>One packet: encrypted as the browser would, then the hub's receive, fan-out and per-reader send.</summary>
    [Benchmark]
    public void ForwardOne()
    {
        _template.AsSpan(0, _templateLength).CopyTo(_buffer);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _sequence);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(4), _sequence * 3000u);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(17), _transportSequence++);
        _sequence++;
        if (_browser.TryProtectRtp(_buffer, _templateLength, out int length))
        {
            _publisher.OnReceived(_buffer.AsSpan(0, length));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _publisher.Dispose();
        _browser.Dispose();
        _browserAlone.Dispose();
        foreach (var peer in _peers)
        {
            peer.Dispose();
        }

        _ice.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    // Both legs use one key: the benchmark measures the work, not the key separation.
    private SrtpContext Context() => new(Profile,
        Enumerable.Range(1, SrtpProtectionProfiles.MasterKeyLength(Profile)).Select(i => (byte)i).ToArray(),
        Enumerable.Range(40, SrtpProtectionProfiles.MasterSaltLength(Profile)).Select(i => (byte)i).ToArray());

    // An ICE session with a nominated loopback path: a peer socket sends one binding request with USE-CANDIDATE.
    private IceSession Connect()
    {
        var session = _ice.CreateSession();
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, _ice.UdpPort);
        byte[] buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, RandomNumberGenerator.GetBytes(12));
        writer.AddUsername(session.LocalCredentials.Ufrag + ":peer");
        writer.AddPriority(0x6E001EFF);
        writer.AddIceControlling(42);
        writer.AddUseCandidate();
        writer.AddMessageIntegrity(System.Text.Encoding.ASCII.GetBytes(session.LocalCredentials.Password));
        writer.AddFingerprint();
        peer.SendTo(writer.Written, server);
        peer.ReceiveTimeout = 5000;
        peer.Receive(new byte[512]);
        if (session.SelectedRemote is null && !session.Connected.Wait(5000))
        {
            throw new InvalidOperationException("the ICE check did not select a path");
        }

        _peers.Add(peer);
        return session;
    }

    private static string Offer(string direction, string fingerprint) =>
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        + "m=video 9 UDP/TLS/RTP/SAVPF 108\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
        + $"a=fingerprint:{fingerprint}\r\na=setup:actpass\r\na=mid:0\r\n"
        + "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
        + $"a=extmap:{TransportSequenceId} http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
        + "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
        + $"a={direction}\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:108 H264/90000\r\n"
        + "a=rtcp-fb:108 transport-cc\r\na=rtcp-fb:108 nack\r\na=rtcp-fb:108 nack pli\r\n"
        + "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";
}
