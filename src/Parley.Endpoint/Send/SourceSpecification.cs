namespace Parley.Endpoint.Send;

/// <summary>The kinds of capture source `parley send` takes.</summary>
public enum SourceKind
{
    /// <summary>The stamped test pattern and tone.</summary>
    Test,

    /// <summary>A file GStreamer decodes, paced in real time: <c>file:PATH</c>.</summary>
    File,

    /// <summary>A V4L2 camera: <c>v4l2:/dev/videoN</c>.</summary>
    V4l2,

    /// <summary>An ALSA microphone: <c>alsa:DEVICE</c>.</summary>
    Alsa,

    /// <summary>The Raspberry Pi camera through libcamera: <c>libcamera[:NAME]</c>.</summary>
    Libcamera,

    /// <summary>A custom GStreamer pipeline ending in <c>appsink name=video</c> and/or <c>appsink name=audio</c>: <c>gst:PIPELINE</c>.</summary>
    Gstreamer,
}

/// <summary>One part of a source specification: a kind and its argument (device, path, pipeline).</summary>
/// <param name="Kind">What captures.</param>
/// <param name="Argument">The device, path, camera name or pipeline; null where the kind takes none.</param>
public sealed record SourcePart(SourceKind Kind, string? Argument)
{
    /// <summary>Whether this part can give video.</summary>
    public bool GivesVideo => Kind is SourceKind.Test or SourceKind.File or SourceKind.V4l2 or SourceKind.Libcamera or SourceKind.Gstreamer;

    /// <summary>Whether this part can give audio.</summary>
    public bool GivesAudio => Kind is SourceKind.Test or SourceKind.File or SourceKind.Alsa or SourceKind.Gstreamer;
}

/// <summary>
/// A parsed `parley send` source: <c>test</c>, <c>file:PATH</c>, <c>v4l2:/dev/videoN</c>, <c>alsa:DEVICE</c>,
/// <c>libcamera</c>, <c>gst:PIPELINE</c>, or a video part and an audio part joined by <c>+</c>
/// (<c>v4l2:/dev/video0+alsa:default</c>). A <c>gst:</c> pipeline takes the rest of the text, '+' included.
/// </summary>
public sealed record SourceSpecification(IReadOnlyList<SourcePart> Parts)
{
    /// <summary>Parses a specification.</summary>
    /// <param name="text">The source argument as the user typed it.</param>
    /// <param name="specification">The parts, at most two.</param>
    /// <param name="error">What is wrong and what was expected, when it returns false.</param>
    public static bool TryParse(string text, out SourceSpecification? specification, out string? error)
    {
        specification = null;
        error = null;
        var parts = new List<SourcePart>();
        string rest = text?.Trim() ?? string.Empty;
        while (rest.Length > 0)
        {
            string token;
            if (rest.StartsWith("gst:", StringComparison.Ordinal))
            {
                token = rest;
                rest = string.Empty;
            }
            else
            {
                int plus = rest.IndexOf('+', StringComparison.Ordinal);
                token = plus < 0 ? rest : rest[..plus];
                rest = plus < 0 ? string.Empty : rest[(plus + 1)..];
            }

            if (!TryParsePart(token, out var part, out error))
            {
                return false;
            }

            parts.Add(part!);
        }

        if (parts.Count == 0 || parts.Count > 2)
        {
            error = "expected one source, or a video source and an audio source joined by '+'";
            return false;
        }

        if (parts.Count == 2 && !(parts[0].GivesVideo && parts[1].GivesAudio))
        {
            error = $"'{text}': the first part must give video and the second audio (for example v4l2:/dev/video0+alsa:default)";
            return false;
        }

        specification = new SourceSpecification(parts);
        return true;
    }

    private static bool TryParsePart(string token, out SourcePart? part, out string? error)
    {
        part = null;
        error = null;
        int colon = token.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? token : token[..colon];
        string? argument = colon < 0 ? null : token[(colon + 1)..];
        switch (kind)
        {
            case "test" when argument is null:
                part = new SourcePart(SourceKind.Test, null);
                return true;
            case "libcamera":
                part = new SourcePart(SourceKind.Libcamera, string.IsNullOrEmpty(argument) ? null : argument);
                return true;
            case "file" or "v4l2" or "alsa" or "gst" when !string.IsNullOrWhiteSpace(argument):
                part = new SourcePart(kind switch
                {
                    "file" => SourceKind.File,
                    "v4l2" => SourceKind.V4l2,
                    "alsa" => SourceKind.Alsa,
                    _ => SourceKind.Gstreamer,
                }, argument);
                return true;
            default:
                error = $"unknown source '{token}': expected test, file:PATH, v4l2:/dev/videoN, alsa:DEVICE, libcamera or gst:PIPELINE";
                return false;
        }
    }
}
