using Parley.Endpoint.Trust;

namespace Parley.Endpoint.Tests.Trust;

public sealed class HubTrustTests
{
    [Theory]
    [InlineData("rtsp://hub.example:8554/cam", true)]
    [InlineData("rtsp://192.168.1.20:8554/cam", true)]
    [InlineData("rtsp://[2001:db8::1]:8554/cam", true)]
    [InlineData("rtsp://127.0.0.1:8554/cam", false)]
    [InlineData("rtsp://127.0.0.2:8554/cam", false)]
    [InlineData("rtsp://localhost:8554/cam", false)]
    [InlineData("rtsp://[::1]:8554/cam", false)]
    [InlineData("rtsps://hub.example:8322/cam", false)]
    [InlineData("RTSPS://hub.example:8322/cam", false)]
    public void Only_plain_rtsp_to_another_machine_counts_as_unencrypted(string url, bool expected) =>
        Assert.Equal(expected, HubTrust.IsUnencryptedRemote(new Uri(url)));
}
