using System.Net;
using System.Text;
using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>
/// WHEP's HTTP side (RFC 9725 §4.2) against a real hub, with a real Chromium offer as the body: the status codes a
/// third-party client sees, and the demo's JPEG + Opus stream answered with audio only.
/// </summary>
public sealed class WhepHttpTests(ITestOutputHelper output)
{
    private static readonly string ChromiumOffer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-156-whep-offer.sdp"))
        .ReplaceLineEndings("\r\n");

    private static StringContent Sdp(string text) => new(text, Encoding.UTF8, "application/sdp");

    [Fact]
    public async Task Whep_answers_with_status_codes_a_client_can_act_on()
    {
        await using var hub = await TestHub.StartAsync(output, o => o.Demo.Enabled = true);
        // The demo's stream exists from the start (it generates media only while someone reads).
        Assert.NotNull(await hub.Host.Paths.FindStreamAsync("demo"));
        using var http = new HttpClient { BaseAddress = new Uri(hub.WebUrl()) };

        using var missing = await http.PostAsync("nowhere/whep", Sdp(ChromiumOffer));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no stream is live on path 'nowhere'", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var notSdp = await http.PostAsync("demo/whep", new StringContent(ChromiumOffer, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notSdp.StatusCode);

        using var garbage = await http.PostAsync("demo/whep", Sdp("hello"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains("not valid SDP", await garbage.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // JPEG cannot go over WebRTC; the demo's Opus can, so the video section is rejected and audio is sent.
        using var created = await http.PostAsync("demo/whep", Sdp(ChromiumOffer));
        string answer = await created.Content.ReadAsStringAsync();
        output.WriteLine(answer);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("application/sdp", created.Content.Headers.ContentType?.MediaType);
        Assert.Contains("m=video 0 ", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:111 opus/48000/2", answer, StringComparison.Ordinal);
        Assert.Contains("a=group:BUNDLE 1\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1 " + hub.Host.Ice!.UdpPort + " typ host", answer, StringComparison.Ordinal);
        string location = created.Headers.Location!.OriginalString;
        Assert.StartsWith("/demo/whep/", location, StringComparison.Ordinal);
        Assert.Equal(1, hub.Host.Whep!.SessionCount);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, location.TrimStart('/'));
        preflight.Headers.Add("Origin", "http://player.example");
        using var preflightResponse = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Contains("DELETE", preflightResponse.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);

        using var deleted = await http.DeleteAsync(location.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var again = await http.DeleteAsync(location.TrimStart('/'));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (hub.Host.Whep.SessionCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, hub.Host.Whep.SessionCount);
    }
}
