using System.Globalization;
using System.Text;

namespace Parley.Codecs.Gstreamer;

/// <summary>Helpers for writing gst-launch pipeline descriptions safely.</summary>
public static class GstLaunch
{
    /// <summary>
    /// Quotes a property value for a pipeline description: wrapped in double quotes with <c>\</c> and <c>"</c>
    /// escaped, so device paths, file names and URIs with spaces or <c>!</c> stay one value.
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A <c>file://</c> URI for a local path (made absolute), as uridecodebin wants.</summary>
    public static string FileUri(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new Uri(Path.GetFullPath(path)).AbsoluteUri;
    }

    /// <summary>Formats an integer with the invariant culture (pipeline text must not depend on locale).</summary>
    internal static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
