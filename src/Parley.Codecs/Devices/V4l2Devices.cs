using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Parley.Codecs.Devices;

/// <summary>One pixel format a camera offers and its frame sizes.</summary>
/// <param name="FourCc">The V4L2 pixel format as four characters: "YUYV", "MJPG", "H264".</param>
/// <param name="Description">The driver's description ("Motion-JPEG").</param>
/// <param name="Sizes">Discrete sizes as "WIDTHxHEIGHT", or one "MINxMIN-MAXxMAX" range for stepwise/continuous sizes.</param>
public sealed record V4l2Format(string FourCc, string Description, IReadOnlyList<string> Sizes);

/// <summary>A V4L2 video capture device.</summary>
/// <param name="Path">The device node, /dev/videoN.</param>
/// <param name="Card">The device's name ("HD Webcam C270").</param>
/// <param name="Driver">The kernel driver ("uvcvideo", "bcm2835-v4l2").</param>
/// <param name="BusInfo">Where it is attached ("usb-0000:00:14.0-1").</param>
/// <param name="Formats">Pixel formats and sizes, in the driver's order.</param>
public sealed record V4l2Camera(string Path, string Card, string Driver, string BusInfo, IReadOnlyList<V4l2Format> Formats);

/// <summary>
/// Lists V4L2 cameras with the kernel's ioctls (VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_ENUM_FRAMESIZES; Linux
/// uapi videodev2.h). Nodes that are not video capture (metadata nodes a UVC camera adds, encoders, output devices)
/// are left out. The structures are parsed from the bytes the kernel fills, little-endian as on every Linux target
/// we run on.
/// </summary>
public static partial class V4l2Devices
{
    private const uint CapVideoCapture = 0x0000_0001;
    private const uint CapVideoCaptureMplane = 0x0000_1000;
    private const uint CapDeviceCaps = 0x8000_0000;
    private const uint BufTypeVideoCapture = 1;
    private const uint FrameSizeDiscrete = 1;

    // _IOR('V', 0, struct v4l2_capability[104]), _IOWR('V', 2, struct v4l2_fmtdesc[64]), _IOWR('V', 74, struct v4l2_frmsizeenum[44]).
    private const ulong VidiocQueryCap = 0x8068_5600;
    private const ulong VidiocEnumFmt = 0xC040_5602;
    private const ulong VidiocEnumFrameSizes = 0xC02C_564A;
    private const int CapabilitySize = 104;
    private const int FormatSize = 64;
    private const int FrameSizeSize = 44;

    /// <summary>The capture cameras among <paramref name="directory"/>/video*, by node number; empty when there are none.</summary>
    /// <param name="directory">Where device nodes are, /dev.</param>
    /// <param name="skipped">Nodes that could not be opened or queried, with the reason (permission, busy).</param>
    public static IReadOnlyList<V4l2Camera> Find(string directory, out IReadOnlyList<string> skipped)
    {
        var cameras = new List<V4l2Camera>();
        var problems = new List<string>();
        skipped = problems;
        if (!Directory.Exists(directory))
        {
            return cameras;
        }

        var nodes = Directory.EnumerateFiles(directory, "video*")
            .Where(p => int.TryParse(Path.GetFileName(p).AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(p => int.Parse(Path.GetFileName(p).AsSpan(5), CultureInfo.InvariantCulture));
        foreach (string node in nodes)
        {
            try
            {
                if (Probe(node) is { } camera)
                {
                    cameras.Add(camera);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{node}: {e.Message}");
            }
        }

        return cameras;
    }

    private static V4l2Camera? Probe(string node)
    {
        using var handle = File.OpenHandle(node, FileMode.Open, FileAccess.ReadWrite);
        int fd = (int)handle.DangerousGetHandle();
        Span<byte> capability = stackalloc byte[CapabilitySize];
        capability.Clear();
        if (Ioctl(fd, VidiocQueryCap, capability) != 0)
        {
            return null; // not a V4L2 node
        }

        if (!TryParseCapability(capability, out string driver, out string card, out string bus, out uint caps) || (caps & CapVideoCapture) == 0)
        {
            return null;
        }

        var formats = new List<V4l2Format>();
        Span<byte> format = stackalloc byte[FormatSize];
        for (uint index = 0; index < 64; index++)
        {
            format.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(format, index);
            BinaryPrimitives.WriteUInt32LittleEndian(format[4..], BufTypeVideoCapture);
            if (Ioctl(fd, VidiocEnumFmt, format) != 0 || !TryParseFormat(format, out string description, out uint pixelFormat))
            {
                break; // EINVAL ends the list
            }

            formats.Add(new V4l2Format(FourCc(pixelFormat), description, FrameSizes(fd, pixelFormat)));
        }

        return new V4l2Camera(node, card, driver, bus, formats);
    }

    private static List<string> FrameSizes(int fd, uint pixelFormat)
    {
        var sizes = new List<string>();
        Span<byte> entry = stackalloc byte[FrameSizeSize];
        for (uint index = 0; index < 64; index++)
        {
            entry.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(entry, index);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], pixelFormat);
            if (Ioctl(fd, VidiocEnumFrameSizes, entry) != 0 || !TryParseFrameSize(entry, out string size, out bool discrete))
            {
                break;
            }

            sizes.Add(size);
            if (!discrete)
            {
                break; // a stepwise range is the only entry
            }
        }

        return sizes;
    }

    /// <summary>
    /// Reads struct v4l2_capability: driver[16], card[32], bus_info[32] (NUL-terminated), version, capabilities,
    /// device_caps (u32 each), reserved[3]. The node's own capabilities are device_caps when V4L2_CAP_DEVICE_CAPS is set.
    /// </summary>
    /// <returns>False when the buffer is shorter than 104 bytes.</returns>
    public static bool TryParseCapability(ReadOnlySpan<byte> buffer, out string driver, out string card, out string busInfo, out uint capabilities)
    {
        driver = card = busInfo = string.Empty;
        capabilities = 0;
        if (buffer.Length < CapabilitySize)
        {
            return false;
        }

        driver = CString(buffer[..16]);
        card = CString(buffer.Slice(16, 32));
        busInfo = CString(buffer.Slice(48, 32));
        uint all = BinaryPrimitives.ReadUInt32LittleEndian(buffer[84..]);
        uint device = BinaryPrimitives.ReadUInt32LittleEndian(buffer[88..]);
        capabilities = (all & CapDeviceCaps) != 0 ? device : all;
        if ((capabilities & CapVideoCaptureMplane) != 0)
        {
            capabilities |= CapVideoCapture; // multi-planar capture is capture too (Pi unicam, ISP)
        }

        return true;
    }

    /// <summary>Reads struct v4l2_fmtdesc: index, type, flags, description[32], pixelformat, mbus_code, reserved[3].</summary>
    /// <returns>False when the buffer is shorter than 64 bytes.</returns>
    public static bool TryParseFormat(ReadOnlySpan<byte> buffer, out string description, out uint pixelFormat)
    {
        description = string.Empty;
        pixelFormat = 0;
        if (buffer.Length < FormatSize)
        {
            return false;
        }

        description = CString(buffer.Slice(12, 32));
        pixelFormat = BinaryPrimitives.ReadUInt32LittleEndian(buffer[44..]);
        return true;
    }

    /// <summary>
    /// Reads struct v4l2_frmsizeenum: index, pixel_format, type, then a discrete {width, height} or a stepwise
    /// {min_width, max_width, step_width, min_height, max_height, step_height}, reserved[2].
    /// </summary>
    /// <returns>False when the buffer is shorter than 44 bytes.</returns>
    public static bool TryParseFrameSize(ReadOnlySpan<byte> buffer, out string size, out bool discrete)
    {
        size = string.Empty;
        discrete = false;
        if (buffer.Length < FrameSizeSize)
        {
            return false;
        }

        discrete = BinaryPrimitives.ReadUInt32LittleEndian(buffer[8..]) == FrameSizeDiscrete;
        var body = buffer[12..];
        size = discrete
            ? string.Create(CultureInfo.InvariantCulture, $"{BinaryPrimitives.ReadUInt32LittleEndian(body)}x{BinaryPrimitives.ReadUInt32LittleEndian(body[4..])}")
            : string.Create(CultureInfo.InvariantCulture, $"{BinaryPrimitives.ReadUInt32LittleEndian(body)}x{BinaryPrimitives.ReadUInt32LittleEndian(body[12..])}-{BinaryPrimitives.ReadUInt32LittleEndian(body[4..])}x{BinaryPrimitives.ReadUInt32LittleEndian(body[16..])}");
        return true;
    }

    /// <summary>A V4L2 pixel format code as its four characters (v4l2_fourcc: first character in the low byte).</summary>
    public static string FourCc(uint pixelFormat)
    {
        Span<byte> chars = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(chars, pixelFormat);
        return Encoding.ASCII.GetString(chars).TrimEnd(' ', '\0');
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]).Trim();
    }

    private static unsafe int Ioctl(int fd, ulong request, Span<byte> argument)
    {
        fixed (byte* pointer = argument)
        {
            return NativeMethods.Ioctl(fd, (nuint)request, pointer);
        }
    }

    private static unsafe partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
        public static partial int Ioctl(int fd, nuint request, byte* argument);
    }
}
