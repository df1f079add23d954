using Parley.Codecs;

namespace Parley.Endpoint.Rooms;

/// <summary>
/// Drawing on a packed I420 picture (<see cref="I420"/>): filling rectangles with black and scaling another I420
/// picture into a rectangle (nearest neighbour: a grid tile is a preview, and this costs one load per output
/// sample with no filter state). Rectangles must be even-aligned (<see cref="GridRect"/>) so the chroma planes
/// line up at half resolution.
/// </summary>
public static class I420Canvas
{
    /// <summary>Video black in limited range (BT.601/709): Y 16, U and V 128.</summary>
    public const byte BlackLuma = 16;

    /// <summary>Neutral chroma.</summary>
    public const byte NeutralChroma = 128;

    /// <summary>Fills a rectangle of the canvas with black.</summary>
    /// <param name="canvas">Packed I420 of <see cref="I420.GetSize"/>(canvasWidth, canvasHeight) bytes.</param>
    /// <param name="canvasWidth">Canvas width in pixels (even).</param>
    /// <param name="canvasHeight">Canvas height in pixels (even).</param>
    /// <param name="rect">The rectangle, inside the canvas.</param>
    /// <exception cref="ArgumentException">The canvas is too small or the rectangle is outside it.</exception>
    public static void Fill(Span<byte> canvas, int canvasWidth, int canvasHeight, GridRect rect)
    {
        Check(canvas.Length, canvasWidth, canvasHeight, rect);
        var y = Plane(canvas, canvasWidth, canvasHeight, 0);
        var u = Plane(canvas, canvasWidth, canvasHeight, 1);
        var v = Plane(canvas, canvasWidth, canvasHeight, 2);
        for (int row = 0; row < rect.Height; row++)
        {
            y.Slice(((rect.Y + row) * canvasWidth) + rect.X, rect.Width).Fill(BlackLuma);
        }

        int chromaWidth = canvasWidth / 2;
        for (int row = 0; row < rect.Height / 2; row++)
        {
            int offset = (((rect.Y / 2) + row) * chromaWidth) + (rect.X / 2);
            u.Slice(offset, rect.Width / 2).Fill(NeutralChroma);
            v.Slice(offset, rect.Width / 2).Fill(NeutralChroma);
        }
    }

    /// <summary>Scales a whole I420 picture into a rectangle of the canvas (nearest neighbour, each plane on its own).</summary>
    /// <param name="source">Packed I420 of <see cref="I420.GetSize"/>(sourceWidth, sourceHeight) bytes.</param>
    /// <param name="sourceWidth">Source width in pixels.</param>
    /// <param name="sourceHeight">Source height in pixels.</param>
    /// <param name="canvas">Packed I420 of <see cref="I420.GetSize"/>(canvasWidth, canvasHeight) bytes.</param>
    /// <param name="canvasWidth">Canvas width in pixels (even).</param>
    /// <param name="canvasHeight">Canvas height in pixels (even).</param>
    /// <param name="rect">Where the picture goes, inside the canvas.</param>
    /// <exception cref="ArgumentException">A buffer is too small or the rectangle is outside the canvas.</exception>
    public static void Scale(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> canvas, int canvasWidth, int canvasHeight, GridRect rect)
    {
        Check(canvas.Length, canvasWidth, canvasHeight, rect);
        if (source.Length < I420.GetSize(sourceWidth, sourceHeight))
        {
            throw new ArgumentException($"the source holds {source.Length} bytes, a {sourceWidth}×{sourceHeight} I420 picture needs {I420.GetSize(sourceWidth, sourceHeight)}", nameof(source));
        }

        int sourceChromaWidth = I420.ChromaWidth(sourceWidth), sourceChromaHeight = I420.ChromaHeight(sourceHeight);
        int sourceLuma = sourceWidth * sourceHeight, sourceChroma = sourceChromaWidth * sourceChromaHeight;
        ScalePlane(source[..sourceLuma], sourceWidth, sourceHeight, Plane(canvas, canvasWidth, canvasHeight, 0), canvasWidth, rect.X, rect.Y, rect.Width, rect.Height);
        var chroma = (X: rect.X / 2, Y: rect.Y / 2, W: rect.Width / 2, H: rect.Height / 2);
        ScalePlane(source.Slice(sourceLuma, sourceChroma), sourceChromaWidth, sourceChromaHeight, Plane(canvas, canvasWidth, canvasHeight, 1), canvasWidth / 2, chroma.X, chroma.Y, chroma.W, chroma.H);
        ScalePlane(source.Slice(sourceLuma + sourceChroma, sourceChroma), sourceChromaWidth, sourceChromaHeight, Plane(canvas, canvasWidth, canvasHeight, 2), canvasWidth / 2, chroma.X, chroma.Y, chroma.W, chroma.H);
    }

    private static void ScalePlane(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> plane, int stride, int x, int y, int width, int height)
    {
        // Sample centres: output column c reads source column floor((c + 0.5) * sw / w), in integers.
        for (int row = 0; row < height; row++)
        {
            var sourceRow = source.Slice((int)((((2L * row) + 1) * sourceHeight) / (2L * height)) * sourceWidth, sourceWidth);
            var target = plane.Slice(((y + row) * stride) + x, width);
            for (int column = 0; column < width; column++)
            {
                target[column] = sourceRow[(int)((((2L * column) + 1) * sourceWidth) / (2L * width))];
            }
        }
    }

    private static Span<byte> Plane(Span<byte> canvas, int width, int height, int index)
    {
        int luma = width * height, chroma = width / 2 * (height / 2);
        return index == 0 ? canvas[..luma] : canvas.Slice(luma + ((index - 1) * chroma), chroma);
    }

    private static void Check(int canvasLength, int canvasWidth, int canvasHeight, GridRect rect)
    {
        GridLayout.CheckCanvas(canvasWidth, canvasHeight);
        if (canvasLength < I420.GetSize(canvasWidth, canvasHeight))
        {
            throw new ArgumentException($"the canvas holds {canvasLength} bytes, {canvasWidth}×{canvasHeight} I420 needs {I420.GetSize(canvasWidth, canvasHeight)}", nameof(canvasLength));
        }

        if (rect.X < 0 || rect.Y < 0 || rect.Width < 2 || rect.Height < 2 || rect.X + rect.Width > canvasWidth || rect.Y + rect.Height > canvasHeight
            || ((rect.X | rect.Y | rect.Width | rect.Height) & 1) != 0)
        {
            throw new ArgumentException($"{rect} is not an even-aligned rectangle inside {canvasWidth}×{canvasHeight}", nameof(rect));
        }
    }
}
