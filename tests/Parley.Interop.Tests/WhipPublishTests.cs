using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// WHIP (RFC 9725) from real headless Chromium: its fake camera and microphone are published to /&lt;path&gt;/whip,
/// and a second peer connection on the same page plays the path back over WHEP, all through the hub.
/// </summary>
public sealed class WhipPublishTests(ITestOutputHelper output)
{
    private static readonly string Publish = WhipPage.Publish(640, 360);

    private const string Play = """
        async (path) => {
          const pc = new RTCPeerConnection(); window.whepPc = pc;
          pc.addTransceiver('video', { direction: 'recvonly' }); pc.addTransceiver('audio', { direction: 'recvonly' });
          await pc.setLocalDescription(await pc.createOffer());
          const response = await fetch('/' + path + '/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
          const answer = await response.text();
          if (response.status !== 201) return { status: response.status, body: answer };
          await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          return { status: response.status, body: '' };
        }
        """;

    private const string Decoded = """
        async () => { let frames = 0, audio = 0; (await window.whepPc.getStats()).forEach(r => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') frames = r.framesDecoded || 0;
          if (r.type === 'inbound-rtp' && r.kind === 'audio') audio = r.packetsReceived || 0; });
          return { frames, audio }; }
        """;

    public sealed record PlayResult { public int Status { get; init; } public string Body { get; init; } = ""; }

    public sealed record DecodedSample { public int Frames { get; init; } public int Audio { get; init; } }

    [Fact]
    public async Task Chromium_publishes_over_whip_and_plays_it_back_over_whep()
    {
        await using var hub = await TestHub.StartAsync(output);
        await using var chromium = await Chromium.LaunchAsync("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
        var page = await chromium.NewPageAsync(output);
        await page.GotoAsync(hub.WebUrl(""));

        var published = await page.EvaluateAsync<PlayResult>(Publish, "cam");
        Assert.True(published.Status == 201, $"WHIP answered {published.Status}: {published.Body}");
        var stream = await hub.WaitForStreamAsync("cam", TimeSpan.FromSeconds(15));
        output.WriteLine($"published over WHIP: {stream.CodecSummary}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (stream.Tracks.First(t => t.IsVideo).FramesReceived < 30 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(stream.Tracks.First(t => t.IsVideo).FramesReceived >= 30, "fewer than 30 video frames arrived over WHIP");

        var played = await page.EvaluateAsync<PlayResult>(Play, "cam");
        Assert.True(played.Status == 201, $"WHEP answered {played.Status}: {played.Body}");
        var decoded = await Chromium.WaitForAsync<DecodedSample>(page, Decoded, TimeSpan.FromSeconds(15), s => s.Frames >= 20 && s.Audio > 0,
            "20 frames and audio decoded from the WHIP stream");
        output.WriteLine($"played back over WHEP: {decoded}; PLIs sent to the publisher: {stream.KeyFrameRequestsSent}");
        Assert.True(stream.KeyFrameRequestsSent > 0);

        // The publisher leaving ends the stream.
        await page.EvaluateAsync("() => window.whipPc.close()");
        var gone = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await hub.Host.Paths.FindStreamAsync("cam") is not null && DateTime.UtcNow < gone)
        {
            await Task.Delay(100);
        }

        Assert.Null(await hub.Host.Paths.FindStreamAsync("cam"));
    }
}
