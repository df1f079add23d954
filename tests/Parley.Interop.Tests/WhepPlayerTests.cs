using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// WHEP (RFC 9725) in real headless Chromium: ffmpeg publishes presenter-720p.mp4 over RTSP (H.264 High copied,
/// audio as Opus), a page of the hub's origin plays it with RTCPeerConnection and recvonly transceivers, POSTing
/// its offer to /&lt;path&gt;/whep. No transcoding anywhere: the browser decodes the publisher's own H.264.
/// </summary>
public sealed class WhepPlayerTests(ITestOutputHelper output)
{
    private const string Play = """
        async (path) => {
          const pc = new RTCPeerConnection(); window.pc = pc;
          pc.addTransceiver('video', { direction: 'recvonly' }); pc.addTransceiver('audio', { direction: 'recvonly' });
          const video = document.createElement('video'); video.muted = false; video.autoplay = true; video.playsInline = true;
          video.width = 320; video.height = 180; document.body.prepend(video); window.whepVideo = video;
          const stream = new MediaStream(); video.srcObject = stream;
          pc.ontrack = (e) => { stream.addTrack(e.track); video.play().catch(() => {}); };
          await pc.setLocalDescription(await pc.createOffer());
          const response = await fetch('/' + path + '/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
          const answer = await response.text();
          window.whepLocation = response.headers.get('Location');
          if (response.status !== 201) return { status: response.status, body: answer };
          await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          return { status: response.status, body: '' };
        }
        """;

    private const string State = $$"""
        async () => {
          const v = window.whepVideo; const stats = await window.pc.getStats();
          let frames = 0, audioPackets = 0, energy = 0, samples = 0;
          stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames = r.framesDecoded || 0;
            if (r.type === 'inbound-rtp' && r.kind === 'audio') { audioPackets = r.packetsReceived || 0; energy = r.totalAudioEnergy || 0; samples = r.totalSamplesReceived || 0; } });
          let mean = 0, hash = 0;
          if (v.videoWidth) { const c = document.createElement('canvas'); c.width = 320; c.height = 180; c.getContext('2d').drawImage(v, 0, 0, 320, 180);
            const s = ({{WebPlayerTests.SampleCanvas}})(c); mean = s.mean; hash = s.hash; }
          return { time: v.currentTime, width: v.videoWidth, frames, audioPackets, energy, samples, mean, hash, ice: window.pc.iceConnectionState };
        }
        """;

    public sealed record PlayResult { public int Status { get; init; } public string Body { get; init; } = ""; }

    public sealed record WhepSample
    {
        public double Time { get; init; }
        public int Width { get; init; }
        public int Frames { get; init; }
        public int AudioPackets { get; init; }
        public double Energy { get; init; }
        public long Samples { get; init; }
        public double Mean { get; init; }
        public int Hash { get; init; }
        public string Ice { get; init; } = "";
    }

    [Fact]
    public async Task Whep_plays_an_ffmpeg_published_stream_in_chromium_without_transcoding()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var publisher = FfmpegRelayTests.Publish(hub, "presenter", "tcp", loop: true);
        var stream = await hub.WaitForStreamAsync("presenter", TimeSpan.FromSeconds(15), () => publisher.HasExited);
        output.WriteLine($"published: {stream.CodecSummary}");

        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl(""));
        var play = await page.EvaluateAsync<PlayResult>(Play, "presenter");
        Assert.True(play.Status == 201, $"WHEP answered {play.Status}: {play.Body}");

        await page.BringToFrontAsync();
        var first = await Chromium.WaitForAsync<WhepSample>(page, State, TimeSpan.FromSeconds(25), s => s.Frames >= 30 && s.Width > 0, "30 video frames decoded");
        // Then 20 more, a later time and another picture: decoding goes on (a loaded machine may stall it briefly).
        var second = await Chromium.WaitForAsync<WhepSample>(page, State, TimeSpan.FromSeconds(10),
            s => s.Frames >= first.Frames + 20 && s.Time > first.Time && s.Hash != first.Hash, "20 more frames decoded and shown");
        output.WriteLine($"first {first}\nsecond {second}");
        Assert.Equal(1280, second.Width);
        Assert.True(second.Mean > 20, $"the picture is black (mean {second.Mean})");
        Assert.True(second.AudioPackets > 0, "no Opus packets arrived");
        Assert.True(second.Energy > 0, "the audio is silent");
        await Chromium.ScreenshotAsync(page, "whep-presenter", output);

        // DELETE on the Location ends the session and the hub drops the reader.
        string location = await page.EvaluateAsync<string>("() => window.whepLocation");
        int status = await page.EvaluateAsync<int>("async (l) => (await fetch(l, { method: 'DELETE' })).status", location);
        Assert.Equal(200, status);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (stream.ReaderCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, stream.ReaderCount);
        Assert.Equal(0, hub.Host.Whep!.SessionCount);
    }
}
