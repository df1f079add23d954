using BenchmarkDotNet.Attributes;
using Parley.Hub.Streams;
using Parley.Rtp;
using Parley.Rtp.Sdp;

namespace Parley.Benchmarks;

/// <summary>
/// The hub's fan-out path: one RTP packet from a publisher into <see cref="MediaStream.WriteRtp"/>, offered to N
/// readers' queues and drained by them. The target is 0 bytes allocated per forwarded packet in steady state.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmark
{
    private readonly byte[] _packet = new byte[1200];
    private MediaStream _stream = null!;
    private DrainingReader[] _readers = [];
    private ushort _sequence;

    [Params(1, 10, 100)]
    public int Readers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const string text = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=b\r\nt=0 0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 opus/48000/2\r\n";
        if (!SdpSession.TryParse(text, out var sdp, out string? error))
        {
            throw new InvalidOperationException(error);
        }
        _stream = new MediaStream("bench", sdp!, new NullPublisher(), new MediaPacketPool(), TimeProvider.System);
        _readers = [.. Enumerable.Range(0, Readers).Select(_ => new DrainingReader())];
        foreach (var reader in _readers)
        {
            _stream.AddReader(reader);
        }

        for (int i = 0; i < 10_000; i++)
        {
            ForwardOne();
        }
    }

    /// <summary>One packet in, delivered to every reader's queue and drained (released) by each reader.</summary>
    [Benchmark]
    public void ForwardOne()
    {
        var header = new RtpHeader { PayloadType = 97, SequenceNumber = _sequence++, Timestamp = (uint)_sequence * 960, Ssrc = 42 };
        RtpPacketWriter.Write(_packet, header, _packet.AsSpan(0, 1000));
        _stream.WriteRtp(0, _packet.AsSpan(0, 1012));
        foreach (var reader in _readers)
        {
            reader.Drain();
        }
    }

    private sealed class DrainingReader() : MediaStreamReader(1, null, 4096)
    {
        public override string Description => "bench";

        public void Drain()
        {
            while (Queue.TryRead(out var packet))
            {
                packet.Release();
            }
        }
    }

    private sealed class NullPublisher : IStreamPublisher
    {
        public string Description => "bench";

        public void SendRtcp(int trackIndex, ReadOnlySpan<byte> compound)
        {
        }

        public void Kick(string reason)
        {
        }
    }
}
