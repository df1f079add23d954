namespace Parley.Media.H264;

/// <summary>
/// The fields of an H.264 sequence parameter set (SPS, ITU-T H.264 §7.3.2.1.1) that a receiver, muxer or SDP needs:
/// profile, constraint flags and level, the picture size in pixels after frame cropping, and the frame rate from
/// the VUI timing information (Annex E.1.1) when present, and what a muxer needs to order frames: the picture order
/// count type and the VUI bitstream restriction's max_num_reorder_frames (B-frames).
/// </summary>
/// <remarks>
/// <code>
///  seq_parameter_set_data( ) {                                    §7.3.2.1.1
///    profile_idc u(8)  constraint_set0..5_flag u(1) x6  reserved_zero_2bits u(2)  level_idc u(8)
///    seq_parameter_set_id ue(v)
///    if( profile_idc is 100 110 122 244 44 83 86 118 128 138 139 134 135 ) {
///      chroma_format_idc ue(v)   if( == 3 ) separate_colour_plane_flag u(1)
///      bit_depth_luma_minus8 ue(v)  bit_depth_chroma_minus8 ue(v)  qpprime_y_zero_transform_bypass_flag u(1)
///      seq_scaling_matrix_present_flag u(1)   if set: 8 (12 for 4:4:4) x [ flag u(1), scaling_list se(v)... ]
///    }
///    log2_max_frame_num_minus4 ue(v)  pic_order_cnt_type ue(v)
///    if( pic_order_cnt_type == 0 ) log2_max_pic_order_cnt_lsb_minus4 ue(v)
///    else if( pic_order_cnt_type == 1 ) { delta_pic_order_always_zero_flag u(1)  offset_for_non_ref_pic se(v)
///      offset_for_top_to_bottom_field se(v)  num_ref_frames_in_pic_order_cnt_cycle ue(v)  offset_for_ref_frame[] se(v) }
///    max_num_ref_frames ue(v)  gaps_in_frame_num_value_allowed_flag u(1)
///    pic_width_in_mbs_minus1 ue(v)  pic_height_in_map_units_minus1 ue(v)
///    frame_mbs_only_flag u(1)  if( !frame_mbs_only_flag ) mb_adaptive_frame_field_flag u(1)
///    direct_8x8_inference_flag u(1)
///    frame_cropping_flag u(1)  if set: frame_crop_left/right/top/bottom_offset ue(v)
///    vui_parameters_present_flag u(1)  if set: vui_parameters( )            Annex E.1.1
///  }
/// </code>
/// </remarks>
public readonly record struct H264SequenceParameterSet
{
    /// <summary>profile_idc: 66 Baseline, 77 Main, 100 High, 110 High 10, 122 High 4:2:2, 244 High 4:4:4 ...</summary>
    public byte ProfileIdc { get; init; }

    /// <summary>
    /// The byte after profile_idc: constraint_set0_flag (0x80) to constraint_set5_flag (0x04) and two reserved
    /// bits; the middle byte of the SDP profile-level-id (RFC 6184 §8.1 "profile-iop").
    /// </summary>
    public byte ConstraintFlags { get; init; }

    /// <summary>level_idc: ten times the level number (31 is level 3.1); 9 is level 1b in some profiles.</summary>
    public byte LevelIdc { get; init; }

    /// <summary>seq_parameter_set_id, 0-31.</summary>
    public int Id { get; init; }

    /// <summary>chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 when the profile does not code it).</summary>
    public int ChromaFormatIdc { get; init; }

    /// <summary>Bit depth of luma samples, 8-14.</summary>
    public int BitDepthLuma { get; init; }

    /// <summary>Bit depth of chroma samples, 8-14.</summary>
    public int BitDepthChroma { get; init; }

    /// <summary>frame_mbs_only_flag: false when pictures may be coded as fields (interlaced).</summary>
    public bool FrameMbsOnly { get; init; }

    /// <summary>max_num_ref_frames: reference frames the decoder keeps.</summary>
    public int MaxNumRefFrames { get; init; }

    /// <summary>Coded width in pixels: macroblock columns × 16, before cropping.</summary>
    public int CodedWidth { get; init; }

    /// <summary>Coded height in pixels: macroblock rows × 16 (× 2 for field coding), before cropping.</summary>
    public int CodedHeight { get; init; }

    /// <summary>Displayed width in pixels, after frame cropping (§7.4.2.1.1, equations 7-19 and 7-20).</summary>
    public int Width { get; init; }

    /// <summary>Displayed height in pixels, after frame cropping (§7.4.2.1.1, equations 7-21 and 7-22).</summary>
    public int Height { get; init; }

    /// <summary>VUI num_units_in_tick (Annex E.2.1); 0 when there is no timing information.</summary>
    public uint NumUnitsInTick { get; init; }

    /// <summary>VUI time_scale in Hz (Annex E.2.1); 0 when there is no timing information.</summary>
    public uint TimeScale { get; init; }

    /// <summary>VUI fixed_frame_rate_flag.</summary>
    public bool FixedFrameRate { get; init; }

    /// <summary>log2_max_frame_num_minus4 + 4: the bit length of frame_num in slice headers (4-16).</summary>
    public int Log2MaxFrameNum { get; init; }

    /// <summary>pic_order_cnt_type (0-2); 2 means output order is decoding order, so there is no reordering.</summary>
    public int PicOrderCntType { get; init; }

    /// <summary>log2_max_pic_order_cnt_lsb_minus4 + 4 when <see cref="PicOrderCntType"/> is 0 (4-16); otherwise 0.</summary>
    public int Log2MaxPicOrderCntLsb { get; init; }

    /// <summary>
    /// VUI max_num_reorder_frames (Annex E.2.1): the most frames that precede any frame in decoding order and follow
    /// it in output order (0 without B-frames; x264 writes 1 for B-frames, 2 with a B-pyramid); null when the SPS has
    /// no bitstream restriction (then Annex E.2.1 infers the worst case, MaxDpbFrames).
    /// </summary>
    public int? MaxNumReorderFrames { get; init; }

    /// <summary>VUI max_dec_frame_buffering (Annex E.2.1) in frames; null when the SPS has no bitstream restriction.</summary>
    public int? MaxDecFrameBuffering { get; init; }

    /// <summary>
    /// Frames per second from the VUI timing, time_scale / (2 × num_units_in_tick) (a tick is one field, Annex E.2.1);
    /// null when the SPS carries no timing information.
    /// </summary>
    public double? FrameRate => NumUnitsInTick == 0 || TimeScale == 0 ? null : TimeScale / (2.0 * NumUnitsInTick);

    /// <summary>Parses an SPS NAL unit. Never throws.</summary>
    /// <param name="nal">The NAL unit, header byte first (type 7), without start code, emulation prevention bytes in place.</param>
    /// <param name="sps">The parsed fields when the result is true.</param>
    /// <returns>
    /// False when this is not an SPS NAL unit, it ends early, or a field is outside the range §7.4.2.1.1 allows
    /// (ids, bit depths, chroma format, log2 sizes, a cropping window larger than the picture).
    /// </returns>
    public static bool TryParse(ReadOnlySpan<byte> nal, out H264SequenceParameterSet sps)
    {
        sps = default;
        if (nal.Length < 4 || (nal[0] & 0x80) != 0 || (H264NalUnitType)(nal[0] & 0x1F) != H264NalUnitType.Sps)
        {
            return false;
        }

        var r = new H264BitReader(nal[1..]);
        byte profile = (byte)r.ReadBits(8);
        byte constraints = (byte)r.ReadBits(8);
        byte level = (byte)r.ReadBits(8);
        uint id = r.ReadUnsignedExpGolomb();
        uint chromaFormat = 1, bitDepthLuma = 0, bitDepthChroma = 0;
        bool separateColourPlanes = false;
        if (HasChromaInfo(profile))
        {
            chromaFormat = r.ReadUnsignedExpGolomb();
            if (chromaFormat == 3)
            {
                separateColourPlanes = r.ReadFlag();
            }

            bitDepthLuma = r.ReadUnsignedExpGolomb();
            bitDepthChroma = r.ReadUnsignedExpGolomb();
            r.ReadFlag(); // qpprime_y_zero_transform_bypass_flag
            if (r.ReadFlag() && !SkipScalingMatrix(ref r, chromaFormat == 3 ? 12 : 8))
            {
                return false;
            }
        }

        uint log2MaxFrameNumMinus4 = r.ReadUnsignedExpGolomb();
        if (id > 31 || chromaFormat > 3 || bitDepthLuma > 6 || bitDepthChroma > 6 || log2MaxFrameNumMinus4 > 12)
        {
            return false;
        }

        if (!ReadPictureOrderCount(ref r, out int pocType, out int log2MaxPocLsb))
        {
            return false;
        }

        uint maxRefFrames = r.ReadUnsignedExpGolomb();
        r.ReadFlag(); // gaps_in_frame_num_value_allowed_flag
        uint widthInMbs = r.ReadUnsignedExpGolomb() + 1;
        uint heightInMapUnits = r.ReadUnsignedExpGolomb() + 1;
        bool frameMbsOnly = r.ReadFlag();
        if (!frameMbsOnly)
        {
            r.ReadFlag(); // mb_adaptive_frame_field_flag
        }

        r.ReadFlag(); // direct_8x8_inference_flag
        uint cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (r.ReadFlag())
        {
            cropLeft = r.ReadUnsignedExpGolomb();
            cropRight = r.ReadUnsignedExpGolomb();
            cropTop = r.ReadUnsignedExpGolomb();
            cropBottom = r.ReadUnsignedExpGolomb();
        }

        uint numUnitsInTick = 0, timeScale = 0;
        bool fixedFrameRate = false;
        int? maxNumReorderFrames = null, maxDecFrameBuffering = null;
        if (r.ReadFlag())
        {
            if (!ReadVuiTiming(ref r, out numUnitsInTick, out timeScale, out fixedFrameRate))
            {
                return false;
            }

            // The rest of the VUI is read on a copy: an encoder that truncates it after the timing information still
            // gives a usable SPS, only without a reorder depth.
            var rest = r;
            if (ReadVuiBitstreamRestriction(ref rest, out uint reorder, out uint buffering) && reorder <= buffering && buffering <= 16)
            {
                maxNumReorderFrames = (int)reorder;
                maxDecFrameBuffering = (int)buffering;
            }
        }

        // Level 6.2 allows 139264 macroblocks per frame; anything near 2^16 per side is garbage, not a picture.
        if (r.Overrun || maxRefFrames > 16 || widthInMbs > 2048 || heightInMapUnits > 2048)
        {
            return false;
        }

        // Crop units (§7.4.2.1.1, Table 6-1): chroma subsampling, doubled vertically for field coding.
        int fieldFactor = frameMbsOnly ? 1 : 2;
        uint chromaArrayType = separateColourPlanes ? 0 : chromaFormat;
        int cropUnitX = chromaArrayType is 1 or 2 ? 2 : 1;
        int cropUnitY = (chromaArrayType == 1 ? 2 : 1) * fieldFactor;
        int codedWidth = (int)widthInMbs * 16;
        int codedHeight = (int)heightInMapUnits * 16 * fieldFactor;
        long width = codedWidth - (cropUnitX * ((long)cropLeft + cropRight));
        long height = codedHeight - (cropUnitY * ((long)cropTop + cropBottom));
        if (width <= 0 || height <= 0)
        {
            return false;
        }

        sps = new H264SequenceParameterSet
        {
            ProfileIdc = profile,
            ConstraintFlags = constraints,
            LevelIdc = level,
            Id = (int)id,
            ChromaFormatIdc = (int)chromaFormat,
            BitDepthLuma = (int)bitDepthLuma + 8,
            BitDepthChroma = (int)bitDepthChroma + 8,
            FrameMbsOnly = frameMbsOnly,
            MaxNumRefFrames = (int)maxRefFrames,
            CodedWidth = codedWidth,
            CodedHeight = codedHeight,
            Width = (int)width,
            Height = (int)height,
            NumUnitsInTick = numUnitsInTick,
            TimeScale = timeScale,
            FixedFrameRate = fixedFrameRate,
            Log2MaxFrameNum = (int)log2MaxFrameNumMinus4 + 4,
            PicOrderCntType = pocType,
            Log2MaxPicOrderCntLsb = log2MaxPocLsb,
            MaxNumReorderFrames = maxNumReorderFrames,
            MaxDecFrameBuffering = maxDecFrameBuffering,
        };
        return true;
    }

    // The high profiles and their scalable/multiview relatives code chroma format, bit depth and scaling lists.
    private static bool HasChromaInfo(byte profile) =>
        profile is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135;

    // scaling_list( ) (§7.3.2.1.1.1): delta-coded, a next scale of 0 ends the list early.
    private static bool SkipScalingMatrix(ref H264BitReader r, int lists)
    {
        for (int i = 0; i < lists; i++)
        {
            if (!r.ReadFlag())
            {
                continue;
            }

            int size = i < 6 ? 16 : 64;
            int lastScale = 8, nextScale = 8;
            for (int j = 0; j < size && nextScale != 0; j++)
            {
                int delta = r.ReadSignedExpGolomb();
                if (delta is < -128 or > 127 || r.Overrun)
                {
                    return false;
                }

                nextScale = (lastScale + delta + 256) % 256;
                lastScale = nextScale == 0 ? lastScale : nextScale;
            }
        }

        return true;
    }

    private static bool ReadPictureOrderCount(ref H264BitReader r, out int type, out int log2MaxPocLsb)
    {
        uint value = r.ReadUnsignedExpGolomb();
        type = (int)Math.Min(value, 3);
        log2MaxPocLsb = 0;
        if (value == 0)
        {
            uint lsbMinus4 = r.ReadUnsignedExpGolomb();
            log2MaxPocLsb = (int)Math.Min(lsbMinus4, 12) + 4;
            return lsbMinus4 <= 12;
        }

        if (type == 1)
        {
            r.ReadFlag(); // delta_pic_order_always_zero_flag
            r.ReadSignedExpGolomb(); // offset_for_non_ref_pic
            r.ReadSignedExpGolomb(); // offset_for_top_to_bottom_field
            uint cycle = r.ReadUnsignedExpGolomb();
            if (cycle > 255)
            {
                return false;
            }

            for (int i = 0; i < cycle && !r.Overrun; i++)
            {
                r.ReadSignedExpGolomb(); // offset_for_ref_frame[ i ]
            }

            return true;
        }

        return value == 2;
    }

    //  vui_parameters( ) up to the timing information (Annex E.1.1):
    //    aspect_ratio_info_present_flag u(1)  if set: aspect_ratio_idc u(8), if 255: sar_width u(16) sar_height u(16)
    //    overscan_info_present_flag u(1)      if set: overscan_appropriate_flag u(1)
    //    video_signal_type_present_flag u(1)  if set: video_format u(3) video_full_range_flag u(1)
    //        colour_description_present_flag u(1), if set: colour_primaries u(8) transfer u(8) matrix u(8)
    //    chroma_loc_info_present_flag u(1)    if set: two ue(v)
    //    timing_info_present_flag u(1)        if set: num_units_in_tick u(32) time_scale u(32) fixed_frame_rate_flag u(1)
    private static bool ReadVuiTiming(ref H264BitReader r, out uint numUnitsInTick, out uint timeScale, out bool fixedFrameRate)
    {
        numUnitsInTick = 0;
        timeScale = 0;
        fixedFrameRate = false;
        if (r.ReadFlag() && r.ReadBits(8) == 255)
        {
            r.ReadBits(32); // sar_width, sar_height
        }

        if (r.ReadFlag())
        {
            r.ReadFlag();
        }

        if (r.ReadFlag())
        {
            r.ReadBits(4);
            if (r.ReadFlag())
            {
                r.ReadBits(24);
            }
        }

        if (r.ReadFlag())
        {
            r.ReadUnsignedExpGolomb();
            r.ReadUnsignedExpGolomb();
        }

        if (r.ReadFlag())
        {
            numUnitsInTick = r.ReadBits(32);
            timeScale = r.ReadBits(32);
            fixedFrameRate = r.ReadFlag();
        }

        return !r.Overrun;
    }

    //  vui_parameters( ) after the timing information (Annex E.1.1):
    //    nal_hrd_parameters_present_flag u(1)  if set: hrd_parameters( )
    //    vcl_hrd_parameters_present_flag u(1)  if set: hrd_parameters( )
    //    if( either ) low_delay_hrd_flag u(1)
    //    pic_struct_present_flag u(1)
    //    bitstream_restriction_flag u(1)  if set:
    //      motion_vectors_over_pic_boundaries_flag u(1)  max_bytes_per_pic_denom ue(v)  max_bits_per_mb_denom ue(v)
    //      log2_max_mv_length_horizontal ue(v)  log2_max_mv_length_vertical ue(v)
    //      max_num_reorder_frames ue(v)  max_dec_frame_buffering ue(v)
    private static bool ReadVuiBitstreamRestriction(ref H264BitReader r, out uint maxNumReorderFrames, out uint maxDecFrameBuffering)
    {
        maxNumReorderFrames = 0;
        maxDecFrameBuffering = 0;
        bool nalHrd = r.ReadFlag();
        if (nalHrd && !SkipHrdParameters(ref r))
        {
            return false;
        }

        bool vclHrd = r.ReadFlag();
        if (vclHrd && !SkipHrdParameters(ref r))
        {
            return false;
        }

        if (nalHrd || vclHrd)
        {
            r.ReadFlag(); // low_delay_hrd_flag
        }

        r.ReadFlag(); // pic_struct_present_flag
        if (r.Overrun || !r.ReadFlag())
        {
            return false;
        }

        r.ReadFlag(); // motion_vectors_over_pic_boundaries_flag
        r.ReadUnsignedExpGolomb(); // max_bytes_per_pic_denom
        r.ReadUnsignedExpGolomb(); // max_bits_per_mb_denom
        r.ReadUnsignedExpGolomb(); // log2_max_mv_length_horizontal
        r.ReadUnsignedExpGolomb(); // log2_max_mv_length_vertical
        maxNumReorderFrames = r.ReadUnsignedExpGolomb();
        maxDecFrameBuffering = r.ReadUnsignedExpGolomb();
        return !r.Overrun;
    }

    //  hrd_parameters( ) (Annex E.1.2):
    //    cpb_cnt_minus1 ue(v)  bit_rate_scale u(4)  cpb_size_scale u(4)
    //    for( SchedSelIdx = 0; SchedSelIdx <= cpb_cnt_minus1; SchedSelIdx++ )
    //      bit_rate_value_minus1 ue(v)  cpb_size_value_minus1 ue(v)  cbr_flag u(1)
    //    initial_cpb_removal_delay_length_minus1 u(5)  cpb_removal_delay_length_minus1 u(5)
    //    dpb_output_delay_length_minus1 u(5)  time_offset_length u(5)
    // False on a count over 32 (cpb_cnt_minus1 is 0-31) or an overrun.
    private static bool SkipHrdParameters(ref H264BitReader r)
    {
        uint cpbCount = r.ReadUnsignedExpGolomb() + 1;
        if (cpbCount > 32)
        {
            return false;
        }

        r.ReadBits(8); // bit_rate_scale, cpb_size_scale
        for (int i = 0; i < cpbCount && !r.Overrun; i++)
        {
            r.ReadUnsignedExpGolomb(); // bit_rate_value_minus1
            r.ReadUnsignedExpGolomb(); // cpb_size_value_minus1
            r.ReadFlag(); // cbr_flag
        }

        r.ReadBits(20); // four delay and offset lengths, 5 bits each
        return !r.Overrun;
    }
}
