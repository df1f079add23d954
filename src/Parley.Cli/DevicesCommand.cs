using System.CommandLine;
using Parley.Codecs.Devices;

namespace Parley.Cli;

/// <summary>`parley devices`: the cameras (V4L2) and microphones (ALSA capture) `parley send` and `parley call` can use.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var dev = new Option<string>("--dev") { Description = "Where device nodes are", DefaultValueFactory = _ => "/dev", Hidden = true };
        var asound = new Option<string>("--proc-pcm") { Description = "The ALSA PCM list", DefaultValueFactory = _ => "/proc/asound/pcm", Hidden = true };
        var command = new Command("devices", "List cameras (V4L2, with formats and sizes) and microphones (ALSA capture devices).") { dev, asound };
        command.SetAction(parse =>
        {
            var cameras = V4l2Devices.Find(parse.GetValue(dev)!, out var skipped);
            Console.WriteLine("cameras:");
            foreach (var camera in cameras)
            {
                Console.WriteLine($"  {camera.Path}  {camera.Card} ({camera.Driver}, {camera.BusInfo})  source: v4l2:{camera.Path}");
                foreach (var format in camera.Formats)
                {
                    Console.WriteLine($"    {format.FourCc,-4} {format.Description}: {string.Join(' ', format.Sizes)}");
                }
            }

            foreach (string problem in skipped)
            {
                Console.WriteLine($"  cannot query {problem} (in use, or add yourself to the 'video' group)");
            }

            if (cameras.Count == 0)
            {
                Console.WriteLine("  no cameras found. Connect one, or send the test pattern: parley send test rtsp://HOST:8554/PATH");
            }

            var microphones = AlsaCaptureDevices.Find(parse.GetValue(asound)!);
            Console.WriteLine("microphones:");
            foreach (var microphone in microphones)
            {
                Console.WriteLine($"  card {microphone.Card} device {microphone.Device}  {microphone.Name}  source: alsa:{microphone.AlsaName}");
            }

            if (microphones.Count == 0)
            {
                Console.WriteLine("  no microphones found (no ALSA capture device).");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
