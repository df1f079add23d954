using System.Text.Json;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Hub.Tests.Rooms;

/// <summary>
/// WebRTC signalling on the room socket (docs/rooms-protocol.md, "WebRTC"): offers are answered there, sections are
/// carried only for live streams, only clients that offered are asked to renegotiate when a stream starts or ends, and
/// an offer from a new RTCPeerConnection replaces the old one.
/// </summary>
public sealed class RoomWebRtcSignallingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    // A browser-like offer with two recvonly Opus sections (mids 0 and 1): a viewer's, asking for two participants' audio.
    private static readonly string ViewerOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" + Section("0") + Section("1");

    private static string Section(string mid) => "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
        + "a=fingerprint:sha-256 F6:B5:68:44:B5:E1:B5:8F:9A:CB:DB:13:F2:D1:49:21:C7:5B:30:5B:FF:CB:46:6A:B6:9D:13:18:46:38:E3:54\r\n"
        + $"a=setup:actpass\r\na=mid:{mid}\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n";

    private static bool Publishing(JsonElement update, bool publishing) =>
        update.GetProperty("participant").GetProperty("id").GetString() == "bob"
        && update.GetProperty("participant").GetProperty("publishing").GetBoolean() == publishing;

    [Fact]
    public async Task Offers_are_answered_on_the_room_socket_and_only_webrtc_clients_are_asked_to_renegotiate()
    {
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path, rooms => rooms.IdleTimeoutSeconds = 60);
        var (alice, _) = await hub.JoinAsync("signal", "Alice");
        var (bob, _) = await hub.JoinAsync("signal", "Bob");
        var (carol, _) = await hub.JoinAsync("signal", "Carol");
        await using var a = alice;
        await using var b = bob;
        await using var c = carol;
        var mids = new Dictionary<string, string> { ["0"] = "bob", ["1"] = "dave" };

        // Not SDP: refused, and the connection goes on. Alice is a WebRTC client from now on.
        await alice.SendAsync(new { type = "webrtc-offer", sdp = "v=0 nonsense", @ref = "o1" });
        var refused = await alice.ReceiveUntilAsync("error");
        Assert.Equal(("webrtc-failed", "o1"), (refused.GetProperty("code").GetString(), refused.GetProperty("ref").GetString()));

        // Bob's stream starts: everyone sees the update, only Alice (who offered) is asked to renegotiate, after it.
        using (var ffmpeg = TestMedia.Start("ffmpeg", ["-v", "warning", "-nostdin", "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-c:a", "libopus", "-f", "rtsp", "-rtsp_transport", "tcp", hub.RtspUrl("signal/bob")]))
        {
            await alice.ReceiveUntilAsync("participantUpdated", m => Publishing(m, true), TimeSpan.FromSeconds(15));
            Assert.Equal("webrtc-renegotiate", (await alice.ReceiveAnyAsync())!.Value.GetProperty("type").GetString());
            await carol.ReceiveUntilAsync("participantUpdated", m => Publishing(m, true), TimeSpan.FromSeconds(15));
            await carol.SendAsync(new { type = "ping" });
            await carol.ReceiveAsync("pong");

            // Bob's section carries his Opus (sendonly, his id as msid); Dave has no stream, so his section is inactive.
            await alice.SendAsync(new { type = "webrtc-offer", sdp = ViewerOffer, mids, @ref = "o2" });
            var answer = await alice.ReceiveUntilAsync("webrtc-answer");
            string sdp = answer.GetProperty("sdp").GetString()!;
            output.WriteLine(sdp);
            Assert.Equal("o2", answer.GetProperty("ref").GetString());
            Assert.Equal(["0"], answer.GetProperty("mids").EnumerateObject().Select(p => p.Name));
            Assert.Equal("bob", answer.GetProperty("mids").GetProperty("0").GetString());
            var sections = sdp.Split("m=", StringSplitOptions.None);
            Assert.Equal(3, sections.Length);
            Assert.StartsWith("audio 9 ", sections[1], StringComparison.Ordinal);
            Assert.Contains("a=sendonly", sections[1], StringComparison.Ordinal);
            Assert.Contains("a=msid:bob ", sections[1], StringComparison.Ordinal);
            Assert.StartsWith("audio 0 ", sections[2], StringComparison.Ordinal);
            Assert.Contains("a=inactive", sections[2], StringComparison.Ordinal);
            Assert.Contains("a=ice-lite", sections[0], StringComparison.Ordinal);
            Assert.Contains("a=group:BUNDLE 0\r\n", sections[0], StringComparison.Ordinal);

            // A changed ICE ufrag (or DTLS fingerprint) is a new RTCPeerConnection, as the page opens to start its
            // camera: it replaces the old one and is answered as a first offer, Bob's section carried again.
            Assert.Equal(1, hub.Host.RoomPeers!.PeerCount);
            await alice.SendAsync(new { type = "webrtc-offer", sdp = ViewerOffer.Replace("ice-ufrag:abcd", "ice-ufrag:wxyz", StringComparison.Ordinal), mids, @ref = "o3" });
            var replaced = await alice.ReceiveUntilAsync("webrtc-answer");
            Assert.Equal("o3", replaced.GetProperty("ref").GetString());
            Assert.Equal("bob", replaced.GetProperty("mids").GetProperty("0").GetString());
            Assert.Contains("a=sendonly", replaced.GetProperty("sdp").GetString()!.Split("m=")[1], StringComparison.Ordinal);
            Assert.Equal(1, hub.Host.RoomPeers.PeerCount);

            string newCertificate = ViewerOffer.Replace("ice-ufrag:abcd", "ice-ufrag:wxyz", StringComparison.Ordinal).Replace("F6:B5:68", "F6:B5:69", StringComparison.Ordinal);
            await alice.SendAsync(new { type = "webrtc-offer", sdp = newCertificate, mids, @ref = "o4" });
            Assert.Equal("o4", (await alice.ReceiveUntilAsync("webrtc-answer")).GetProperty("ref").GetString());
            Assert.Equal(1, hub.Host.RoomPeers.PeerCount);
        }

        await alice.ReceiveUntilAsync("participantUpdated", m => Publishing(m, false), TimeSpan.FromSeconds(15));
        Assert.Equal("webrtc-renegotiate", (await alice.ReceiveAnyAsync())!.Value.GetProperty("type").GetString());
        await carol.ReceiveUntilAsync("participantUpdated", m => Publishing(m, false), TimeSpan.FromSeconds(15));
        await carol.SendAsync(new { type = "ping" });
        await carol.ReceiveAsync("pong");
    }
}
