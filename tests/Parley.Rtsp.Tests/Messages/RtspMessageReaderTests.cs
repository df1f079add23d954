using System.Buffers;
using System.Text;
using static Parley.Rtsp.Tests.Messages.TestUtil;

namespace Parley.Rtsp.Tests.Messages;

public class RtspMessageReaderTests
{
    [Fact]
    public void Ffmpeg_play_over_tcp_capture_parses_into_five_requests()
    {
        var (items, remaining) = ReadAll(LoadTestData("ffmpeg51_play_tcp.client.bin"));

        Assert.Equal(0, remaining);
        Assert.All(items, i => Assert.Equal(RtspParseResult.Request, i.Kind));
        Assert.Equal(
            ["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "TEARDOWN"],
            items.Select(i => i.Request!.Method));
        Assert.Equal([1, 2, 3, 4, 5], items.Select(i => i.Request!.CSeq));

        var describe = items[1].Request!;
        Assert.Equal("rtsp://127.0.0.1:18600/test", describe.Uri);
        Assert.Equal("RTSP/1.0", describe.Version);
        Assert.Equal("application/sdp", describe.Headers["accept"]);
        Assert.Equal("Lavf59.27.100", describe.Headers["User-Agent"]);
        Assert.Null(describe.Session);

        var setup = items[2].Request!;
        Assert.Equal("rtsp://127.0.0.1:18600/test/stream=0", setup.Uri);
        var transport = Assert.Single(RtspTransport.ParseList(setup.Headers["Transport"]!));
        Assert.True(transport.IsTcp);
        Assert.Equal((0, 1), transport.Interleaved);

        var play = items[3].Request!;
        Assert.Equal("R5gds.87TCHg0Nrn", play.Session);
        Assert.True(RtspHeaderValues.TryParseNptRange(play.Headers["Range"]!, out var start, out var end));
        Assert.Equal(0.0, start);
        Assert.Null(end);
    }

    [Fact]
    public void Ffmpeg_play_over_udp_capture_has_client_ports()
    {
        var (items, remaining) = ReadAll(LoadTestData("ffmpeg51_play_udp.client.bin"));

        Assert.Equal(0, remaining);
        Assert.Equal(5, items.Count);
        var transport = Assert.Single(RtspTransport.ParseList(items[2].Request!.Headers["Transport"]!));
        Assert.False(transport.IsTcp);
        Assert.Equal("UDP", transport.LowerTransport);
        Assert.Equal("RTP/AVP", transport.Profile);
        Assert.Equal((26512, 26513), transport.ClientPort);
    }

    [Fact]
    public void Ffmpeg_publish_capture_has_announce_body_then_interleaved_rtp()
    {
        var (items, remaining) = ReadAll(LoadTestData("ffmpeg51_publish_tcp.client.bin"));

        Assert.Equal(0, remaining);
        var requests = items.Where(i => i.Kind == RtspParseResult.Request).Select(i => i.Request!).ToList();
        Assert.Equal(["OPTIONS", "ANNOUNCE", "SETUP", "RECORD", "TEARDOWN"], requests.Select(r => r.Method));

        var announce = requests[1];
        Assert.Equal(302, announce.Body.Length);
        Assert.Equal("302", announce.Headers["Content-Length"]);
        var sdp = Encoding.UTF8.GetString(announce.Body.Span);
        Assert.StartsWith("v=0\r\n", sdp);
        Assert.EndsWith("a=control:streamid=0\r\n", sdp);

        var setup = RtspTransport.ParseList(requests[2].Headers["Transport"]!).Single();
        Assert.Equal("RECORD", setup.Mode);
        Assert.True(setup.IsRecord);

        var frames = items.Where(i => i.Kind == RtspParseResult.InterleavedFrame).ToList();
        Assert.NotEmpty(frames);
        Assert.All(frames, f =>
        {
            Assert.True(f.Channel is 0 or 1);
            Assert.Equal(2, f.Payload[0] >> 6); // RTP/RTCP version 2
        });
        Assert.Contains(frames, f => f.Channel == 0 && (f.Payload[1] & 0x7f) == 96);

        // The frames come between RECORD and TEARDOWN.
        var recordIndex = items.FindIndex(i => i.Request?.Method == "RECORD");
        var teardownIndex = items.FindIndex(i => i.Request?.Method == "TEARDOWN");
        Assert.All(items.Select((item, index) => (item, index)).Where(x => x.item.Kind == RtspParseResult.InterleavedFrame),
            x => Assert.InRange(x.index, recordIndex + 1, teardownIndex - 1));
    }

    [Fact]
    public void Gstreamer_play_capture_parses_with_duplicate_user_agent()
    {
        var (items, remaining) = ReadAll(LoadTestData("gst122_play.client.bin"));

        Assert.Equal(0, remaining);
        Assert.Equal(["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "TEARDOWN"], items.Select(i => i.Request!.Method));
        var options = items[0].Request!;
        Assert.Equal(["GStreamer/1.22.0", "RealMedia Player Version 6.0.9.1235 (linux-2.0-libc6-i386-gcc2.95)"], options.Headers.GetAll("user-agent"));
        Assert.Equal("GStreamer/1.22.0", options.Headers["User-Agent"]);
        Assert.Equal("[28/03/2003:22:50:23 00:00]", options.Headers["PlayerStarttime"]);
        Assert.Equal(10, options.Headers.Count);

        var play = items[3].Request!;
        Assert.True(RtspHeaderValues.TryParseNptRange(play.Headers["Range"]!, out var start, out var end));
        Assert.Null(start);
        Assert.Null(end);
        Assert.Equal("qxdk.Cj.WLJAEbp_", play.Session);
    }

    [Fact]
    public void Gstreamer_tcp_play_capture_includes_pause()
    {
        var (items, remaining) = ReadAll(LoadTestData("gst122_play_tcp.client.bin"));

        Assert.Equal(0, remaining);
        Assert.Equal(["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN"], items.Select(i => i.Request!.Method));
        var transport = RtspTransport.ParseList(items[2].Request!.Headers["Transport"]!).Single();
        Assert.True(transport.IsTcp);
        Assert.Equal((0, 1), transport.Interleaved);
    }

    [Fact]
    public void Gstreamer_publish_capture_has_mode_record_and_many_frames()
    {
        var (items, remaining) = ReadAll(LoadTestData("gst122_publish.client.bin"));

        Assert.Equal(0, remaining);
        var requests = items.Where(i => i.Kind == RtspParseResult.Request).Select(i => i.Request!).ToList();
        Assert.Equal(["OPTIONS", "ANNOUNCE", "SETUP", "RECORD"], requests.Take(4).Select(r => r.Method));
        Assert.Equal(473, requests[1].Body.Length);
        var transport = RtspTransport.ParseList(requests[2].Headers["Transport"]!).Single();
        Assert.Equal("RECORD", transport.Mode);
        Assert.True(items.Count(i => i.Kind == RtspParseResult.InterleavedFrame) > 5);
    }

    [Fact]
    public void Gst_rtsp_server_responses_and_interleaved_frames_parse()
    {
        var (items, remaining) = ReadAll(LoadTestData("gst122_play_tcp.server.bin"));

        Assert.Equal(0, remaining);
        var responses = items.Where(i => i.Kind == RtspParseResult.Response).Select(i => i.Response!).ToList();
        Assert.True(responses.Count >= 4);
        Assert.All(responses, r => Assert.Equal(200, r.StatusCode));
        Assert.All(responses, r => Assert.Equal("OK", r.Reason));
        Assert.Equal([1, 2, 3, 4], responses.Take(4).Select(r => r.CSeq));

        var describe = responses[1];
        Assert.Equal("rtsp://127.0.0.1:18605/test/", describe.Headers["Content-Base"]);
        Assert.Equal(525, describe.Body.Length);
        Assert.Contains("a=control:stream=0", Encoding.UTF8.GetString(describe.Body.Span), StringComparison.Ordinal);

        var setup = responses[2];
        Assert.Equal("ItbLzFwLcgKsZ-zU", setup.Session);
        var transport = RtspTransport.ParseList(setup.Headers["Transport"]!).Single();
        Assert.Equal(0xF1879C65u, transport.Ssrc);
        Assert.Equal("PLAY", transport.Mode);

        Assert.True(RtspHeaderValues.TryParseRtpInfo(responses[3].Headers["RTP-Info"]!, out var info));
        var entry = Assert.Single(info);
        Assert.Equal("rtsp://127.0.0.1:18605/test/stream=0", entry.Url);
        Assert.Equal((ushort)15586, entry.Seq);
        Assert.Equal(2027432436u, entry.RtpTime);

        var frames = items.Where(i => i.Kind == RtspParseResult.InterleavedFrame).ToList();
        Assert.True(frames.Count > 10);
        Assert.All(frames.Where(f => f.Channel == 0), f => Assert.Equal(0x80, f.Payload[0] & 0xC0));
    }

    [Fact]
    public void Gst_rtsp_server_record_responses_parse()
    {
        var (items, remaining) = ReadAll(LoadTestData("gst122_publish.server.bin"));
        Assert.Equal(0, remaining);
        Assert.All(items, i => Assert.Equal(RtspParseResult.Response, i.Kind));
        Assert.All(items, i => Assert.Equal(200, i.Response!.StatusCode));
    }

    [Theory]
    [InlineData("ffmpeg51_play_tcp.client.bin")]
    [InlineData("ffmpeg51_publish_tcp.client.bin")]
    [InlineData("gst122_play.client.bin")]
    [InlineData("gst122_publish.client.bin")]
    [InlineData("gst122_play_tcp.server.bin")]
    public void Byte_at_a_time_feeding_yields_the_same_items(string file)
    {
        var bytes = LoadTestData(file);
        if (bytes.Length > 8000)
        {
            bytes = bytes[..8000]; // keep quadratic re-reading fast; what is cut is an incomplete tail.
        }

        var whole = ReadAll(bytes).Items;
        var trickled = ReadChunked(bytes, Enumerable.Repeat(1, bytes.Length));

        Assert.Equal(Describe(whole), Describe(trickled));
    }

    [Fact]
    public void Incomplete_leaves_the_buffer_untouched_until_the_whole_message_arrived()
    {
        var bytes = Ascii("ANNOUNCE rtsp://h/x RTSP/1.0\r\nCSeq: 2\r\nContent-Length: 5\r\n\r\nhello");
        for (var n = 0; n < bytes.Length; n++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, n);
            var result = RtspMessageReader.TryRead(ref buffer, RtspParseLimits.Default, out var req, out _, out _, out _, out _);
            Assert.Equal(RtspParseResult.Incomplete, result);
            Assert.Null(req);
            Assert.Equal(n, buffer.Length);
        }

        var full = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(RtspParseResult.Request, RtspMessageReader.TryRead(ref full, RtspParseLimits.Default, out var request, out _, out _, out _, out _));
        Assert.Equal("hello", Encoding.ASCII.GetString(request!.Body.Span));
        Assert.True(full.IsEmpty);
    }

    [Fact]
    public void Interleaved_frame_needs_header_and_payload()
    {
        byte[] frame = [(byte)'$', 3, 0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF];
        for (var n = 0; n < frame.Length; n++)
        {
            var partial = new ReadOnlySequence<byte>(frame, 0, n);
            Assert.Equal(RtspParseResult.Incomplete, RtspMessageReader.TryRead(ref partial, RtspParseLimits.Default, out _, out _, out _, out _, out _));
            Assert.Equal(n, partial.Length);
        }

        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Equal(RtspParseResult.InterleavedFrame, RtspMessageReader.TryRead(ref buffer, RtspParseLimits.Default, out _, out _, out var channel, out var payload, out _));
        Assert.Equal(3, channel);
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, payload.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Interleaved_frame_payload_is_a_slice_of_the_input()
    {
        byte[] frame = [(byte)'$', 0, 0x00, 0x02, 0x11, 0x22, (byte)'$', 1, 0, 0];
        var buffer = new ReadOnlySequence<byte>(frame);
        RtspMessageReader.TryRead(ref buffer, RtspParseLimits.Default, out _, out _, out _, out var payload, out _);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload.First, out var segment));
        Assert.Same(frame, segment.Array);
        Assert.Equal(4, segment.Offset);

        Assert.Equal(RtspParseResult.InterleavedFrame, RtspMessageReader.TryRead(ref buffer, RtspParseLimits.Default, out _, out _, out var ch, out var empty, out _));
        Assert.Equal(1, ch);
        Assert.True(empty.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Reading_interleaved_frames_does_not_allocate()
    {
        var bytes = new byte[4 + 1400];
        bytes[0] = (byte)'$';
        bytes[3] = 0x78; // 0x0578 = 1400 bytes
        bytes[2] = 0x05;
        var limits = RtspParseLimits.Default;
        var sequence = new ReadOnlySequence<byte>(bytes);
        for (var i = 0; i < 100; i++)
        {
            var b = sequence;
            RtspMessageReader.TryRead(ref b, limits, out _, out _, out _, out _, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            var b = sequence;
            RtspMessageReader.TryRead(ref b, limits, out _, out _, out _, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Messages_and_frames_back_to_back_in_one_buffer()
    {
        var bytes = Ascii("\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            .Concat(new byte[] { (byte)'$', 0, 0, 3, 1, 2, 3 })
            .Concat(Ascii("RTSP/1.0 200 OK\nCSeq: 7\nContent-Length: 2\n\nhi"))
            .Concat(Ascii("\r\n"))
            .Concat(new byte[] { (byte)'$', 1, 0, 1, 9 })
            .Concat(Ascii("GET_PARAMETER rtsp://h/x RTSP/1.0\r\nCSeq: 8\r\nSession: abc;timeout=60\r\n\r\nTEARDOWN"))
            .ToArray();

        var (items, remaining) = ReadAll(bytes);

        Assert.Equal(
            [RtspParseResult.Request, RtspParseResult.InterleavedFrame, RtspParseResult.Response, RtspParseResult.InterleavedFrame, RtspParseResult.Request],
            items.Select(i => i.Kind));
        Assert.Equal("*", items[0].Request!.Uri);
        Assert.Equal(new byte[] { 1, 2, 3 }, items[1].Payload);
        Assert.Equal(7, items[2].Response!.CSeq);
        Assert.Equal("hi", Encoding.ASCII.GetString(items[2].Response!.Body.Span));
        Assert.Equal(1, items[3].Channel);
        Assert.Equal("abc", items[4].Request!.Session);
        Assert.Equal("abc;timeout=60", items[4].Request!.Headers["Session"]);
        Assert.Equal("TEARDOWN".Length, remaining);
    }

    [Fact]
    public void Multi_segment_sequences_parse_like_one_segment()
    {
        var bytes = Ascii("DESCRIBE rtsp://h/x RTSP/1.0\r\nCSeq: 2\r\nContent-Length: 4\r\n\r\nbody")
            .Concat(new byte[] { (byte)'$', 2, 0, 5, 1, 2, 3, 4, 5 })
            .ToArray();
        var expected = Describe(ReadAll(bytes).Items);
        for (var cut1 = 1; cut1 < bytes.Length; cut1 += 3)
        {
            for (var cut2 = cut1 + 1; cut2 < bytes.Length; cut2 += 5)
            {
                var (items, remaining) = ReadAll(Segmented(bytes, cut1, cut2));
                Assert.Equal(0, remaining);
                Assert.Equal(expected, Describe(items));
            }
        }
    }

    [Fact]
    public void Frame_header_split_across_segments()
    {
        byte[] bytes = [(byte)'$', 4, 0, 2, 0xAA, 0xBB];
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var (items, remaining) = ReadAll(Segmented(bytes, cut));
            var frame = Assert.Single(items);
            Assert.Equal(4, frame.Channel);
            Assert.Equal(new byte[] { 0xAA, 0xBB }, frame.Payload);
            Assert.Equal(0, remaining);
        }
    }

    [Fact]
    public void Request_without_cseq_has_null_cseq()
    {
        var request = ReadOne("OPTIONS rtsp://h/ RTSP/1.0\r\nUser-Agent: x\r\n\r\n").Request!;
        Assert.Null(request.CSeq);
        Assert.Null(ReadOne("OPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: abc\r\n\r\n").Request!.CSeq);
        Assert.Null(ReadOne("OPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: -1\r\n\r\n").Request!.CSeq);
        Assert.Equal(42, ReadOne("OPTIONS rtsp://h/ RTSP/1.0\r\ncseq:42\r\n\r\n").Request!.CSeq);
    }

    [Fact]
    public void Oversized_header_is_rejected_with_400_before_the_blank_line()
    {
        var limits = new RtspParseLimits(MaxHeaderBytes: 1024);
        var bytes = Ascii("OPTIONS rtsp://h/ RTSP/1.0\r\nX-Long: " + new string('a', 2000));

        var (items, _) = ReadAll(bytes, limits);

        var item = Assert.Single(items);
        Assert.Equal(RtspParseResult.Invalid, item.Kind);
        Assert.Equal(400, item.Error.StatusCode);
        Assert.Contains("1024", item.Error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_exactly_at_the_limit_is_accepted()
    {
        var head = "OPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\n\r\n";
        var exact = new RtspParseLimits(MaxHeaderBytes: head.Length);
        Assert.Equal(RtspParseResult.Request, ReadAll(Ascii(head), exact).Items.Single().Kind);
        var tooSmall = new RtspParseLimits(MaxHeaderBytes: head.Length - 1);
        Assert.Equal(400, ReadAll(Ascii(head), tooSmall).Items.Single().Error.StatusCode);
    }

    [Fact]
    public void Too_many_headers_is_400()
    {
        var text = "OPTIONS * RTSP/1.0\r\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        var item = ReadAll(Ascii(text), new RtspParseLimits(MaxHeaderCount: 4)).Items.Single();
        Assert.Equal(RtspParseResult.Invalid, item.Kind);
        Assert.Equal(400, item.Error.StatusCode);
    }

    [Fact]
    public void Oversized_body_is_413()
    {
        var item = ReadOne("ANNOUNCE rtsp://h/x RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 2000000\r\n\r\n");
        Assert.Equal(RtspParseResult.Invalid, item.Kind);
        Assert.Equal(413, item.Error.StatusCode);
    }

    [Theory]
    [InlineData("ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: abc\r\n\r\n")]
    [InlineData("ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: -5\r\n\r\n")]
    [InlineData("ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: 99999999999999999999999\r\n\r\n")]
    [InlineData("ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")]
    [InlineData("hello world\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("OPTIONS  RTSP/1.0\r\n\r\n")]
    [InlineData("OPTIONS rtsp://h/ RTSP/1.0 extra\r\n\r\n")]
    [InlineData("OPTIONS rtsp://h/ RTSP/1.0\r\nNo colon here\r\n\r\n")]
    [InlineData("OPTIONS rtsp://h/ RTSP/1.0\r\n: empty name\r\n\r\n")]
    [InlineData("OPTIONS rtsp://h/ RTSP/1.0\r\nBad Name: x\r\n\r\n")]
    [InlineData("RTSP/1.0 2000 OK\r\n\r\n")]
    [InlineData("RTSP/1.0 abc OK\r\n\r\n")]
    [InlineData("RTSP/1.0 099 Low\r\n\r\n")]
    [InlineData("RTSP/1.0\r\n\r\n")]
    [InlineData("\u0001\u0002\u0003garbage")]
    [InlineData("{\"json\": true}")]
    [InlineData("OPTIONS rtsp://h/ RTSP/1.0\r\nX: a\rb\r\n\r\n")]
    public void Malformed_input_is_400(string text)
    {
        var item = ReadOne(text);
        Assert.Equal(RtspParseResult.Invalid, item.Kind);
        Assert.Equal(400, item.Error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(item.Error.Reason));
    }

    [Theory]
    [InlineData("OPTIONS rtsp://h/ RTSP/2.0\r\n\r\n")]
    [InlineData("OPTIONS rtsp://h/ RTSP/1.1\r\n\r\n")]
    [InlineData("RTSP/2.0 200 OK\r\n\r\n")]
    public void Other_rtsp_versions_are_505(string text)
    {
        var item = ReadOne(text);
        Assert.Equal(RtspParseResult.Invalid, item.Kind);
        Assert.Equal(505, item.Error.StatusCode);
    }

    [Fact]
    public void Binary_garbage_is_rejected_immediately()
    {
        var item = ReadOne("\0");
        Assert.Equal(RtspParseResult.Invalid, item.Kind);
        Assert.Equal(400, item.Error.StatusCode);
    }

    [Fact]
    public void Bare_lf_and_folded_headers_and_whitespace_are_tolerated()
    {
        var request = ReadOne("SETUP rtsp://h/x/trackID=1 RTSP/1.0\nCSeq:3\nTransport:   RTP/AVP;unicast;\n  client_port=5000-5001  \nX-Empty:\n\n").Request!;
        Assert.Equal(3, request.CSeq);
        Assert.Equal("RTP/AVP;unicast; client_port=5000-5001", request.Headers["Transport"]);
        Assert.Equal(string.Empty, request.Headers["X-Empty"]);
    }

    [Fact]
    public void Response_reason_may_be_empty_or_have_spaces()
    {
        Assert.Equal("Method Not Valid in This State", ReadOne("RTSP/1.0 455 Method Not Valid in This State\r\nCSeq: 1\r\n\r\n").Response!.Reason);
        var bare = ReadOne("RTSP/1.0 200\r\nCSeq: 1\r\n\r\n").Response!;
        Assert.Equal(200, bare.StatusCode);
        Assert.Equal(string.Empty, bare.Reason);
    }

    [Fact]
    public void Only_stray_line_endings_are_incomplete()
    {
        var (items, remaining) = ReadAll(Ascii("\r\n\r\n\n"));
        Assert.Empty(items);
        Assert.Equal(5, remaining);
    }

    [Fact]
    public void Endless_empty_lines_are_rejected()
    {
        var item = ReadAll(Ascii(new string('\n', 200)), new RtspParseLimits(MaxHeaderBytes: 100)).Items.Single();
        Assert.Equal(400, item.Error.StatusCode);
    }

    [Fact]
    public void Null_limits_throw()
    {
        var buffer = new ReadOnlySequence<byte>(Ascii("OPTIONS * RTSP/1.0\r\n\r\n"));
        Assert.Throws<ArgumentNullException>(() => RtspMessageReader.TryRead(ref buffer, null!, out _, out _, out _, out _, out _));
    }

    private static ReadItem ReadOne(string text)
    {
        var (items, _) = ReadAll(Ascii(text));
        return Assert.Single(items);
    }

    internal static List<string> Describe(IEnumerable<ReadItem> items) => items.Select(i => i.Kind switch
    {
        RtspParseResult.Request => $"REQ {i.Request} [{string.Join("|", i.Request!.Headers.Select(h => h.Key + ":" + h.Value))}] {Convert.ToHexString(i.Request.Body.Span)}",
        RtspParseResult.Response => $"RESP {i.Response} [{string.Join("|", i.Response!.Headers.Select(h => h.Key + ":" + h.Value))}] {Convert.ToHexString(i.Response.Body.Span)}",
        RtspParseResult.InterleavedFrame => $"FRAME {i.Channel} {Convert.ToHexString(i.Payload)}",
        _ => $"{i.Kind} {i.Error}",
    }).ToList();
}
