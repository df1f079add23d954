using Microsoft.Playwright;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// Browsers as full room participants (docs/rooms-protocol.md, "WebRTC"): real headless Chromium with a fake camera
/// and microphone made from talking-head.avi joins /r/&lt;room&gt;, publishes over its one RTCPeerConnection and
/// receives everyone else on the same connection, renegotiated as people come and go, against a real hub.
/// </summary>
public sealed class RoomWebRtcTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    // One remote tile's <video> drawn into a canvas: decoded frames, size, mean brightness and a hash of the pixels.
    private static string Tile(string id) => $$"""
        () => { const v = document.querySelector(".tile[data-id='{{id}}'] video"); if (!v || !v.videoWidth) return null;
          const c = document.createElement('canvas'); c.width = 160; c.height = 120; c.getContext('2d').drawImage(v, 0, 0, 160, 120);
          const s = ({{WebPlayerTests.SampleCanvas}})(c);
          return { media: v.closest('.tile').dataset.media, frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth,
            mean: s ? s.mean : 0, hash: s ? s.hash : 0 }; }
        """;

    // The page's one peer connection: received audio (RFC 3550 packets and the energy Chromium measured), transceivers.
    private const string Connection = """
        async () => { const m = window.roomMedia; if (!m || !m.pc) return null; let packets = 0, energy = 0, frames = 0;
          (await m.pc.getStats()).forEach((r) => { if (r.type !== 'inbound-rtp') return;
            if (r.kind === 'audio') { packets += r.packetsReceived || 0; energy += r.totalAudioEnergy || 0; }
            if (r.kind === 'video') frames += r.framesDecoded || 0; });
          const t = m.pc.getTransceivers().filter((x) => !x.stopped && x.currentDirection && x.currentDirection !== 'stopped' && x.currentDirection !== 'inactive');
          return { state: m.pc.connectionState, packets, energy, frames, sending: t.filter((x) => x.currentDirection === 'sendonly').length,
            receiving: t.filter((x) => x.currentDirection === 'recvonly').length, tiles: document.querySelectorAll('.tile').length }; }
        """;

    public sealed record TileSample
    {
        public string Media { get; init; } = "";
        public int Frames { get; init; }
        public int Width { get; init; }
        public double Mean { get; init; }
        public int Hash { get; init; }
    }

    public sealed record ConnectionSample
    {
        public string State { get; init; } = "";
        public long Packets { get; init; }
        public double Energy { get; init; }
        public long Frames { get; init; }
        public int Sending { get; init; }
        public int Receiving { get; init; }
        public int Tiles { get; init; }
    }

    [Fact]
    public async Task Two_browsers_see_and_hear_each_other_a_refusing_viewer_sees_both_mute_shows_and_rtsp_reads_their_streams()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, o => Configure(o, dir));
        await using var chromium = await Chromium.LaunchAsync(await FakeDevicesAsync(dir));
        var ann = await JoinAsync(chromium, hub, "duo", "Ann", ["Ann"]);
        var ben = await JoinAsync(chromium, hub, "duo", "Ben", ["Ann", "Ben"]);

        // Each browser publishes its camera and microphone on <room>/<id>, like any publisher.
        foreach (string id in (string[])["ann", "ben"])
        {
            var stream = await hub.WaitForStreamAsync($"duo/{id}", TimeSpan.FromSeconds(20));
            output.WriteLine($"duo/{id}: {stream.CodecSummary}");
            Assert.Equal(["video", "audio"], stream.Tracks.Select(t => t.MediaType).Order().Reverse());
        }

        foreach (var (page, other) in new[] { (ann, "ben"), (ben, "ann") })
        {
            await AssertPlayingAsync(page, other);
            var connection = await Chromium.WaitForAsync<ConnectionSample?>(page, Connection, TimeSpan.FromSeconds(15),
                c => c is { Packets: > 50, Energy: > 0 }, $"{other}'s audio received");
            output.WriteLine($"{other} at the other page: {connection}");
            Assert.Equal(("connected", 2, 2), (connection!.State, connection.Sending, connection.Receiving));
        }

        // Vic refuses the camera and microphone: a viewer, who still receives both over WebRTC, sends nothing, and chats.
        var vic = await JoinAsync(chromium, hub, "duo", "Vic", ["Ann", "Ben", "Vic"], Refuse);
        await AssertPlayingAsync(vic, "ann");
        await AssertPlayingAsync(vic, "ben");
        var viewer = await Chromium.WaitForAsync<ConnectionSample?>(vic, Connection, TimeSpan.FromSeconds(15), c => c is { Packets: > 0, Energy: > 0 }, "audio at Vic");
        output.WriteLine($"Vic: {viewer}");
        Assert.Equal((0, 4), (viewer!.Sending, viewer.Receiving));
        Assert.Null(await hub.Host.Paths.FindStreamAsync("duo/vic"));
        Assert.True(await vic.IsHiddenAsync("#media-controls"), "a viewer has no mute buttons");
        await RoomPageTests.SendQuicklyAsync(vic, "hello from vic", 1);
        var chat = await RoomPageTests.WaitForMessagesAsync(ann, 1, "Vic's chat at Ann");
        Assert.Equal("hello from vic 1", chat.Messages[0].Text);

        // Ann mutes her microphone with the button: her track is disabled and everyone sees her muted; unmuting undoes it.
        string annAudioMuted = "() => document.querySelector(\"#people .person[data-id='ann']\")?.dataset.audioMuted";
        await ann.ClickAsync("#mute-audio");
        await Chromium.WaitForAsync<string?>(ben, annAudioMuted, TimeSpan.FromSeconds(10), m => m == "true", "Ann shown muted at Ben");
        Assert.False(await ann.EvaluateAsync<bool>("() => window.roomMedia.local.getAudioTracks()[0].enabled"));
        Assert.Equal("Unmute mic", await ann.InnerTextAsync("#mute-audio"));
        await ann.ClickAsync("#mute-audio");
        await Chromium.WaitForAsync<string?>(vic, annAudioMuted, TimeSpan.FromSeconds(10), m => m == "false", "Ann shown unmuted at Vic");
        Assert.True(await ann.EvaluateAsync<bool>("() => window.roomMedia.local.getAudioTracks()[0].enabled"));

        // A native reader plays what a browser publishes: ffmpeg decodes video frames over RTSP.
        await using var reader = ExternalProcess.Start("ffmpeg", ["-v", "error", "-rtsp_transport", "tcp", "-i", hub.Url("duo/ann"), "-map", "0:v", "-frames:v", "20", "-f", "framemd5", "-"]);
        int exit = await reader.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"ffmpeg exited with {exit}: {ExternalProcess.Tail(reader.StandardError)}");
        var hashes = reader.StandardOutput.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(',')[^1].Trim()).ToList();
        output.WriteLine($"ffmpeg decoded {hashes.Count} frames of duo/ann over RTSP, {hashes.Distinct().Count()} distinct");
        Assert.True(hashes.Count >= 20 && hashes.Distinct().Count() > 5, "ffmpeg did not decode moving video from the browser's stream");

        // Vic allows the camera and microphone after all and clicks "Use camera and mic": a new peer connection that
        // sends both replaces the viewer's at the hub, and the others see and hear Vic while Vic still sees them.
        Assert.True(await vic.IsVisibleAsync("#use-devices"), "a viewer is offered the camera and microphone");
        await vic.EvaluateAsync(Allow);
        await vic.ClickAsync("#use-devices");
        var vicStream = await hub.WaitForStreamAsync("duo/vic", TimeSpan.FromSeconds(20));
        Assert.Equal(["video", "audio"], vicStream.Tracks.Select(t => t.MediaType).Order().Reverse());
        await AssertPlayingAsync(ann, "vic");
        await AssertPlayingAsync(vic, "ben");
        var sending = await Chromium.WaitForAsync<ConnectionSample?>(vic, Connection, TimeSpan.FromSeconds(15),
            c => c is { State: "connected", Sending: 2, Receiving: 4 }, "Vic sending and receiving on the new connection");
        output.WriteLine($"Vic after turning the camera on: {sending}");
        Assert.True(await vic.IsHiddenAsync("#use-devices"));
        Assert.True(await vic.IsVisibleAsync("#media-controls"), "mute buttons once sending");
        await Chromium.ScreenshotAsync(ann, "room-webrtc-two-browsers", output);
    }

    [Fact]
    public async Task A_native_h264_participant_plays_in_a_webrtc_tile_and_a_browser_that_leaves_takes_its_tile_while_the_rest_plays_on()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, o => Configure(o, dir));
        await using var chromium = await Chromium.LaunchAsync(await FakeDevicesAsync(dir));
        var ann = await JoinAsync(chromium, hub, "mixed", "Ann", ["Ann"]);

        await using var nat = ExternalProcess.Start(Parley, ["call", $"http://127.0.0.1:{hub.HttpPort}/r/mixed", "--name", "Nat",
            "--source", "file:" + TestPaths.Media("talking-head.avi"), "--video", "h264", "--size", "320x240", "--fps", "15",
            "--video-out", "null", "--audio-out", "null"]);
        var natStream = await hub.WaitForStreamAsync("mixed/nat", TimeSpan.FromSeconds(30), () => nat.HasExited);
        output.WriteLine($"mixed/nat: {natStream.CodecSummary}");
        await AssertPlayingAsync(ann, "nat");

        var ben = await JoinAsync(chromium, hub, "mixed", "Ben", ["Ann", "Ben", "Nat"]);
        await AssertPlayingAsync(ben, "nat");
        await AssertPlayingAsync(ben, "ann");
        await AssertPlayingAsync(ann, "ben");
        var before = await ann.EvaluateAsync<ConnectionSample?>(Connection);
        output.WriteLine($"Ann with Ben and Nat: {before}");
        Assert.Equal(4, before!.Receiving);

        // Ben leaves: his stream ends, the hub asks Ann to renegotiate, his tile goes, and Nat keeps playing at Ann.
        await ben.ClickAsync("#leave");
        await RoomPageTests.WaitForPeopleAsync(ann, ["Ann", "Nat"], "Ben gone at Ann");
        var after = await Chromium.WaitForAsync<ConnectionSample?>(ann, Connection, TimeSpan.FromSeconds(15),
            c => c is { Receiving: 2, Tiles: 2 }, "Ann's connection renegotiated without Ben");
        output.WriteLine($"Ann after Ben left: {after}");
        Assert.Equal(("connected", 2), (after!.State, after.Sending));
        Assert.Null(await ann.QuerySelectorAsync(".tile[data-id='ben']"));
        await AssertPlayingAsync(ann, "nat");
        var audio = await Chromium.WaitForAsync<ConnectionSample?>(ann, Connection, TimeSpan.FromSeconds(10), c => c is { Energy: > 0 }, "Nat's audio at Ann");
        Assert.True(audio!.Packets > 0);
        Assert.Equal(1, hub.Host.RoomPeers!.PeerCount);
        await Chromium.ScreenshotAsync(ann, "room-webrtc-native-after-leave", output);
    }

    [Fact]
    public async Task A_jpeg_native_participant_falls_back_to_the_websocket_player_and_plays_the_browser_it_sees()
    {
        string dir = TestPaths.NewTempDirectory();
        await using var hub = await TestHub.StartAsync(output, o => Configure(o, dir));
        await using var chromium = await Chromium.LaunchAsync(await FakeDevicesAsync(dir));
        var ann = await JoinAsync(chromium, hub, "legacy", "Ann", ["Ann"]);
        await hub.WaitForStreamAsync("legacy/ann", TimeSpan.FromSeconds(20));

        string stats = Path.Combine(dir, "jay.json");
        await using var jay = ExternalProcess.Start(Parley, ["call", $"http://127.0.0.1:{hub.HttpPort}/r/legacy", "--name", "Jay",
            "--source", "file:" + TestPaths.Media("talking-head.avi"), "--video", "jpeg", "--size", "320x240", "--fps", "15",
            "--video-out", "null", "--audio-out", "null", "--stats", stats]);
        await hub.WaitForStreamAsync("legacy/jay", TimeSpan.FromSeconds(30), () => jay.HasExited);

        // JPEG cannot go over WebRTC: Jay's tile is the WebSocket player, and it draws.
        await ann.BringToFrontAsync();
        string jpegTile = $$"""
            () => { const t = document.querySelector(".tile[data-id='jay']"); const p = t && t.querySelector('parley-player');
              if (!p || !p.stats) return null; const s = ({{WebPlayerTests.SampleCanvas}})(p.shadowRoot.querySelector('canvas'));
              return { media: t.dataset.media, frames: p.stats.framesDrawn, mean: s ? s.mean : 0, hash: s ? s.hash : 0 }; }
            """;
        var tile = await Chromium.WaitForAsync<TileSample?>(ann, jpegTile, TimeSpan.FromSeconds(20), t => t is { Frames: > 5, Mean: > 20 }, "Jay's JPEG tile drawing");
        output.WriteLine($"jay at Ann: {tile}");
        Assert.Equal("websocket", tile!.Media);
        // (In the page, not through Playwright's selectors, which pierce the player's shadow root and its own <video>.)
        Assert.False(await ann.EvaluateAsync<bool>("() => !!document.querySelector(\".tile[data-id='jay'] > video\")"));

        // The native participant plays the browser's stream (H.264 and Opus over RTSP) for a few seconds, then leaves.
        await Task.Delay(4000);
        await jay.WriteLineAsync("/leave");
        Assert.Equal(0, await jay.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(stats));
        var annAtJay = document.RootElement.GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("id").GetString() == "ann");
        var frames = annAtJay.GetProperty("view").GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("frames").GetInt64()).ToList();
        output.WriteLine($"Jay played Ann's tracks: {string.Join(", ", frames)} frames");
        Assert.True(frames.Count == 2 && frames.All(f => f >= 30), "Jay did not play Ann's video and audio");
        await RoomPageTests.WaitForPeopleAsync(ann, ["Ann"], "Jay gone at Ann");
    }

    // Three pages encoding and decoding video on two shared cores can starve a page's keep-alive timer for seconds.
    private static void Configure(Parley.Hub.Configuration.HubOptions options, string dir)
    {
        options.Rooms.Database = Path.Combine(dir, "rooms.db");
        options.Rooms.IdleTimeoutSeconds = 30;
    }

    // What a person who clicks "Block" on the permission prompt gets.
    // The real getUserMedia stays at hand, as the browser's own prompt would allow later.
    private const string Refuse = "navigator.mediaDevices.realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices); "
        + "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));";

    private const string Allow = "() => { navigator.mediaDevices.getUserMedia = navigator.mediaDevices.realGetUserMedia; }";

    private async Task<IPage> JoinAsync(Chromium chromium, TestHub hub, string room, string name, string[] people, string? initScript = null)
    {
        var page = await chromium.NewPageAsync(output);
        if (initScript is not null)
        {
            await page.AddInitScriptAsync(initScript);
        }

        await page.GotoAsync(hub.WebUrl($"r/{room}?name={name}"));
        await RoomPageTests.WaitForPeopleAsync(page, people, $"{name} in the room");
        return page;
    }

    // The tile of <id> shows a WebRTC <video> whose frames decode, are not black, and change over time.
    private async Task AssertPlayingAsync(IPage page, string id)
    {
        await page.BringToFrontAsync();
        var first = await Chromium.WaitForAsync<TileSample?>(page, Tile(id), TimeSpan.FromSeconds(25),
            t => t is { Media: "webrtc", Frames: > 5, Mean: > 20 }, $"{id}'s WebRTC tile playing");
        var later = await Chromium.WaitForAsync<TileSample?>(page, Tile(id), TimeSpan.FromSeconds(10),
            t => t is { } s && s.Frames >= first!.Frames + 10 && s.Hash != first.Hash, $"{id}'s WebRTC tile moving");
        output.WriteLine($"{id}: {first} -> {later}");
    }

    // A 4 s fake camera (320x240 y4m, looped by Chromium) and microphone (48 kHz wav) from talking-head.avi.
    private static async Task<string[]> FakeDevicesAsync(string dir)
    {
        string video = Path.Combine(dir, "cam.y4m"), audio = Path.Combine(dir, "mic.wav");
        string source = TestPaths.Media("talking-head.avi");
        await using (var v = ExternalProcess.Start("ffmpeg", ["-v", "error", "-i", source, "-t", "4", "-vf", "scale=320:240", "-r", "15", "-pix_fmt", "yuv420p", video]))
        await using (var a = ExternalProcess.Start("ffmpeg", ["-v", "error", "-i", source, "-t", "4", "-ar", "48000", "-ac", "1", audio]))
        {
            Assert.Equal(0, await v.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, await a.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--use-file-for-fake-video-capture=" + video,
            "--use-file-for-fake-audio-capture=" + audio];
    }
}
