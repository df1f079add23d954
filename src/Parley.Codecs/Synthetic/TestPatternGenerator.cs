using System.Buffers.Binary;

namespace Parley.Codecs.Synthetic;

/// <summary>
/// Renders a moving test pattern into packed I420 (BT.601 limited range): 75% colour bars over a luma ramp, a box
/// that sweeps left and right, a readable frame counter and UTC clock, and a machine-readable stamp that carries
/// the frame number and capture time through lossy coding so a receiver can measure latency from decoded frames.
/// </summary>
/// <remarks>
/// <para>The stamp is a grid of 16 × 8 square cells in the top-left corner, each black (Y = 16) or white
/// (Y = 235) and aligned to the 8/16-pixel block grid of JPEG and H.264. Cells are 16 pixels when the frame is at
/// least 320 × 240 and 8 pixels when it is at least 128 × 64 (smaller frames carry no stamp). The 128 bits, most
/// significant first, row by row:</para>
/// <code>
///  0        8                                      48                                                 112      128
/// +--------+----------------------------------------+---------------------------------------------------+--------+
/// |  0xA5  |   frame number (40 bits, unsigned)     |   capture time, Unix ms (64 bits, signed)          | CRC-16 |
/// +--------+----------------------------------------+---------------------------------------------------+--------+
/// </code>
/// <para>CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) covers the first 14 bytes. A reader
/// averages the middle quarter of each cell and thresholds halfway, which survives JPEG at quality 50 and
/// H.264 at ordinary bitrates. <see cref="Render"/> allocates nothing; not thread-safe.</para>
/// </remarks>
public sealed class TestPatternGenerator
{
    /// <summary>Stamp cells per row.</summary>
    public const int StampColumns = 16;

    /// <summary>Stamp rows.</summary>
    public const int StampRows = 8;

    private const byte StampMagic = 0xA5;
    private const byte Black = 16;
    private const byte White = 235;
    private const long FrameNumberMask = (1L << 40) - 1;

    // 5x7 glyphs, one byte per row, bit 4 = leftmost pixel.
    private const string Glyphs = "0123456789:.# PARLEYUTCFZ";

    private static ReadOnlySpan<byte> Font =>
    [
        0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E, // 0
        0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E, // 1
        0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F, // 2
        0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E, // 3
        0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02, // 4
        0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E, // 5
        0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E, // 6
        0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, // 7
        0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E, // 8
        0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C, // 9
        0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00, // :
        0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C, // .
        0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A, // #
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // space
        0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10, // P
        0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, // A
        0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11, // R
        0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F, // L
        0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F, // E
        0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04, // Y
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E, // U
        0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, // T
        0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E, // C
        0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10, // F
        0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F, // Z
    ];

    // 75% colour bars (ITU-R BT.601, limited range): white, yellow, cyan, green, magenta, red, blue.
    private static ReadOnlySpan<byte> BarY => [180, 162, 131, 112, 84, 65, 35];

    private static ReadOnlySpan<byte> BarU => [128, 44, 156, 72, 184, 100, 212];

    private static ReadOnlySpan<byte> BarV => [128, 142, 44, 58, 198, 212, 114];

    private readonly byte[] _background;
    private readonly int _chromaWidth;
    private readonly int _chromaHeight;
    private readonly int _cell;
    private readonly int _scale;
    private readonly int _boxSize;
    private readonly int _boxTop;
    private readonly int _textTop;

    /// <summary>Creates a generator for one geometry and frame rate; the static background is drawn once here.</summary>
    /// <param name="width">Width in pixels, 16..8192.</param>
    /// <param name="height">Height in pixels, 16..8192.</param>
    /// <param name="framesPerSecond">Frame rate, 1..240; sets the speed of the moving box (one sweep in 2 s).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside its range.</exception>
    public TestPatternGenerator(int width, int height, int framesPerSecond = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 8192);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 8192);
        ArgumentOutOfRangeException.ThrowIfLessThan(framesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(framesPerSecond, 240);
        Width = width;
        Height = height;
        FramesPerSecond = framesPerSecond;
        FrameSize = I420.GetSize(width, height);
        _chromaWidth = I420.ChromaWidth(width);
        _chromaHeight = I420.ChromaHeight(height);
        _cell = GetStampCellSize(width, height);
        _scale = Math.Max(1, height / 180);
        _textTop = height - (2 * 9 * _scale) - (2 * _scale);
        int stampBottom = _cell * StampRows;
        _boxSize = Math.Max(4, Math.Min(height / 6, (_textTop - stampBottom) * 3 / 4)) & ~1;
        _boxTop = stampBottom + Math.Max(0, (_textTop - stampBottom - _boxSize) / 2);
        _background = new byte[FrameSize];
        DrawBackground(_background);
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Frames per second the motion is timed for.</summary>
    public int FramesPerSecond { get; }

    /// <summary>Bytes of one packed I420 frame (<see cref="I420.GetSize"/>).</summary>
    public int FrameSize { get; }

    /// <summary>
    /// The stamp's cell size in pixels for a frame geometry: 16 for frames of at least 320 × 240, 8 for at least
    /// 128 × 64, otherwise 0 (no stamp).
    /// </summary>
    public static int GetStampCellSize(int width, int height) =>
        width >= 320 && height >= 240 ? 16 : width >= StampColumns * 8 && height >= StampRows * 8 ? 8 : 0;

    /// <summary>Renders frame <paramref name="frameNumber"/> into <paramref name="i420"/>.</summary>
    /// <param name="frameNumber">The frame index (≥ 0); drives the motion and is stamped (low 40 bits) and shown.</param>
    /// <param name="captureUnixMs">The capture time in Unix milliseconds; stamped and shown as a UTC clock.</param>
    /// <param name="i420">At least <see cref="FrameSize"/> bytes.</param>
    /// <exception cref="ArgumentException">i420 is too small, or frameNumber is negative.</exception>
    public void Render(long frameNumber, long captureUnixMs, Span<byte> i420)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameNumber);
        if (i420.Length < FrameSize)
        {
            throw new ArgumentException($"A {Width}x{Height} I420 frame is {FrameSize} bytes; got {i420.Length}.", nameof(i420));
        }

        _background.CopyTo(i420);

        // The box sweeps across and back every 2 s: a triangle wave over 2 × FramesPerSecond frames.
        long period = 2L * FramesPerSecond;
        long phase = frameNumber % period;
        long travel = Width - _boxSize;
        int boxLeft = (int)(travel * (phase <= FramesPerSecond ? phase : period - phase) / FramesPerSecond);
        FillRect(i420, boxLeft, _boxTop, _boxSize, _boxSize, White, 128, 128);
        int inner = _boxSize / 4;
        FillRect(i420, boxLeft + inner, _boxTop + inner, _boxSize - (2 * inner), _boxSize - (2 * inner), BarY[6], BarU[6], BarV[6]);

        DrawText(i420, frameNumber, captureUnixMs);
        if (_cell > 0)
        {
            DrawStamp(i420, frameNumber & FrameNumberMask, captureUnixMs);
        }
    }

    /// <summary>
    /// Reads the stamp back from a decoded frame's luma plane.
    /// </summary>
    /// <param name="lumaPlane">The Y plane, <paramref name="width"/> bytes per row (a packed I420 frame works as is).</param>
    /// <param name="width">Frame width in pixels, as rendered.</param>
    /// <param name="height">Frame height in pixels, as rendered.</param>
    /// <param name="frameNumber">The stamped frame number (40 bits).</param>
    /// <param name="captureUnixMs">The stamped capture time, Unix milliseconds.</param>
    /// <returns>False when the frame is too small, the plane too short, or the magic or CRC does not match.</returns>
    public static bool TryReadStamp(ReadOnlySpan<byte> lumaPlane, int width, int height, out long frameNumber, out long captureUnixMs)
    {
        frameNumber = 0;
        captureUnixMs = 0;
        int cell = GetStampCellSize(width, height);
        if (cell == 0 || lumaPlane.Length < (long)width * height)
        {
            return false;
        }

        Span<byte> bits = stackalloc byte[StampColumns * StampRows / 8];
        bits.Clear();
        int q = cell / 4;
        for (int i = 0; i < StampColumns * StampRows; i++)
        {
            int x0 = ((i % StampColumns) * cell) + q, y0 = ((i / StampColumns) * cell) + q;
            int sum = 0;
            for (int y = y0; y < y0 + (2 * q); y++)
            {
                ReadOnlySpan<byte> row = lumaPlane.Slice((y * width) + x0, 2 * q);
                foreach (byte b in row)
                {
                    sum += b;
                }
            }

            if (sum > (Black + White) / 2 * (4 * q * q))
            {
                bits[i >> 3] |= (byte)(0x80 >> (i & 7));
            }
        }

        if (bits[0] != StampMagic || BinaryPrimitives.ReadUInt16BigEndian(bits[14..]) != Crc16(bits[..14]))
        {
            return false;
        }

        frameNumber = (long)((BinaryPrimitives.ReadUInt64BigEndian(bits) >> 16) & (ulong)FrameNumberMask);
        captureUnixMs = BinaryPrimitives.ReadInt64BigEndian(bits[6..]);
        return true;
    }

    private void DrawStamp(Span<byte> i420, long frameNumber, long captureUnixMs)
    {
        Span<byte> bits = stackalloc byte[StampColumns * StampRows / 8];
        BinaryPrimitives.WriteUInt64BigEndian(bits, ((ulong)StampMagic << 56) | ((ulong)frameNumber << 16));
        BinaryPrimitives.WriteInt64BigEndian(bits[6..], captureUnixMs);
        BinaryPrimitives.WriteUInt16BigEndian(bits[14..], Crc16(bits[..14]));
        for (int i = 0; i < StampColumns * StampRows; i++)
        {
            bool one = (bits[i >> 3] & (0x80 >> (i & 7))) != 0;
            FillRect(i420, (i % StampColumns) * _cell, (i / StampColumns) * _cell, _cell, _cell, one ? White : Black, 128, 128);
        }
    }

    private void DrawText(Span<byte> i420, long frameNumber, long captureUnixMs)
    {
        // "PARLEY #01234567" and "HH:MM:SS.mmm UTC", white on a black panel.
        Span<char> line1 = stackalloc char[16];
        "PARLEY #".CopyTo(line1);
        WriteDigits(line1[8..], frameNumber % 100_000_000, 8);
        Span<char> line2 = stackalloc char[16];
        long msOfDay = ((captureUnixMs % 86_400_000) + 86_400_000) % 86_400_000;
        WriteDigits(line2, msOfDay / 3_600_000, 2);
        line2[2] = ':';
        WriteDigits(line2[3..], msOfDay / 60_000 % 60, 2);
        line2[5] = ':';
        WriteDigits(line2[6..], msOfDay / 1000 % 60, 2);
        line2[8] = '.';
        WriteDigits(line2[9..], msOfDay % 1000, 3);
        " UTC".CopyTo(line2[12..]);

        int k = _scale, left = Math.Max(2, _cell), advance = 6 * k;
        int panelWidth = Math.Min(Width - left, (16 * advance) + (2 * k));
        FillRect(i420, left, _textTop - k, panelWidth, (2 * 9 * k) + k, Black, 128, 128);
        DrawLine(i420, line1, left + k, _textTop);
        DrawLine(i420, line2, left + k, _textTop + (9 * k));
    }

    private void DrawLine(Span<byte> i420, ReadOnlySpan<char> text, int x, int y)
    {
        int k = _scale;
        for (int c = 0; c < text.Length; c++, x += 6 * k)
        {
            int g = Glyphs.IndexOf(text[c], StringComparison.Ordinal);
            if (g < 0)
            {
                continue;
            }

            ReadOnlySpan<byte> glyph = Font.Slice(g * 7, 7);
            for (int row = 0; row < 7; row++)
            {
                for (int col = 0; col < 5; col++)
                {
                    if ((glyph[row] & (0x10 >> col)) != 0)
                    {
                        FillLuma(i420, x + (col * k), y + (row * k), k, k, White);
                    }
                }
            }
        }
    }

    private static void WriteDigits(Span<char> destination, long value, int digits)
    {
        for (int i = digits - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private void DrawBackground(Span<byte> i420)
    {
        int barBottom = Height * 2 / 3;
        Span<byte> y = i420[..(Width * Height)];
        for (int row = 0; row < Height; row++)
        {
            Span<byte> line = y.Slice(row * Width, Width);
            for (int x = 0; x < Width; x++)
            {
                line[x] = row < barBottom ? BarY[x * 7 / Width] : (byte)(Black + ((White - Black) * x / Math.Max(1, Width - 1)));
            }
        }

        Span<byte> u = i420.Slice(Width * Height, _chromaWidth * _chromaHeight);
        Span<byte> v = i420.Slice((Width * Height) + (_chromaWidth * _chromaHeight), _chromaWidth * _chromaHeight);
        for (int row = 0; row < _chromaHeight; row++)
        {
            for (int x = 0; x < _chromaWidth; x++)
            {
                bool bar = 2 * row < barBottom;
                int bx = Math.Min(6, 2 * x * 7 / Width);
                u[(row * _chromaWidth) + x] = bar ? BarU[bx] : (byte)128;
                v[(row * _chromaWidth) + x] = bar ? BarV[bx] : (byte)128;
            }
        }
    }

    private void FillRect(Span<byte> i420, int x, int y, int w, int h, byte luma, byte cb, byte cr)
    {
        FillLuma(i420, x, y, w, h, luma);
        int cx0 = Math.Max(0, x / 2), cy0 = Math.Max(0, y / 2);
        int cx1 = Math.Min(_chromaWidth, (x + w + 1) / 2), cy1 = Math.Min(_chromaHeight, (y + h + 1) / 2);
        if (cx1 <= cx0 || cy1 <= cy0)
        {
            return;
        }

        int uOffset = Width * Height, vOffset = uOffset + (_chromaWidth * _chromaHeight);
        for (int row = cy0; row < cy1; row++)
        {
            i420.Slice(uOffset + (row * _chromaWidth) + cx0, cx1 - cx0).Fill(cb);
            i420.Slice(vOffset + (row * _chromaWidth) + cx0, cx1 - cx0).Fill(cr);
        }
    }

    private void FillLuma(Span<byte> i420, int x, int y, int w, int h, byte luma)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        int x1 = Math.Min(Width, x + w), y1 = Math.Min(Height, y + h);
        for (int row = y0; row < y1 && x1 > x0; row++)
        {
            i420.Slice((row * Width) + x0, x1 - x0).Fill(luma);
        }
    }

    // CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR.
    private static ushort Crc16(ReadOnlySpan<byte> data)
    {
        int crc = 0xFFFF;
        foreach (byte b in data)
        {
            crc ^= b << 8;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }

        return (ushort)crc;
    }
}
