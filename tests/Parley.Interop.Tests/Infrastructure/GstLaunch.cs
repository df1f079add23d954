using Xunit.Abstractions;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>
/// gst-launch-1.0 pipelines that end by themselves (a sink's num-buffers, identity's eos-after) as a real RTSP
/// reader. Success is the pipeline reaching EOS: rtspsrc then tears down, and at times sends PAUSE after its own
/// TEARDOWN closed the exchange, which gst-launch reports as an error (exit 1) after EOS. That shutdown race is
/// GStreamer's, not a failure to play.
/// </summary>
internal static class GstLaunch
{
    private static readonly Dictionary<string, string> UntranslatedMessages = new() { ["LC_ALL"] = "C" };

    /// <summary>Starts gst-launch-1.0 with the pipeline, its messages untranslated (not quiet: it prints when the pipeline reaches EOS).</summary>
    public static ExternalProcess Start(params string[] pipeline) => ExternalProcess.Start("gst-launch-1.0", UntranslatedMessages, pipeline);

    /// <summary>Waits for the pipeline to end and asserts that it reached EOS.</summary>
    /// <exception cref="TimeoutException">gst-launch-1.0 did not exit in time.</exception>
    public static async Task AssertReachesEosAsync(ExternalProcess gst, TimeSpan timeout, ITestOutputHelper output)
    {
        int exit = await gst.WaitForExitAsync(timeout);
        output.WriteLine("gst-launch-1.0: " + ExternalProcess.Tail(gst.StandardOutput + gst.StandardError, 12));
        bool reachedEos = gst.StandardOutput.Contains("Got EOS from element \"pipeline0\"", StringComparison.Ordinal);
        Assert.True(reachedEos, $"gst-launch-1.0 exited {exit} without reaching EOS");
    }
}
