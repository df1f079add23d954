using System.Net;
using Microsoft.AspNetCore.Http;
using Parley.Hub.Web;
using Parley.Security.Access;

namespace Parley.Hub.Tests.Web;

public sealed class PlaintextGateTests
{
    private static readonly IPAddress Lan = IPAddress.Parse("192.168.1.20");

    [Theory]
    [InlineData("GET", "/", false, nameof(PlaintextAnswer.Redirect))]
    [InlineData("HEAD", "/demo", false, nameof(PlaintextAnswer.Redirect))]
    [InlineData("GET", "/r/lobby", false, nameof(PlaintextAnswer.Redirect))]
    [InlineData("GET", "/assets/parley-player.js", false, nameof(PlaintextAnswer.Redirect))]
    [InlineData("GET", "/demo/mjpeg", false, nameof(PlaintextAnswer.Redirect))]
    [InlineData("GET", "/r/lobby/ws", true, nameof(PlaintextAnswer.Refuse))]
    [InlineData("GET", "/demo/ws", true, nameof(PlaintextAnswer.Refuse))]
    [InlineData("GET", "/api/streams", false, nameof(PlaintextAnswer.Refuse))]
    [InlineData("GET", "/api/events", false, nameof(PlaintextAnswer.Refuse))]
    [InlineData("POST", "/demo/whep", false, nameof(PlaintextAnswer.Refuse))]
    [InlineData("DELETE", "/demo/whep/abc", false, nameof(PlaintextAnswer.Refuse))]
    public void A_lan_client_on_plain_http_is_sent_to_https_for_pages_and_refused_otherwise(string method, string path, bool webSocket, string answer)
    {
        var expected = Enum.Parse<PlaintextAnswer>(answer);
        Assert.Equal(expected, PlaintextGate.Decide(false, PlaintextMode.Loopback, Lan, method, path, webSocket, httpsAvailable: true));
        // Over HTTPS everything goes on to access control.
        Assert.Equal(PlaintextAnswer.Serve, PlaintextGate.Decide(true, PlaintextMode.Loopback, Lan, method, path, webSocket, httpsAvailable: true));
        // A loopback client keeps plain HTTP.
        Assert.Equal(PlaintextAnswer.Serve, PlaintextGate.Decide(false, PlaintextMode.Loopback, IPAddress.Loopback, method, path, webSocket, httpsAvailable: true));
        Assert.Equal(PlaintextAnswer.Serve, PlaintextGate.Decide(false, PlaintextMode.Loopback, IPAddress.Parse("::ffff:127.0.0.1"), method, path, webSocket, httpsAvailable: true));
        // allow: everyone on plain HTTP; off: not even loopback.
        Assert.Equal(PlaintextAnswer.Serve, PlaintextGate.Decide(false, PlaintextMode.Allow, Lan, method, path, webSocket, httpsAvailable: true));
        Assert.Equal(expected, PlaintextGate.Decide(false, PlaintextMode.Off, IPAddress.Loopback, method, path, webSocket, httpsAvailable: true));
    }

    [Fact]
    public void Without_https_a_page_cannot_be_redirected_and_is_refused() =>
        Assert.Equal(PlaintextAnswer.Refuse, PlaintextGate.Decide(false, PlaintextMode.Loopback, Lan, "GET", "/demo", false, httpsAvailable: false));

    [Theory]
    [InlineData("hub.lan:8080", "/r/lobby", "?token=abc", "https://hub.lan:8443/r/lobby?token=abc")]
    [InlineData("192.168.1.5:8080", "/", "", "https://192.168.1.5:8443/")]
    [InlineData("[fd00::5]:8080", "/demo", "", "https://[fd00::5]:8443/demo")]
    [InlineData("", "/demo", "", "https://192.168.1.5:8443/demo")]
    public void The_https_url_keeps_the_host_the_client_asked_for_path_and_query(string host, string path, string query, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        Assert.Equal(expected, PlaintextGate.HttpsUrl(context.Request, 8443, IPAddress.Parse("192.168.1.5")));
    }
}
