namespace Parley.Media.Mp4;

/// <summary>
/// What the MP4 sample entry needs from an H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1): profile,
/// constraint flags, level, chroma format and bit depths (for avcC), and the cropped picture size (for avc1/tkhd).
/// </summary>
/// <remarks>
/// Deliberately minimal and internal; a full SPS parser lives in H264/ and the two are to be merged.
/// <code>
///  profile_idc u(8) | constraint_set0..5_flags, reserved u(8) | level_idc u(8) | seq_parameter_set_id ue(v)
///  [high profiles: chroma_format_idc ue, (separate_colour_plane_flag u1), bit_depth_luma_minus8 ue,
///   bit_depth_chroma_minus8 ue, qpprime_y_zero_transform_bypass_flag u1, seq_scaling_matrix_present_flag u1 (+ lists)]
///  log2_max_frame_num_minus4 ue | pic_order_cnt_type ue (+ its fields) | max_num_ref_frames ue
///  gaps_in_frame_num_value_allowed_flag u1 | pic_width_in_mbs_minus1 ue | pic_height_in_map_units_minus1 ue
///  frame_mbs_only_flag u1 (+ mb_adaptive_frame_field_flag u1) | direct_8x8_inference_flag u1
///  frame_cropping_flag u1 (+ left, right, top, bottom offsets ue) | vui_parameters_present_flag u1 ...
/// </code>
/// </remarks>
internal readonly record struct Mp4SpsInfo(
    byte ProfileIdc,
    byte ConstraintFlags,
    byte LevelIdc,
    int ChromaFormatIdc,
    int BitDepthLuma,
    int BitDepthChroma,
    int Width,
    int Height)
{
    private const int MaxSpsLength = 1024;

    /// <summary>True for profile_idc values whose SPS carries chroma format and bit depth (H.264 §7.3.2.1.1).</summary>
    public static bool HasChromaInfo(int profileIdc) =>
        profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135;

    /// <summary>Parses an SPS NAL unit (header byte first, type 7). Never throws; false on malformed input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> nal, out Mp4SpsInfo info)
    {
        info = default;
        if (nal.Length < 4 || nal.Length > MaxSpsLength || (nal[0] & 0x1F) != 7)
        {
            return false;
        }

        Span<byte> rbsp = stackalloc byte[nal.Length];
        rbsp = rbsp[..Mp4BitReader.RemoveEmulationPrevention(nal[1..], rbsp)];
        var r = new Mp4BitReader(rbsp);
        byte profile = (byte)r.ReadBits(8);
        byte constraints = (byte)r.ReadBits(8);
        byte level = (byte)r.ReadBits(8);
        r.ReadUnsignedExpGolomb(); // seq_parameter_set_id
        uint chromaFormat = 1;
        uint bitDepthLuma = 8, bitDepthChroma = 8;
        bool separateColourPlanes = false;
        if (HasChromaInfo(profile))
        {
            chromaFormat = r.ReadUnsignedExpGolomb();
            if (chromaFormat == 3)
            {
                separateColourPlanes = r.ReadBit() == 1;
            }

            bitDepthLuma = 8 + r.ReadUnsignedExpGolomb();
            bitDepthChroma = 8 + r.ReadUnsignedExpGolomb();
            r.ReadBit(); // qpprime_y_zero_transform_bypass_flag
            if (r.ReadBit() == 1)
            {
                SkipScalingMatrix(ref r, chromaFormat == 3 ? 12 : 8);
            }
        }

        r.ReadUnsignedExpGolomb(); // log2_max_frame_num_minus4
        uint pocType = r.ReadUnsignedExpGolomb();
        if (pocType == 0)
        {
            r.ReadUnsignedExpGolomb(); // log2_max_pic_order_cnt_lsb_minus4
        }
        else if (pocType == 1)
        {
            r.ReadBit(); // delta_pic_order_always_zero_flag
            r.ReadSignedExpGolomb(); // offset_for_non_ref_pic
            r.ReadSignedExpGolomb(); // offset_for_top_to_bottom_field
            uint cycle = r.ReadUnsignedExpGolomb();
            for (uint i = 0; i < cycle && !r.Failed; i++)
            {
                r.ReadSignedExpGolomb();
            }
        }

        r.ReadUnsignedExpGolomb(); // max_num_ref_frames
        r.ReadBit(); // gaps_in_frame_num_value_allowed_flag
        uint widthInMbs = r.ReadUnsignedExpGolomb() + 1;
        uint heightInMapUnits = r.ReadUnsignedExpGolomb() + 1;
        uint frameMbsOnly = r.ReadBit();
        if (frameMbsOnly == 0)
        {
            r.ReadBit(); // mb_adaptive_frame_field_flag
        }

        r.ReadBit(); // direct_8x8_inference_flag
        uint cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (r.ReadBit() == 1)
        {
            cropLeft = r.ReadUnsignedExpGolomb();
            cropRight = r.ReadUnsignedExpGolomb();
            cropTop = r.ReadUnsignedExpGolomb();
            cropBottom = r.ReadUnsignedExpGolomb();
        }

        if (r.Failed || chromaFormat > 3 || bitDepthLuma > 14 || bitDepthChroma > 14 || widthInMbs > 1024 || heightInMapUnits > 1024)
        {
            return false;
        }

        // Crop units (H.264 §7.4.2.1.1, Table 6-1): chroma sample steps, doubled vertically for field coding.
        long chromaArrayType = separateColourPlanes ? 0 : chromaFormat;
        long subWidth = chromaArrayType is 1 or 2 ? 2 : 1;
        long subHeight = chromaArrayType == 1 ? 2 : 1;
        long cropUnitX = chromaArrayType == 0 ? 1 : subWidth;
        long cropUnitY = (2 - frameMbsOnly) * (chromaArrayType == 0 ? 1 : subHeight);
        long width = (widthInMbs * 16L) - (cropUnitX * (cropLeft + cropRight));
        long height = ((2 - frameMbsOnly) * heightInMapUnits * 16L) - (cropUnitY * (cropTop + cropBottom));
        if (width <= 0 || height <= 0)
        {
            return false;
        }

        info = new Mp4SpsInfo(profile, constraints, level, (int)chromaFormat, (int)bitDepthLuma, (int)bitDepthChroma, (int)width, (int)height);
        return true;
    }

    // scaling_list() (H.264 §7.3.2.1.1.1): only the syntax matters here, the values are the decoder's business.
    private static void SkipScalingMatrix(ref Mp4BitReader r, int lists)
    {
        for (int i = 0; i < lists && !r.Failed; i++)
        {
            if (r.ReadBit() == 0)
            {
                continue;
            }

            int size = i < 6 ? 16 : 64;
            int last = 8, next = 8;
            for (int j = 0; j < size && !r.Failed; j++)
            {
                if (next != 0)
                {
                    next = (last + r.ReadSignedExpGolomb() + 256) % 256;
                }

                last = next == 0 ? last : next;
            }
        }
    }
}
