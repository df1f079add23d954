namespace Parley.Media.Jitter;

/// <summary>What the consumer of an <see cref="AdaptiveAudioJitterBuffer"/> does with one pull.</summary>
public enum AudioPlayoutKind
{
    /// <summary>Not playing yet (no frame, or fewer than the target delay buffered): play silence.</summary>
    Buffering,

    /// <summary>Decode <see cref="AudioPlayout.Payload"/>.</summary>
    Frame,

    /// <summary>
    /// The frame due is missing (lost, late, or held back to grow the delay): run the decoder's packet-loss
    /// concealment for <see cref="AudioPlayout.SampleCount"/> samples (for Opus, decode with no data).
    /// </summary>
    Conceal,
}

/// <summary>
/// The result of <see cref="AdaptiveAudioJitterBuffer.Pull"/>. <see cref="Payload"/> is a view over the buffer's
/// pooled copy, valid until the next call on the buffer.
/// </summary>
public readonly ref struct AudioPlayout
{
    /// <summary>Creates a result.</summary>
    public AudioPlayout(AudioPlayoutKind kind, ReadOnlySpan<byte> payload, uint timestamp, int sampleCount)
    {
        Kind = kind;
        Payload = payload;
        Timestamp = timestamp;
        SampleCount = sampleCount;
    }

    /// <summary>What to do.</summary>
    public AudioPlayoutKind Kind { get; }

    /// <summary>The encoded frame for <see cref="AudioPlayoutKind.Frame"/>; empty otherwise.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The RTP timestamp of the audio played (the frame's, or the concealed position's); 0 while buffering.</summary>
    public uint Timestamp { get; }

    /// <summary>Samples per channel this pull covers, in RTP clock units; 0 while buffering.</summary>
    public int SampleCount { get; }
}
