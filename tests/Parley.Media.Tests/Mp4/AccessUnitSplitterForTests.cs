using Parley.Media.H264;

namespace Parley.Media.Tests.Mp4;

/// <summary>
/// Test infrastructure: splits an Annex B H.264 stream into access units (ITU-T H.264 §7.4.1.2.3, simplified, enough
/// for x264 output). A new access unit begins at an AUD, at SPS/PPS/SEI after a VCL NAL unit, or at a VCL NAL unit
/// with first_mb_in_slice = 0 (its first slice-header bit is 1, ue(v) = 0) after a VCL NAL unit.
/// </summary>
public static class AccessUnitSplitterForTests
{
    public static List<byte[]> Split(byte[] stream)
    {
        var units = new List<byte[]>();
        var current = new List<byte>();
        bool sawVcl = false;
        foreach (ReadOnlySpan<byte> nal in AnnexB.EnumerateNalUnits(stream))
        {
            int type = nal[0] & 0x1F;
            bool vcl = type is >= 1 and <= 5;
            bool startsAu = type == 9
                || (sawVcl && type is 6 or 7 or 8)
                || (sawVcl && vcl && nal.Length > 1 && (nal[1] & 0x80) != 0);
            if (startsAu && current.Count > 0)
            {
                units.Add([.. current]);
                current.Clear();
                sawVcl = false;
            }

            current.AddRange([0, 0, 0, 1]);
            current.AddRange(nal.ToArray());
            sawVcl |= vcl;
        }

        if (current.Count > 0)
        {
            units.Add([.. current]);
        }

        return units;
    }
}
