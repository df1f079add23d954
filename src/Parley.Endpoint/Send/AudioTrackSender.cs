using System.Diagnostics;
using Parley.Codecs;
using Parley.Codecs.Gstreamer;
using Parley.Codecs.Opus;
using Parley.Media.Opus;

namespace Parley.Endpoint.Send;

/// <summary>
/// The audio half of a sender: 20 ms blocks of 48 kHz audio encoded with libopus (in-band FEC on) and put into RTP
/// (RFC 7587) on one dedicated thread. A gap in capture advances the RTP clock by the missing samples.
/// </summary>
internal sealed class AudioTrackSender : IDisposable
{
    public const byte PayloadType = 97;
    private const int FrameSamples = 960;

    private readonly OpusEncoder _encoder;
    private readonly OpusPacketizer _packetizer;
    private readonly byte[] _opus = new byte[OpusEncoder.MaxPacketSize];
    private readonly byte[] _packet;
    private readonly short[] _padded;
    private readonly int _channels;
    private readonly bool _dtx;
    private readonly SendMuting? _muting;
    private long _samplesSent;

    public AudioTrackSender(SendOptions options, int mediaIndex)
    {
        _channels = options.AudioChannels;
        _padded = new short[FrameSamples * _channels];
        _dtx = options.AudioDtx;
        _muting = options.Muting;
        _encoder = new OpusEncoder(_channels, OpusApplication.Voip) { Bitrate = options.AudioBitrate, InBandFec = true, PacketLossPercent = 5, Dtx = _dtx };
        uint ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        _packetizer = new OpusPacketizer(ssrc, PayloadType, (ushort)Random.Shared.Next(ushort.MaxValue + 1), (uint)Random.Shared.NextInt64(0, uint.MaxValue));
        _packet = new byte[_packetizer.HeaderLength + OpusEncoder.MaxPacketSize];
        Track = new SenderTrack(mediaIndex, "audio", OpusPacketizer.ClockRate, ssrc);
    }

    public SenderTrack Track { get; }

    public void Run(IMediaSource source, DateTime startUtc, RtspPublication publication, CancellationToken cancellationToken)
    {
        var encodeClock = new Stopwatch();
        while (!cancellationToken.IsCancellationRequested)
        {
            var captureStart = ThreadCpuTime.Now;
            if (!source.TryReadAudio(TimeSpan.FromMilliseconds(100), out var block))
            {
                if (source.IsEndOfStream)
                {
                    return;
                }

                continue;
            }

            Track.CaptureTime += ThreadCpuTime.Now - captureStart;

            if (block.SampleRate != OpusEncoder.SampleRate || block.Channels != _channels || block.Samples.Length > FrameSamples * _channels)
            {
                // Only a gst: pipeline can get this wrong; say what its audio branch must end in.
                throw new CodecException($"the audio source gives {block.Samples.Length / Math.Max(1, block.Channels)} samples at {block.SampleRate} Hz x {block.Channels} channel(s); " +
                    $"expected 20 ms blocks at 48 kHz x {_channels}: end a gst: pipeline's audio in '{GstSourcePipelines.AudioBranch(new AudioCaptureFormat(_channels), sync: true)}'");
            }

            ReadOnlySpan<short> samples = block.Samples;
            if (samples.Length < FrameSamples * _channels)
            {
                // A file's last block before it ends or loops is short; Opus codes whole 20 ms frames, so pad with silence.
                samples.CopyTo(_padded);
                _padded.AsSpan(samples.Length).Clear();
                samples = _padded;
            }

            if (_muting is { Audio: true })
            {
                _padded.AsSpan().Clear();
                samples = _padded;
            }

            long due = (long)Math.Round(block.Timestamp.TotalSeconds * OpusEncoder.SampleRate);
            if (due > _samplesSent + (FrameSamples / 2))
            {
                _packetizer.Skip((int)(due - _samplesSent));
                _samplesSent = due;
            }

            uint timestamp = _packetizer.Timestamp;
            encodeClock.Restart();
            int length = _encoder.Encode(samples, FrameSamples, _opus);
            Track.EncodeTime += encodeClock.Elapsed;
            _samplesSent += FrameSamples;
            if (_dtx && length <= 2)
            {
                // RFC 7587 §3.1.3: a DTX frame of 1-2 bytes need not be sent; the next packet starts a talkspurt.
                _packetizer.Skip(FrameSamples);
                Track.DtxFrames++;
                continue;
            }

            var packetizeStart = ThreadCpuTime.Now;
            int packetLength = _packetizer.Packetize(_opus.AsSpan(0, length), FrameSamples, _packet);
            var sendStart = ThreadCpuTime.Now;
            Track.PacketizeTime += sendStart - packetizeStart;
            Track.CountFrame(timestamp, startUtc + block.Timestamp);
            Track.CountPacket(length, publication.TrySendRtp(Track.MediaIndex, _packet.AsMemory(0, packetLength)));
            Track.SendTime += ThreadCpuTime.Now - sendStart;
        }
    }

    public void Dispose() => _encoder.Dispose();
}
