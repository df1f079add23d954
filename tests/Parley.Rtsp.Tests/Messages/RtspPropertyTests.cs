using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using static Parley.Rtsp.Tests.Messages.TestUtil;

namespace Parley.Rtsp.Tests.Messages;

public class RtspPropertyTests
{
    private static readonly string[] s_methods =
        [RtspMethods.Options, RtspMethods.Describe, RtspMethods.Announce, RtspMethods.Setup, RtspMethods.Play,
         RtspMethods.Record, RtspMethods.Pause, RtspMethods.Teardown, RtspMethods.GetParameter, RtspMethods.SetParameter, "X-CUSTOM"];

    private static readonly string[] s_headerNames = ["CSeq", "Session", "Transport", "User-Agent", "Range", "Accept", "X-Thing", "RTP-Info", "Via"];

    private static Gen<string> StringOf(string alphabet, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), n)).Select(cs => new string(cs));

    private static readonly Gen<string> s_uri =
        StringOf("abcdefghijklmnopqrstuvwxyz0123456789/=._-%:", 0, 40).Select(p => "rtsp://127.0.0.1:8554/" + p);

    private static readonly Gen<string> s_value =
        StringOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ;=,-/:\"éü", 0, 60).Select(v => v.Trim());

    private static readonly Gen<RtspRequest> s_request =
        from method in Gen.Elements(s_methods)
        from uri in Gen.OneOf(s_uri, Gen.Constant("*"))
        from headers in Gen.ListOf(Gen.Zip(Gen.Elements(s_headerNames), s_value))
        from body in Gen.OneOf(Gen.Constant(Array.Empty<byte>()), ArbMap.Default.GeneratorFor<byte[]>())
        select Build(method, uri, headers, body);

    private static RtspRequest Build(string method, string uri, IEnumerable<(string, string)> headers, byte[] body)
    {
        var request = new RtspRequest(method, uri) { Body = body };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_overrun()
    {
        var limits = new RtspParseLimits(MaxHeaderBytes: 512, MaxBodyBytes: 512, MaxHeaderCount: 10);
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            var copy = bytes.ToArray();
            while (true)
            {
                var before = buffer.Length;
                var result = RtspMessageReader.TryRead(ref buffer, limits, out _, out _, out _, out _, out var error);
                if (result is RtspParseResult.Incomplete or RtspParseResult.Invalid)
                {
                    if (result == RtspParseResult.Invalid && error.StatusCode is not (400 or 413 or 505))
                    {
                        return false;
                    }

                    return buffer.Length == before && copy.AsSpan().SequenceEqual(bytes);
                }

                if (buffer.Length >= before)
                {
                    return false;
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Random_text_lines_never_throw()
    {
        var lines = Gen.ListOf(StringOf("GET RTSP/1.0 rtsp://h:Content-Length 0123456789\r\n$ab", 0, 30))
            .Select(l => Encoding.ASCII.GetBytes(string.Join("\r\n", l) + "\r\n\r\n"));
        Prop.ForAll(lines.ToArbitrary(), bytes =>
        {
            _ = ReadAll(bytes);
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Written_requests_parse_back_identically()
    {
        Prop.ForAll(s_request.ToArbitrary(), request =>
        {
            var (items, remaining) = ReadAll(request.ToArray());
            if (remaining != 0 || items.Count != 1 || items[0].Kind != RtspParseResult.Request)
            {
                return false;
            }

            var parsed = items[0].Request!;
            var expectedHeaders = request.Headers.ToList();
            if (!request.Body.IsEmpty)
            {
                expectedHeaders.Add(new("Content-Length", request.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return parsed.Method == request.Method
                && parsed.Uri == request.Uri
                && parsed.Version == request.Version
                && parsed.Headers.SequenceEqual(expectedHeaders)
                && parsed.Body.Span.SequenceEqual(request.Body.Span)
                && parsed.CSeq == request.CSeq
                && parsed.Session == request.Session;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Any_segmentation_yields_the_same_items()
    {
        var gen =
            from requests in Gen.ListOf(s_request)
            from cuts in Gen.ArrayOf(Gen.Choose(0, 4000))
            select (requests, cuts);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var bytes = input.requests.SelectMany(r => r.ToArray().Concat(new byte[] { (byte)'$', 1, 0, 2, 7, 8 })).ToArray();
            var expected = RtspMessageReaderTests.Describe(ReadAll(bytes).Items);
            var (items, remaining) = ReadAll(Segmented(bytes, input.cuts));
            return remaining == 0 && expected.SequenceEqual(RtspMessageReaderTests.Describe(items));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Transport_format_parse_round_trip()
    {
        var port = Gen.Choose(0, 65534);
        var channel = Gen.Choose(0, 254);
        var gen =
            from tcp in ArbMap.Default.GeneratorFor<bool>()
            from profile in Gen.Elements("RTP/AVP", "RTP/SAVP", "RTP/AVPF")
            from multicast in ArbMap.Default.GeneratorFor<bool>()
            from client in Gen.OneOf(Gen.Constant<(int, int)?>(null), port.Select(p => ((int, int)?)(p, p + 1)))
            from server in Gen.OneOf(Gen.Constant<(int, int)?>(null), port.Select(p => ((int, int)?)(p, p + 1)))
            from interleaved in Gen.OneOf(Gen.Constant<(int, int)?>(null), channel.Select(c => ((int, int)?)(c, c + 1)))
            from ssrc in Gen.OneOf(Gen.Constant<uint?>(null), ArbMap.Default.GeneratorFor<uint>().Select(s => (uint?)s))
            from mode in Gen.Elements<string?>(null, "PLAY", "RECORD")
            from ttl in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 255).Select(t => (int?)t))
            from destination in Gen.Elements<string?>(null, "", "10.0.0.1", "ff0e::1")
            select new RtspTransport
            {
                Profile = profile,
                LowerTransport = tcp ? "TCP" : "UDP",
                Multicast = multicast,
                ClientPort = client,
                ServerPort = server,
                Interleaved = interleaved,
                Ssrc = ssrc,
                Mode = mode,
                Ttl = ttl,
                Destination = destination,
            };
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var text = t.ToString();
            return RtspTransport.TryParse(text, out var back)
                && back!.Profile == t.Profile && back.LowerTransport == t.LowerTransport && back.Multicast == t.Multicast
                && back.ClientPort == t.ClientPort && back.ServerPort == t.ServerPort && back.Interleaved == t.Interleaved
                && back.Ssrc == t.Ssrc && back.Mode == t.Mode && back.Ttl == t.Ttl && back.Destination == t.Destination
                && back.ToString() == text;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Header_value_parsers_never_throw()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), s =>
        {
            s ??= string.Empty;
            _ = RtspTransport.ParseList(s);
            _ = RtspTransport.TryParse(s, out _);
            _ = RtspHeaderValues.TryParseRtpInfo(s, out _);
            _ = RtspHeaderValues.TryParseNptRange(s, out _, out _);
            _ = RtspHeaderValues.TryParseSessionTimeout(s, out _);
            _ = RtspUri.TryParse(s, out RtspUriParts? _);
            _ = RtspUri.TryParse("rtsp://" + s, out RtspUriParts? _);
            _ = RtspHeaderValues.TryParseNptRange("npt=" + s, out _, out _);
            _ = RtspTransport.ParseList("RTP/AVP;" + s);
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
