namespace Parley.Interop.Tests.Infrastructure;

/// <summary>
/// A recording with B-frames, made by ffmpeg at test time: talking-head.avi looped to about 9 s, scaled to 640x480,
/// libx264 with three B-frames (B-pyramid, max_num_reorder_frames 2) and a key frame every 60 frames, AAC audio.
/// presenter-720p.mp4 has none, so this is what exercises decode times that differ from presentation times.
/// </summary>
public static class BFrameMedia
{
    /// <summary>Encodes the file into <paramref name="directory"/> and returns its path.</summary>
    public static async Task<string> EncodeAsync(string directory)
    {
        string path = Path.Combine(directory, "bframes.mp4");
        await using var ffmpeg = ExternalProcess.Start("ffmpeg", "-v", "error", "-nostdin", "-stream_loop", "1", "-i", TestPaths.Media("talking-head.avi"),
            "-vf", "scale=640:480", "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "60", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ar", "48000", "-ac", "1", "-y", path);
        int exit = await ffmpeg.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exit == 0, $"ffmpeg could not make the B-frame recording: {ffmpeg.StandardError}");

        await using var probe = ExternalProcess.Start("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=has_b_frames", "-of", "csv=p=0", path);
        Assert.Equal(0, await probe.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("2", probe.StandardOutput.Trim());
        return path;
    }
}
