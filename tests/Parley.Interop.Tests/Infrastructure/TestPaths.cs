namespace Parley.Interop.Tests.Infrastructure;

/// <summary>Where the shared recordings are (../shared/media beside the project root) and scratch folders.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> SharedMedia = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "media");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("../shared/media not found above " + AppContext.BaseDirectory);
    });

    public static string Media(string name) => Path.Combine(SharedMedia.Value, name);

    public static string NewTempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "parley-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }
}
