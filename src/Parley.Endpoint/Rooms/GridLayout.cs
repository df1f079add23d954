namespace Parley.Endpoint.Rooms;

/// <summary>A rectangle on a picture, in pixels; every edge on an even coordinate so I420 chroma lines up.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width (even, at least 2).</param>
/// <param name="Height">Height (even, at least 2).</param>
public readonly record struct GridRect(int X, int Y, int Width, int Height);

/// <summary>
/// Where each of N pictures goes on one canvas: a grid of ceil(sqrt(N)) columns and as many rows as needed, the
/// last row centred when it is not full, each picture scaled to fit its cell with its aspect ratio kept
/// (letterboxed). Pure arithmetic; the <see cref="VideoGrid"/> draws with it.
/// </summary>
public static class GridLayout
{
    /// <summary>The cells of <paramref name="count"/> pictures on a canvas, in order (row by row).</summary>
    /// <param name="count">Pictures, 0 or more.</param>
    /// <param name="canvasWidth">Canvas width in pixels (even, at least 2).</param>
    /// <param name="canvasHeight">Canvas height in pixels (even, at least 2).</param>
    /// <returns>One even-aligned cell per picture; cells do not overlap and stay inside the canvas.</returns>
    /// <exception cref="ArgumentOutOfRangeException">count is negative, or the canvas is smaller than 2×2 or odd.</exception>
    public static GridRect[] Cells(int count, int canvasWidth, int canvasHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CheckCanvas(canvasWidth, canvasHeight);
        if (count == 0)
        {
            return [];
        }

        int columns = (int)Math.Ceiling(Math.Sqrt(count));
        int rows = (count + columns - 1) / columns;
        int cellWidth = Even(canvasWidth / columns);
        int cellHeight = Even(canvasHeight / rows);
        int gridTop = Even((canvasHeight - (rows * cellHeight)) / 2);
        var cells = new GridRect[count];
        for (int i = 0; i < count; i++)
        {
            int row = i / columns;
            int inRow = row == rows - 1 ? count - (row * columns) : columns;
            int rowLeft = Even((canvasWidth - (inRow * cellWidth)) / 2);
            cells[i] = new GridRect(rowLeft + ((i % columns) * cellWidth), gridTop + (row * cellHeight), cellWidth, cellHeight);
        }

        return cells;
    }

    /// <summary>The largest even-aligned rectangle of the picture's aspect ratio centred in <paramref name="cell"/>.</summary>
    /// <param name="cell">The cell (from <see cref="Cells"/>).</param>
    /// <param name="width">Picture width in pixels (positive).</param>
    /// <param name="height">Picture height in pixels (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException">width or height is not positive.</exception>
    public static GridRect Fit(GridRect cell, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(width, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(height, 0);

        // Compare cross products rather than ratios: exact in integers.
        long wide = (long)width * cell.Height, tall = (long)height * cell.Width;
        int w = wide >= tall ? cell.Width : Even((int)(wide / height));
        int h = wide >= tall ? Even((int)(tall / width)) : cell.Height;
        w = Math.Max(2, w);
        h = Math.Max(2, h);
        return new GridRect(cell.X + Even((cell.Width - w) / 2), cell.Y + Even((cell.Height - h) / 2), w, h);
    }

    internal static void CheckCanvas(int canvasWidth, int canvasHeight)
    {
        if (canvasWidth < 2 || canvasHeight < 2 || canvasWidth % 2 != 0 || canvasHeight % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(canvasWidth), $"a canvas is even and at least 2×2, not {canvasWidth}×{canvasHeight}");
        }
    }

    private static int Even(int value) => value & ~1;
}
