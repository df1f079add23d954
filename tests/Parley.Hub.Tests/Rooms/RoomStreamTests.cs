using System.Text.Json;
using Parley.Media.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Hub.Tests.Rooms;

public sealed class RoomStreamTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static bool Publishing(JsonElement update, bool publishing) =>
        update.GetProperty("participant").GetProperty("publishing").GetBoolean() == publishing;

    [Fact]
    public async Task A_stream_published_on_the_participants_path_is_announced_with_its_tracks_and_its_end_too()
    {
        // ffmpeg takes a moment to start; the clients do not ping meanwhile.
        await using var hub = await RoomTestHub.StartAsync(output, _folder.Path, rooms => rooms.IdleTimeoutSeconds = 60);
        var (alice, welcome) = await hub.JoinAsync("studio", "Alice");
        var (bob, _) = await hub.JoinAsync("studio", "Bob");
        await using var a = alice;
        await using var b = bob;
        string publishPath = welcome.GetProperty("self").GetProperty("publishPath").GetString()!;
        Assert.Equal("studio/alice", publishPath);

        using (var ffmpeg = TestMedia.Start("ffmpeg", ["-v", "warning", "-nostdin", "-re", "-stream_loop", "-1", "-i", TestMedia.MediaFile("presenter-720p.mp4"),
            "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", hub.RtspUrl(publishPath)]))
        {
            var live = await bob.ReceiveUntilAsync("participantUpdated", m => Publishing(m, true), TimeSpan.FromSeconds(15));
            var participant = live.GetProperty("participant");
            Assert.Equal("alice", participant.GetProperty("id").GetString());
            var tracks = participant.GetProperty("tracks").EnumerateArray().ToList();
            var video = Assert.Single(tracks, t => t.GetProperty("kind").GetString() == "video");
            Assert.Equal("H264", video.GetProperty("codec").GetString());
            Assert.Equal(90000, video.GetProperty("clockRate").GetInt32());
            Assert.Equal(1280, video.GetProperty("width").GetInt32());
            Assert.Equal(720, video.GetProperty("height").GetInt32());
            var audio = Assert.Single(tracks, t => t.GetProperty("kind").GetString() == "audio");
            Assert.False(audio.TryGetProperty("width", out _));
            output.WriteLine(live.ToString());
            await alice.ReceiveUntilAsync("participantUpdated", m => Publishing(m, true));

            // Someone joining while the stream is live sees it in the welcome.
            var (carol, carolWelcome) = await hub.JoinAsync("studio", "Carol");
            await using var c = carol;
            var seen = carolWelcome.GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("id").GetString() == "alice");
            Assert.True(seen.GetProperty("publishing").GetBoolean());
            Assert.Equal(2, seen.GetProperty("tracks").GetArrayLength());
        }

        var ended = await bob.ReceiveUntilAsync("participantUpdated", m => Publishing(m, false), TimeSpan.FromSeconds(15));
        Assert.Equal(0, ended.GetProperty("participant").GetProperty("tracks").GetArrayLength());
    }
}
