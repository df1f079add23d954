using Parley.Codecs;
using Parley.Endpoint.Rooms;

namespace Parley.Endpoint.Tests.Rooms;

/// <summary>The tiled view of a room: where each participant goes, and what the composed I420 canvas holds.</summary>
public sealed class VideoGridTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 2, 1)]
    [InlineData(3, 2, 2)]
    [InlineData(4, 2, 2)]
    [InlineData(5, 3, 2)]
    [InlineData(9, 3, 3)]
    [InlineData(10, 4, 3)]
    [InlineData(16, 4, 4)]
    public void Cells_form_a_near_square_grid_inside_the_canvas_without_overlap(int count, int columns, int rows)
    {
        var cells = GridLayout.Cells(count, 1280, 720);
        Assert.Equal(count, cells.Length);
        Assert.Equal(columns, cells.Count(c => c.Y == cells[0].Y));
        Assert.Equal(rows, cells.Select(c => c.Y).Distinct().Count());
        Assert.All(cells, c =>
        {
            Assert.Equal(1280 / columns & ~1, c.Width);
            Assert.Equal(720 / rows & ~1, c.Height);
            Assert.True(c.X >= 0 && c.Y >= 0 && c.X + c.Width <= 1280 && c.Y + c.Height <= 720, $"{c} leaves the canvas");
            Assert.Equal(0, (c.X | c.Y | c.Width | c.Height) & 1);
        });
        for (int i = 0; i < cells.Length; i++)
        {
            for (int j = i + 1; j < cells.Length; j++)
            {
                var (a, b) = (cells[i], cells[j]);
                Assert.True(a.X + a.Width <= b.X || b.X + b.Width <= a.X || a.Y + a.Height <= b.Y || b.Y + b.Height <= a.Y, $"{a} overlaps {b}");
            }
        }
    }

    [Fact]
    public void Three_tiles_put_the_third_centred_under_the_first_two()
    {
        var cells = GridLayout.Cells(3, 1280, 720);
        Assert.Equal(new GridRect(0, 0, 640, 360), cells[0]);
        Assert.Equal(new GridRect(640, 0, 640, 360), cells[1]);
        Assert.Equal(new GridRect(320, 360, 640, 360), cells[2]);
        Assert.Empty(GridLayout.Cells(0, 1280, 720));
    }

    [Theory]
    [InlineData(640, 360, 640, 360, 0, 0)]     // same shape: fills the cell
    [InlineData(320, 240, 480, 360, 80, 0)]    // 4:3 in a 16:9 cell: bars left and right
    [InlineData(1280, 720, 640, 360, 0, 0)]    // scaled down, same shape
    [InlineData(720, 1280, 202, 360, 218, 0)]  // portrait: narrow, centred
    [InlineData(1000, 100, 640, 64, 0, 148)]   // very wide: bars above and below
    public void Fit_keeps_the_aspect_ratio_centred_in_the_cell(int width, int height, int w, int h, int dx, int dy)
    {
        var cell = new GridRect(640, 360, 640, 360);
        var fit = GridLayout.Fit(cell, width, height);
        Assert.Equal(new GridRect(640 + dx, 360 + dy, w, h), fit);
    }

    [Fact]
    public void Scaling_a_picture_into_a_rectangle_maps_every_plane_by_nearest_neighbour_and_leaves_the_rest()
    {
        // A 4×4 source whose luma is its own index, chroma 2×2 of distinct values.
        byte[] source = new byte[I420.GetSize(4, 4)];
        for (int i = 0; i < 16; i++)
        {
            source[i] = (byte)(100 + i);
        }

        byte[] u = [10, 11, 12, 13], v = [20, 21, 22, 23];
        u.CopyTo(source, 16);
        v.CopyTo(source, 20);

        byte[] canvas = new byte[I420.GetSize(8, 8)];
        I420Canvas.Fill(canvas, 8, 8, new GridRect(0, 0, 8, 8));
        I420Canvas.Scale(source, 4, 4, canvas, 8, 8, new GridRect(2, 2, 2, 2)); // half size at (2,2)

        // Halving picks source columns/rows 1 and 3 (sample centres).
        Assert.Equal(100 + 5, canvas[(2 * 8) + 2]);
        Assert.Equal(100 + 7, canvas[(2 * 8) + 3]);
        Assert.Equal(100 + 13, canvas[(3 * 8) + 2]);
        Assert.Equal(100 + 15, canvas[(3 * 8) + 3]);
        Assert.Equal(13, canvas[64 + (1 * 4) + 1]); // chroma 1×1 at (1,1): source chroma (1,1)
        Assert.Equal(23, canvas[64 + 16 + (1 * 4) + 1]);
        int changed = canvas.Select((b, i) => (b, i)).Count(p => p.b != (p.i < 64 ? I420Canvas.BlackLuma : I420Canvas.NeutralChroma));
        Assert.Equal(6, changed);

        // Doubling repeats every sample twice in each direction.
        byte[] big = new byte[I420.GetSize(8, 8)];
        I420Canvas.Scale(source, 4, 4, big, 8, 8, new GridRect(0, 0, 8, 8));
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++)
            {
                Assert.Equal(source[(y / 2 * 4) + (x / 2)], big[(y * 8) + x]);
            }
        }
    }

    [Fact]
    public void Scale_and_fill_refuse_rectangles_outside_the_canvas_or_odd()
    {
        byte[] canvas = new byte[I420.GetSize(8, 8)];
        byte[] source = new byte[I420.GetSize(2, 2)];
        Assert.Throws<ArgumentException>(() => I420Canvas.Fill(canvas, 8, 8, new GridRect(4, 4, 6, 2)));
        Assert.Throws<ArgumentException>(() => I420Canvas.Fill(canvas, 8, 8, new GridRect(1, 0, 2, 2)));
        Assert.Throws<ArgumentException>(() => I420Canvas.Scale(source, 4, 4, canvas, 8, 8, new GridRect(0, 0, 2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => GridLayout.Cells(1, 7, 8));
    }

    [Fact]
    public void The_grid_draws_each_tile_in_its_cell_and_relays_out_when_a_tile_leaves()
    {
        using var grid = new VideoGrid(null, 64, 32);
        Assert.True(grid.Compose(out var empty)); // first frame: all black
        Assert.All(empty[..(64 * 32)].ToArray(), b => Assert.Equal(I420Canvas.BlackLuma, b));

        var red = grid.AddTile("red");
        var blue = grid.AddTile("blue");
        red.WriteVideo(Solid(16, 16, 81, 90, 240), 16, 16, TimeSpan.Zero);
        blue.WriteVideo(Solid(16, 16, 41, 240, 110), 16, 16, TimeSpan.Zero);
        Assert.True(grid.Compose(out var two));

        // Two square pictures side by side in 32×32 cells, each filling its cell.
        Assert.Equal(81, Luma(two, 64, 5, 5));
        Assert.Equal(41, Luma(two, 64, 40, 20));
        Assert.Equal(90, two[(64 * 32) + (2 * 32) + 2]); // U of the left half
        Assert.Equal(240, two[(64 * 32) + (2 * 32) + 20]);

        Assert.False(grid.Compose(out _)); // nothing new: no canvas written

        grid.RemoveTile(red);
        Assert.True(grid.Compose(out var one));

        // Blue alone: a 32×32 square centred in the 64×32 canvas, black bars at both sides.
        Assert.Equal(I420Canvas.BlackLuma, Luma(one, 64, 5, 5));
        Assert.Equal(41, Luma(one, 64, 20, 5));
        Assert.Equal(41, Luma(one, 64, 47, 31));
        Assert.Equal(I420Canvas.BlackLuma, Luma(one, 64, 50, 5));
    }

    private static byte Luma(ReadOnlySpan<byte> canvas, int width, int x, int y) => canvas[(y * width) + x];

    private static byte[] Solid(int width, int height, byte y, byte u, byte v)
    {
        byte[] picture = new byte[I420.GetSize(width, height)];
        int luma = width * height, chroma = luma / 4;
        picture.AsSpan(0, luma).Fill(y);
        picture.AsSpan(luma, chroma).Fill(u);
        picture.AsSpan(luma + chroma, chroma).Fill(v);
        return picture;
    }
}
