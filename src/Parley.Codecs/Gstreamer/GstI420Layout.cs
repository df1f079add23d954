namespace Parley.Codecs.Gstreamer;

/// <summary>
/// GStreamer's default memory layout of an I420 frame (what <c>gst_video_info_set_format</c> computes and what
/// elements produce when no GstVideoMeta is negotiated): each row padded to a multiple of 4 bytes and the luma
/// plane padded to an even number of rows. Parley's packed I420 (<see cref="I420"/>) has no padding, so the two
/// agree only when the width is a multiple of 8 and the height is even; these copies convert between them.
/// </summary>
public readonly record struct GstI420Layout
{
    /// <summary>Computes the layout for a frame size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">width or height is not positive.</exception>
    public GstI420Layout(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(width, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(height, 0);
        Width = width;
        Height = height;
        int evenHeight = (height + 1) & ~1;
        LumaStride = (width + 3) & ~3;
        ChromaStride = ((((width + 1) & ~1) / 2) + 3) & ~3;
        UOffset = LumaStride * evenHeight;
        VOffset = UOffset + (ChromaStride * (evenHeight / 2));
        Size = VOffset + (ChromaStride * (evenHeight / 2));
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Bytes from one luma row to the next.</summary>
    public int LumaStride { get; }

    /// <summary>Bytes from one chroma row to the next (U and V alike).</summary>
    public int ChromaStride { get; }

    /// <summary>Byte offset of the U plane.</summary>
    public int UOffset { get; }

    /// <summary>Byte offset of the V plane.</summary>
    public int VOffset { get; }

    /// <summary>Total bytes of a frame in this layout.</summary>
    public int Size { get; }

    /// <summary>Whether this layout is byte-for-byte Parley's packed I420 (no copy per row needed).</summary>
    public bool IsPacked => Size == I420.GetSize(Width, Height);

    /// <summary>Copies packed I420 (<see cref="I420.GetSize"/> bytes) into this layout; padding bytes are left as they are.</summary>
    /// <exception cref="ArgumentException">A buffer is too small.</exception>
    public void CopyFromPacked(ReadOnlySpan<byte> packed, Span<byte> destination)
    {
        Check(packed.Length, I420.GetSize(Width, Height), nameof(packed));
        Check(destination.Length, Size, nameof(destination));
        if (IsPacked)
        {
            packed[..Size].CopyTo(destination);
            return;
        }

        int cw = I420.ChromaWidth(Width), ch = I420.ChromaHeight(Height), ySize = Width * Height;
        CopyPlane(packed, 0, Width, destination, 0, LumaStride, Width, Height);
        CopyPlane(packed, ySize, cw, destination, UOffset, ChromaStride, cw, ch);
        CopyPlane(packed, ySize + (cw * ch), cw, destination, VOffset, ChromaStride, cw, ch);
    }

    /// <summary>Copies a frame in this layout into packed I420 (<see cref="I420.GetSize"/> bytes).</summary>
    /// <exception cref="ArgumentException">A buffer is too small.</exception>
    public void CopyToPacked(ReadOnlySpan<byte> source, Span<byte> packed)
    {
        Check(source.Length, Size, nameof(source));
        Check(packed.Length, I420.GetSize(Width, Height), nameof(packed));
        if (IsPacked)
        {
            source[..Size].CopyTo(packed);
            return;
        }

        int cw = I420.ChromaWidth(Width), ch = I420.ChromaHeight(Height), ySize = Width * Height;
        CopyPlane(source, 0, LumaStride, packed, 0, Width, Width, Height);
        CopyPlane(source, UOffset, ChromaStride, packed, ySize, cw, cw, ch);
        CopyPlane(source, VOffset, ChromaStride, packed, ySize + (cw * ch), cw, cw, ch);
    }

    private static void CopyPlane(ReadOnlySpan<byte> source, int sourceOffset, int sourceStride, Span<byte> destination, int destinationOffset, int destinationStride, int rowBytes, int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            source.Slice(sourceOffset + (row * sourceStride), rowBytes).CopyTo(destination.Slice(destinationOffset + (row * destinationStride), rowBytes));
        }
    }

    private static void Check(int length, int needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"The buffer needs {needed} bytes; got {length}.", name);
        }
    }
}
