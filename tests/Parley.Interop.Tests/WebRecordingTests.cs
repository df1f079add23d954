using System.Buffers.Binary;
using System.Net.WebSockets;
using Parley.Hub.Web;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// A second opinion on the fMP4 the browsers get: the WebSocket's init and media segments, written to a file as
/// they arrive, are read by ffprobe, and ffmpeg decodes them to exactly the source's frames.
/// </summary>
public sealed class WebRecordingTests(ITestOutputHelper output)
{
    // presenter-720p.mp4 has no B-frames; the second case has three (decode times before presentation times).
    [Theory]
    [InlineData("presenter-720p.mp4", "width=1280|height=720")]
    [InlineData("b-frames", "width=640|height=480")]
    public async Task The_fmp4_from_the_websocket_decodes_to_the_source_frames(string media, string size)
    {
        string dir = TestPaths.NewTempDirectory();
        string sourceFile = media == "b-frames" ? await BFrameMedia.EncodeAsync(dir) : TestPaths.Media(media);
        var sourceTask = FrameHashes.OfSourceAsync(sourceFile, dir);
        // The recorder here reads as fast as a loaded machine lets it; a deep viewer queue keeps the hub from dropping
        // for a slow reader (what it must do for a real one, see WebViewerTests), so every frame can be compared.
        await using var hub = await TestHub.StartAsync(output, o => o.Http.ViewerQueueMessages = 4096);
        await using var publisher = FfmpegRelayTests.Publish(hub, "presenter", "tcp", source: sourceFile);
        await hub.WaitForStreamAsync("presenter", TimeSpan.FromSeconds(15), () => publisher.HasExited);

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{hub.HttpPort}/presenter/ws"), CancellationToken.None);
        string recorded = Path.Combine(dir, "recorded.mp4");
        int inits = 0, video = 0, audio = 0;
        uint lastSequence = 0;
        await using (var file = File.Create(recorded))
        {
            var buffer = new byte[4 << 20];
            string? hello = null;
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    hello = System.Text.Encoding.UTF8.GetString(buffer, 0, length);
                    continue;
                }

                var message = buffer.AsSpan(0, length);
                Assert.True(WebMessage.TryReadKind(message, out var kind, out byte flags));
                var payload = message[WebMessage.HeaderLength..];
                if (kind == WebMessageKind.Mp4Init)
                {
                    int mimeLength = BinaryPrimitives.ReadUInt16BigEndian(payload);
                    output.WriteLine("init: " + System.Text.Encoding.UTF8.GetString(payload.Slice(2, mimeLength)));
                    payload = payload[(2 + mimeLength)..];
                    inits++;
                }
                else
                {
                    Assert.Equal(WebMessageKind.Mp4Media, kind);
                    Assert.True(inits > 0, "a media segment came before the init segment");
                    // This viewer's own mfhd sequence numbers: 1, 2, 3, ...
                    uint sequence = BinaryPrimitives.ReadUInt32BigEndian(payload[Parley.Media.Mp4.Mp4Segment.SequenceNumberOffset..]);
                    Assert.Equal(lastSequence + 1, sequence);
                    lastSequence = sequence;
                    if ((flags & WebMessage.AudioFlag) != 0)
                    {
                        audio++;
                    }
                    else
                    {
                        Assert.True(video > 0 || (flags & WebMessage.KeyFrameFlag) != 0, "the first video segment is not a key frame");
                        video++;
                    }
                }

                file.Write(payload);
            }

            output.WriteLine($"hello {hello}; {inits} init, {video} video and {audio} audio segments");
            Assert.Contains("\"mode\":\"mse\"", hello, StringComparison.Ordinal);
        }

        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await using (var ffprobe = ExternalProcess.Start("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height,sample_rate", "-of", "compact", recorded))
        {
            Assert.Equal(0, await ffprobe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(ffprobe.StandardOutput);
            Assert.Contains("codec_name=h264|" + size, ffprobe.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("codec_name=opus", ffprobe.StandardOutput, StringComparison.Ordinal);
        }

        var source = await sourceTask;
        var frames = await FrameHashes.OfSourceAsync(recorded, Directory.CreateDirectory(Path.Combine(dir, "received")).FullName);
        int start = FrameHashes.FindStart(source, frames);
        var (matched, missing, foreign) = FrameHashes.CompareInOrder(source, start, frames);
        output.WriteLine($"source {source.Count} frames, recorded {frames.Count} from source frame {start}: matched {matched}, missing {missing}, foreign {foreign}");
        Assert.True(start >= 0, "the first recorded frame is not a source frame");
        Assert.Equal(0, foreign);
        Assert.Equal(0, missing);
        Assert.Equal(source.Count - start, matched);
        Assert.Equal(video, frames.Count);
    }
}
