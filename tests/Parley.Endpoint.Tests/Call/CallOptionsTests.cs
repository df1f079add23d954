using Parley.Endpoint.Call;
using Parley.Endpoint.Send;

namespace Parley.Endpoint.Tests.Calls;

/// <summary>How a call names its paths: each side's URL under the hub (or room) URL, and which names are allowed.</summary>
public sealed class CallOptionsTests
{
    [Theory]
    [InlineData("rtsp://hub:8554", "alice", "rtsp://hub:8554/alice")]
    [InlineData("rtsp://hub:8554/", "alice", "rtsp://hub:8554/alice")]
    [InlineData("rtsp://hub:8554/room", "alice", "rtsp://hub:8554/room/alice")]
    [InlineData("rtsp://hub:8554/room/", "bob", "rtsp://hub:8554/room/bob")]
    [InlineData("rtsp://u:p@hub:8554/room?x=1", "bob", "rtsp://u:p@hub:8554/room/bob")]
    public void A_path_is_the_name_under_the_hub_url(string hub, string name, string expected)
    {
        Assert.Equal(expected, CallOptions.PathOf(new Uri(hub), name).ToString());
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("pi-kitchen_2.cam", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("ä", false)]
    public void Names_are_single_plain_path_segments(string name, bool valid)
    {
        Assert.Equal(valid, CallOptions.IsValidName(name));
        Assert.False(CallOptions.IsValidName(new string('a', 65)));
    }

    [Fact]
    public void A_session_publishes_under_its_name_and_plays_the_peer_and_refuses_calling_itself()
    {
        var source = SourceSpecification.TryParse("test", out var test, out _) ? test! : throw new InvalidOperationException();
        var session = new CallSession(new CallOptions { Hub = new Uri("rtsp://127.0.0.1:8554/room"), Name = "a", Peer = "b", Source = source });
        Assert.Equal("rtsp://127.0.0.1:8554/room/a", session.SendUrl.ToString());
        Assert.Equal("rtsp://127.0.0.1:8554/room/b", session.PeerUrl?.ToString());
        Assert.Null(new CallSession(new CallOptions { Hub = new Uri("rtsp://h"), Name = "a", Source = source }).PeerUrl);
        Assert.Throws<ArgumentException>(() => new CallSession(new CallOptions { Hub = new Uri("rtsp://h"), Name = "a", Peer = "a", Source = source }));
        Assert.Throws<ArgumentException>(() => new CallSession(new CallOptions { Hub = new Uri("rtsp://h"), Name = "a/b", Source = source }));
    }
}
