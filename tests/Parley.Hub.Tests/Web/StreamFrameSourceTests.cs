using Microsoft.Extensions.Logging.Abstractions;
using Parley.Codecs.Jpeg;
using Parley.Codecs.Synthetic;
using Parley.Hub.Configuration;
using Parley.Hub.Demo;
using Parley.Hub.Paths;
using Parley.Hub.Streams;
using Parley.Hub.Web;
using Parley.Media;
using Parley.Media.Jpeg;

namespace Parley.Hub.Tests.Web;

public sealed class StreamFrameSourceTests
{
    private const int Width = 320;
    private const int Height = 240;

    private sealed class TrackSink(MediaStream stream, int track) : IRtpPacketSink
    {
        private readonly byte[] _buffer = new byte[MediaPacketPool.MaxPacketSize];

        public Span<byte> GetPacketBuffer(int minimumLength) => _buffer;

        public void Commit(int length, bool marker) => stream.WriteRtp(track, _buffer.AsSpan(0, length));
    }

    private sealed class Publisher : IStreamPublisher
    {
        public string Description => "test";

        public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
        {
        }

        public void Kick(string reason)
        {
        }
    }

    private static MediaStream NewDemoStream()
    {
        var paths = new PathManager(false, new MediaPacketPool(), TimeProvider.System, NullLogger<PathManager>.Instance);
        var description = new DemoPublisher(new HubOptions().Demo, paths, NullLogger<DemoPublisher>.Instance).CreateDescription();
        return new MediaStream("demo", description, new Publisher(), new MediaPacketPool(), TimeProvider.System);
    }

    private static List<byte[]> EncodeFrames(int count)
    {
        var pattern = new TestPatternGenerator(Width, Height, 25);
        var raw = new byte[pattern.FrameSize];
        using var encoder = new TurboJpegEncoder(80);
        var jpeg = new byte[TurboJpegEncoder.GetMaxEncodedSize(Width, Height, JpegSubsampling.Yuv420)];
        var frames = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            pattern.Render(i, 0, raw);
            frames.Add(jpeg.AsSpan(0, encoder.EncodeI420(raw, Width, Height, jpeg)).ToArray());
        }

        return frames;
    }

    [Fact]
    public void Jpeg_frames_are_rebuilt_once_per_stream_and_every_viewer_gets_the_same_message()
    {
        var stream = NewDemoStream();
        var source = new StreamFrameSource(stream, TimeProvider.System);
        Assert.Equal(WebPlaybackMode.Jpeg, source.Playback.Mode);
        var viewers = Enumerable.Range(0, 3).Select(i => new WebViewer($"v{i}", 64)).ToArray();
        foreach (var viewer in viewers)
        {
            Assert.True(source.AddViewer(viewer));
        }

        Assert.True(stream.AddReader(source));
        var packetizer = new JpegPacketizer(ssrc: 1234);
        var sink = new TrackSink(stream, 0);
        var frames = EncodeFrames(5);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.True(packetizer.TryPacketize(frames[i], (uint)(i * 3600), sink, out _));
        }

        Assert.Equal(5, source.FramesProduced);
        Assert.Equal(Width, source.VideoWidth);
        var received = viewers.Select(v =>
        {
            var list = new List<WebFrame>();
            while (v.Frames.TryRead(out var f))
            {
                list.Add(f);
            }

            return list;
        }).ToArray();

        for (int i = 0; i < frames.Count; i++)
        {
            // One message object for all viewers: depacketized and copied once.
            Assert.Same(received[0][i], received[1][i]);
            Assert.Same(received[0][i], received[2][i]);
            var message = received[0][i];
            Assert.Equal(WebMessageKind.Jpeg, message.Kind);
            Assert.Equal((uint)(i * 3600), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(message.Memory.Span[4..]));
            // The rebuilt JPEG is a whole JFIF file (SOI ... EOI) of the frame's size.
            Assert.True(message.Payload[..2].SequenceEqual(new byte[] { 0xFF, 0xD8 }));
            Assert.True(message.Payload[^2..].SequenceEqual(new byte[] { 0xFF, 0xD9 }));
        }

        foreach (var frame in received.SelectMany(r => r))
        {
            frame.Release();
        }
    }

    [Fact]
    public async Task A_stuck_viewer_loses_frames_while_the_others_get_every_one_and_the_stream_end_completes_all_queues()
    {
        var stream = NewDemoStream();
        var source = new StreamFrameSource(stream, TimeProvider.System);
        var stuck = new WebViewer("stuck", 2);
        var healthy = new WebViewer("healthy", 64);
        source.AddViewer(stuck);
        source.AddViewer(healthy);
        stream.AddReader(source);
        var packetizer = new JpegPacketizer(ssrc: 99);
        var sink = new TrackSink(stream, 0);
        var frames = EncodeFrames(10);
        for (int i = 0; i < frames.Count; i++)
        {
            packetizer.TryPacketize(frames[i], (uint)(i * 3600), sink, out _);
        }

        Assert.Equal(2, stuck.MessagesQueued);
        Assert.Equal(8, stuck.MessagesDropped);
        Assert.Equal(10, healthy.MessagesQueued);
        Assert.Equal(0, healthy.MessagesDropped);

        stream.Close();
        await source.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        source.CompleteViewers();
        // The queued frames are still there to send; the queue completes once they are read.
        Assert.Equal(10, healthy.Frames.Count);
        healthy.DrainAndRelease();
        stuck.DrainAndRelease();
        await healthy.Frames.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(source.AddViewer(new WebViewer("late", 4)));
    }
}
