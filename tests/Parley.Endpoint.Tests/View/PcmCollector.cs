using Parley.Codecs;

namespace Parley.Endpoint.Tests.View;

/// <summary>An audio output that keeps every sample written to it (interleaved S16), for the player tests.</summary>
internal sealed class PcmCollector : IMediaSink
{
    public List<short> Samples { get; } = [];

    public void Start()
    {
    }

    public bool WriteVideo(ReadOnlySpan<byte> i420, int width, int height, TimeSpan timestamp) => false;

    public bool WriteAudio(ReadOnlySpan<short> samples, TimeSpan timestamp)
    {
        Samples.AddRange(samples);
        return true;
    }

    public bool Complete(TimeSpan timeout) => true;

    public void Dispose()
    {
    }
}
