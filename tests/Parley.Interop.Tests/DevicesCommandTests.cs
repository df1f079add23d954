using Parley.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Interop.Tests;

/// <summary>`parley devices` as a user runs it on this machine (no cameras, no sound cards) and with a PCM list.</summary>
public sealed class DevicesCommandTests(ITestOutputHelper output)
{
    private static readonly string Parley = Path.Combine(AppContext.BaseDirectory, "parley");

    [Fact]
    public async Task On_a_machine_without_cameras_it_says_so_and_exits_0()
    {
        Assert.Empty(Directory.Exists("/dev") ? Directory.GetFiles("/dev", "video*") : []); // the premise of this test
        await using var devices = ExternalProcess.Start(Parley, "devices");
        Assert.Equal(0, await devices.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        output.WriteLine(devices.StandardOutput);
        Assert.Contains("cameras:\n  no cameras found", devices.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("microphones:", devices.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Microphones_are_listed_with_the_source_to_use()
    {
        string pcm = Path.Combine(TestPaths.NewTempDirectory(), "pcm");
        await File.WriteAllTextAsync(pcm, "00-00: ALC269VB Analog : ALC269VB Analog : playback 1 : capture 1\n00-03: HDMI 0 : HDMI 0 : playback 1\n");
        await using var devices = ExternalProcess.Start(Parley, "devices", "--proc-pcm", pcm);
        Assert.Equal(0, await devices.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        output.WriteLine(devices.StandardOutput);
        Assert.Contains("card 0 device 0  ALC269VB Analog  source: alsa:plughw:0,0", devices.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("HDMI", devices.StandardOutput, StringComparison.Ordinal);
    }
}
