namespace Parley.Media.H264;

/// <summary>
/// Splits an H.264 byte stream in the Annex B format (ITU-T H.264 Annex B: NAL units each preceded by a start code
/// <c>00 00 01</c> or <c>00 00 00 01</c>) into its NAL units, without copying.
/// </summary>
/// <remarks>
/// Encoders (x264enc, v4l2h264enc) and <c>ffmpeg -f h264</c> write this format; RTP (RFC 6184) and MP4 (ISO/IEC
/// 14496-15) carry the NAL units without start codes. Trailing zero bytes before a start code (trailing_zero_8bits)
/// are not part of the preceding NAL unit and are removed. Bytes before the first start code are ignored.
/// </remarks>
public static class AnnexB
{
    /// <summary>Enumerates the NAL units of <paramref name="stream"/>, each without its start code.</summary>
    /// <param name="stream">Annex B bytes: one access unit or a longer stretch of stream.</param>
    /// <returns>An allocation-free enumerator of slices of <paramref name="stream"/>; empty NAL units are skipped.</returns>
    public static NalUnitEnumerator EnumerateNalUnits(ReadOnlySpan<byte> stream) => new(stream);

    /// <summary>
    /// Finds the next start code at or after <paramref name="from"/>.
    /// </summary>
    /// <param name="stream">Annex B bytes.</param>
    /// <param name="from">Index to search from.</param>
    /// <param name="startCodeLength">3 or 4 when found (4 when a zero byte precedes <c>00 00 01</c>).</param>
    /// <returns>The index of the start code's first byte, or -1 when there is none.</returns>
    public static int FindStartCode(ReadOnlySpan<byte> stream, int from, out int startCodeLength)
    {
        startCodeLength = 0;
        if (from >= stream.Length)
        {
            return -1;
        }

        int hit = stream[from..].IndexOf((ReadOnlySpan<byte>)[0, 0, 1]);
        if (hit < 0)
        {
            return -1;
        }

        int at = from + hit;
        startCodeLength = at > from && stream[at - 1] == 0 ? 4 : 3;
        return startCodeLength == 4 ? at - 1 : at;
    }

    /// <summary>Enumerator over NAL units in an Annex B byte stream; see <see cref="EnumerateNalUnits"/>.</summary>
    public ref struct NalUnitEnumerator
    {
        private readonly ReadOnlySpan<byte> _stream;
        private int _next;

        internal NalUnitEnumerator(ReadOnlySpan<byte> stream)
        {
            _stream = stream;
            _next = FindStartCode(stream, 0, out int length) is var at && at >= 0 ? at + length : stream.Length;
            Current = default;
        }

        /// <summary>The current NAL unit, header byte first, without start code or trailing zero bytes.</summary>
        public ReadOnlySpan<byte> Current { get; private set; }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly NalUnitEnumerator GetEnumerator() => this;

        /// <summary>Advances to the next non-empty NAL unit.</summary>
        public bool MoveNext()
        {
            while (_next < _stream.Length)
            {
                int start = _next;
                int at = FindStartCode(_stream, start, out int length);
                int end = at < 0 ? _stream.Length : at;
                _next = at < 0 ? _stream.Length : at + length;
                while (end > start && _stream[end - 1] == 0)
                {
                    end--;
                }

                if (end > start)
                {
                    Current = _stream[start..end];
                    return true;
                }
            }

            return false;
        }
    }
}
