namespace Parley.Media.H264;

public sealed partial class H264Packetizer
{
    /// <summary>
    /// The NAL units of one access unit as they will be sent, with one unit of lookahead (STAP-A aggregation and
    /// the marker bit need to know what comes next): delimiters and unsendable units are left out, SPS and PPS
    /// are remembered, and remembered ones are put in front of an IDR slice that arrives without them.
    /// </summary>
    private ref struct NalUnitFeed
    {
        private readonly H264Packetizer _owner;
        private readonly ReadOnlySpan<ReadOnlyMemory<byte>> _units;
        private readonly bool _fromAnnexB;
        private AnnexB.NalUnitEnumerator _annexB;
        private int _index;
        private bool _sawSps;
        private bool _sawPps;
        private bool _insertSps;
        private bool _insertPps;
        private ReadOnlySpan<byte> _heldIdr;
        private ReadOnlySpan<byte> _read;

        public NalUnitFeed(H264Packetizer owner, AnnexB.NalUnitEnumerator annexB, ReadOnlySpan<ReadOnlyMemory<byte>> units, bool fromAnnexB)
        {
            _owner = owner;
            _annexB = annexB;
            _units = units;
            _fromAnnexB = fromAnnexB;
            HasNext = TryProduce(out ReadOnlySpan<byte> next);
            Next = next;
        }

        /// <summary>True when <see cref="Next"/> holds a unit.</summary>
        public bool HasNext { get; private set; }

        /// <summary>The unit <see cref="TryTake"/> returns next (lookahead).</summary>
        public ReadOnlySpan<byte> Next { get; private set; }

        public bool TryTake(out ReadOnlySpan<byte> nal)
        {
            nal = Next;
            if (!HasNext)
            {
                return false;
            }

            HasNext = TryProduce(out ReadOnlySpan<byte> next);
            Next = next;
            return true;
        }

        private bool TryProduce(out ReadOnlySpan<byte> nal)
        {
            if (_insertSps)
            {
                _insertSps = false;
                nal = _owner._sps.AsSpan(0, _owner._spsLength);
                return true;
            }

            if (_insertPps)
            {
                _insertPps = false;
                nal = _owner._pps.AsSpan(0, _owner._ppsLength);
                return true;
            }

            if (!_heldIdr.IsEmpty)
            {
                nal = _heldIdr;
                _heldIdr = default;
                return true;
            }

            while (TryRead())
            {
                nal = _read;
                if ((nal[0] & 0x80) != 0 || (nal[0] & 0x1F) is 0 or >= 24)
                {
                    _owner.NalUnitsSkipped++;
                    continue;
                }

                switch ((H264NalUnitType)(nal[0] & 0x1F))
                {
                    case H264NalUnitType.AccessUnitDelimiter when _owner.DropAccessUnitDelimiters:
                        continue;
                    case H264NalUnitType.Sps:
                        _sawSps = true;
                        Remember(nal, ref _owner._sps, out _owner._spsLength);
                        return true;
                    case H264NalUnitType.Pps:
                        _sawPps = true;
                        Remember(nal, ref _owner._pps, out _owner._ppsLength);
                        return true;
                    case H264NalUnitType.IdrSlice when _owner.InsertParameterSets && !(_sawSps && _sawPps)
                                                       && _owner._spsLength > 0 && _owner._ppsLength > 0:
                        _insertSps = !_sawSps;
                        _insertPps = !_sawPps;
                        _sawSps = _sawPps = true;
                        _owner.ParameterSetsInserted++;
                        _heldIdr = _read;
                        return TryProduce(out nal);
                    default:
                        return true;
                }
            }

            nal = default;
            return false;
        }

        private bool TryRead()
        {
            if (_fromAnnexB)
            {
                bool found = _annexB.MoveNext();
                _read = found ? _annexB.Current : default;
                return found;
            }

            while (_index < _units.Length)
            {
                _read = _units[_index++].Span;
                if (!_read.IsEmpty)
                {
                    return true;
                }
            }

            _read = default;
            return false;
        }
    }
}
