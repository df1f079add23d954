namespace Parley.Codecs;

/// <summary>Sizes of planar YUV 4:2:0 (I420) images: a Y plane, then U, then V, without row padding.</summary>
public static class I420
{
    /// <summary>Width of a chroma plane in samples: ceil(width / 2).</summary>
    public static int ChromaWidth(int width) => (width + 1) / 2;

    /// <summary>Height of a chroma plane in rows: ceil(height / 2).</summary>
    public static int ChromaHeight(int height) => (height + 1) / 2;

    /// <summary>Total bytes of a packed I420 image: width × height + 2 × ceil(width/2) × ceil(height/2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">width or height is not positive.</exception>
    public static int GetSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(width, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(height, 0);
        return checked((width * height) + (2 * ChromaWidth(width) * ChromaHeight(height)));
    }
}
