using System.Globalization;

namespace Parley.Codecs.Devices;

/// <summary>An ALSA PCM device that can capture.</summary>
/// <param name="Card">Card number.</param>
/// <param name="Device">Device number on the card.</param>
/// <param name="Name">The device's name ("USB Audio").</param>
/// <param name="Subdevices">How many capture substreams it has.</param>
public sealed record AlsaCaptureDevice(int Card, int Device, string Name, int Subdevices)
{
    /// <summary>The ALSA device string for `parley send alsa:DEVICE`: plughw:CARD,DEVICE (converts rate and format).</summary>
    public string AlsaName => string.Create(CultureInfo.InvariantCulture, $"plughw:{Card},{Device}");
}

/// <summary>
/// ALSA capture devices from /proc/asound/pcm, whose lines read
/// <c>CC-DD: id : name : playback N : capture N</c> (sound/core/pcm.c, snd_pcm_proc_read).
/// </summary>
public static class AlsaCaptureDevices
{
    /// <summary>The capture devices in <paramref name="procPcm"/>; empty when the file is missing (no sound cards).</summary>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    public static IReadOnlyList<AlsaCaptureDevice> Find(string procPcm = "/proc/asound/pcm") =>
        File.Exists(procPcm) ? Parse(File.ReadAllText(procPcm)) : [];

    /// <summary>Parses the text of /proc/asound/pcm; malformed lines are skipped.</summary>
    public static IReadOnlyList<AlsaCaptureDevice> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var devices = new List<AlsaCaptureDevice>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(':', StringSplitOptions.TrimEntries);
            var numbers = fields[0].Split('-');
            if (fields.Length < 3 || numbers.Length != 2
                || !int.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out int card)
                || !int.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out int device))
            {
                continue;
            }

            foreach (string field in fields.Skip(3))
            {
                if (field.StartsWith("capture ", StringComparison.Ordinal)
                    && int.TryParse(field.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out int substreams) && substreams > 0)
                {
                    devices.Add(new AlsaCaptureDevice(card, device, fields[2].Length > 0 ? fields[2] : fields[1], substreams));
                }
            }
        }

        return devices;
    }
}
