namespace Parley.Codecs;

/// <summary>A raw video frame in packed I420 (<see cref="I420"/>), borrowed from its producer.</summary>
/// <remarks>The bytes belong to the producer and stay valid until its next read; copy them to keep them.</remarks>
public readonly ref struct VideoFrame
{
    /// <summary>Creates a frame view.</summary>
    public VideoFrame(ReadOnlySpan<byte> i420, int width, int height, TimeSpan timestamp)
    {
        I420Data = i420;
        Width = width;
        Height = height;
        Timestamp = timestamp;
    }

    /// <summary>Packed I420: <see cref="I420.GetSize"/>(Width, Height) bytes.</summary>
    public ReadOnlySpan<byte> I420Data { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Capture (or presentation) time, from the producer's clock; only differences are meaningful.</summary>
    public TimeSpan Timestamp { get; }
}

/// <summary>Raw audio: interleaved signed 16-bit samples, borrowed from its producer.</summary>
/// <remarks>The samples stay valid until the producer's next read.</remarks>
public readonly ref struct AudioFrame
{
    /// <summary>Creates an audio view.</summary>
    public AudioFrame(ReadOnlySpan<short> samples, int sampleRate, int channels, TimeSpan timestamp)
    {
        Samples = samples;
        SampleRate = sampleRate;
        Channels = channels;
        Timestamp = timestamp;
    }

    /// <summary>Interleaved samples: Samples.Length / Channels per channel.</summary>
    public ReadOnlySpan<short> Samples { get; }

    /// <summary>Sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Channel count.</summary>
    public int Channels { get; }

    /// <summary>Capture time of the first sample.</summary>
    public TimeSpan Timestamp { get; }
}

/// <summary>One encoded video access unit (for H.264: Annex B, every NAL unit of one frame), borrowed from the encoder.</summary>
public readonly ref struct EncodedVideoFrame
{
    /// <summary>Creates an access-unit view.</summary>
    public EncodedVideoFrame(ReadOnlySpan<byte> data, TimeSpan timestamp, bool isKeyFrame)
    {
        Data = data;
        Timestamp = timestamp;
        IsKeyFrame = isKeyFrame;
    }

    /// <summary>The access unit; valid until the encoder's next read.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The timestamp of the input frame it encodes.</summary>
    public TimeSpan Timestamp { get; }

    /// <summary>Whether it decodes on its own (H.264: an IDR picture, preceded by SPS and PPS).</summary>
    public bool IsKeyFrame { get; }
}
