using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Parley.Codecs.Devices;

namespace Parley.Codecs.Tests.Devices;

/// <summary>
/// The V4L2 structures as the kernel fills them (videodev2.h layouts, built here byte by byte), the ALSA PCM list as
/// /proc/asound/pcm prints it, and the probe over nodes that are not cameras.
/// </summary>
public sealed class DeviceListTests
{
    [Fact]
    public void Capability_reads_the_names_and_prefers_device_caps()
    {
        var buffer = new byte[104];
        Encoding.ASCII.GetBytes("uvcvideo").CopyTo(buffer, 0);
        Encoding.ASCII.GetBytes("HD Webcam C270").CopyTo(buffer, 16);
        Encoding.ASCII.GetBytes("usb-0000:00:14.0-1").CopyTo(buffer, 48);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(84), 0x8420_0001); // capture + metadata + DEVICE_CAPS
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(88), 0x0080_0000); // this node: metadata only

        Assert.True(V4l2Devices.TryParseCapability(buffer, out string driver, out string card, out string bus, out uint caps));
        Assert.Equal(("uvcvideo", "HD Webcam C270", "usb-0000:00:14.0-1"), (driver, card, bus));
        Assert.Equal(0u, caps & 1); // the metadata node of a UVC camera is not a capture device

        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(88), 0x0000_1000); // multi-planar capture (Pi unicam)
        Assert.True(V4l2Devices.TryParseCapability(buffer, out _, out _, out _, out caps));
        Assert.Equal(1u, caps & 1);
        Assert.False(V4l2Devices.TryParseCapability(buffer.AsSpan(0, 103), out _, out _, out _, out _));
    }

    [Fact]
    public void Format_and_frame_sizes_read_discrete_and_stepwise_entries()
    {
        var format = new byte[64];
        Encoding.ASCII.GetBytes("Motion-JPEG").CopyTo(format, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(format.AsSpan(44), 0x4750_4A4D); // v4l2_fourcc('M','J','P','G')
        Assert.True(V4l2Devices.TryParseFormat(format, out string description, out uint pixelFormat));
        Assert.Equal("Motion-JPEG", description);
        Assert.Equal("MJPG", V4l2Devices.FourCc(pixelFormat));

        var size = new byte[44];
        BinaryPrimitives.WriteUInt32LittleEndian(size.AsSpan(8), 1); // V4L2_FRMSIZE_TYPE_DISCRETE
        BinaryPrimitives.WriteUInt32LittleEndian(size.AsSpan(12), 1280);
        BinaryPrimitives.WriteUInt32LittleEndian(size.AsSpan(16), 720);
        Assert.True(V4l2Devices.TryParseFrameSize(size, out string text, out bool discrete));
        Assert.Equal(("1280x720", true), (text, discrete));

        BinaryPrimitives.WriteUInt32LittleEndian(size.AsSpan(8), 3); // V4L2_FRMSIZE_TYPE_STEPWISE
        uint[] stepwise = [32, 2592, 2, 32, 1944, 2];
        for (int i = 0; i < stepwise.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(size.AsSpan(12 + (4 * i)), stepwise[i]);
        }

        Assert.True(V4l2Devices.TryParseFrameSize(size, out text, out discrete));
        Assert.Equal(("32x32-2592x1944", false), (text, discrete));
    }

    [Fact]
    public void Any_bytes_parse_or_return_false_without_throwing()
    {
        var gen = Gen.Choose(0, 120).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));
        Prop.ForAll(Arb.From(gen), bytes =>
        {
            var copy = (byte[])bytes.Clone();
            bool capability = V4l2Devices.TryParseCapability(bytes, out _, out _, out _, out _);
            bool format = V4l2Devices.TryParseFormat(bytes, out _, out _);
            bool size = V4l2Devices.TryParseFrameSize(bytes, out _, out _);
            return capability == bytes.Length >= 104 && format == bytes.Length >= 64 && size == bytes.Length >= 44 && copy.AsSpan().SequenceEqual(bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Nodes_that_are_not_v4l2_devices_are_not_listed()
    {
        string dir = Path.Combine(Path.GetTempPath(), "parley-devices-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            Assert.Empty(V4l2Devices.Find(dir, out var skipped));
            Assert.Empty(skipped);

            // A regular file answers VIDIOC_QUERYCAP with ENOTTY, as a non-video character device does.
            File.WriteAllBytes(Path.Combine(dir, "video0"), new byte[16]);
            File.WriteAllBytes(Path.Combine(dir, "videocard"), new byte[16]);
            Assert.Empty(V4l2Devices.Find(dir, out skipped));
            Assert.Empty(skipped);
            Assert.Empty(V4l2Devices.Find(Path.Combine(dir, "missing"), out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Alsa_capture_devices_come_from_the_pcm_list()
    {
        const string pcm = """
            00-00: ALC269VB Analog : ALC269VB Analog : playback 1 : capture 1
            00-03: HDMI 0 : HDMI 0 : playback 1
            01-00: USB Audio : USB Audio : capture 2
            garbage line
            """;
        var devices = AlsaCaptureDevices.Parse(pcm);
        Assert.Equal(2, devices.Count);
        Assert.Equal(new AlsaCaptureDevice(0, 0, "ALC269VB Analog", 1), devices[0]);
        Assert.Equal("plughw:1,0", devices[1].AlsaName);
        Assert.Equal(2, devices[1].Subdevices);
        Assert.Empty(AlsaCaptureDevices.Parse(""));
        Assert.Empty(AlsaCaptureDevices.Find("/nonexistent/asound/pcm"));
    }
}
