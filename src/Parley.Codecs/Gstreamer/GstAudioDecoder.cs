using System.Globalization;
using System.Runtime.InteropServices;

namespace Parley.Codecs.Gstreamer;

/// <summary>
/// An audio decoder over a GStreamer pipeline:
/// <c>appsrc (encoded caps) ! DECODER ! audioconvert ! audioresample ! S16LE appsink</c>. Encoded frames in,
/// interleaved signed 16-bit PCM at the output rate and channel count out, one decoded buffer per frame pushed.
/// Build one with <see cref="ForMulaw"/> or <see cref="ForAlaw"/> (G.711, RFC 3551 §4.5.14, through
/// gst-plugins-good's mulawdec / alawdec).
/// </summary>
/// <remarks>
/// <para>Decoding is synchronous: <see cref="TryDecode"/> pushes the frame and waits for what the pipeline makes of
/// it. mulawdec, alawdec and audioconvert turn one buffer into one buffer; audioresample does too, but keeps its
/// filter's history, so the first output is a few samples shorter than the input times the rate ratio and every
/// later one is exact (8000 to 48000 Hz is a ratio of 6).</para>
/// <para>Input comes from the network, so it never throws: a refused push, an error or a timeout returns false,
/// is counted in <see cref="Errors"/> with its message in <see cref="LastError"/>, and restarts the pipeline.
/// One thread at a time.</para>
/// </remarks>
public sealed class GstAudioDecoder : IDisposable
{
    /// <summary>The caps of G.711 μ-law input: one byte per sample, 8000 Hz, one channel.</summary>
    public const string MulawCaps = "audio/x-mulaw,rate=8000,channels=1";

    /// <summary>The caps of G.711 A-law input: one byte per sample, 8000 Hz, one channel.</summary>
    public const string AlawCaps = "audio/x-alaw,rate=8000,channels=1";

    /// <summary>The G.711 sample rate and RTP clock rate in Hz.</summary>
    public const int G711SampleRate = 8000;

    private const string Source = "src";
    private const string Sink = "sink";
    private static readonly TimeSpan DecodeTimeout = TimeSpan.FromMilliseconds(200);
    private readonly GstPipeline _pipeline;
    private readonly GstAppSrc _source;
    private readonly GstAppSink _sink;
    private readonly int _inputRate;
    private short[] _pcm = new short[4096];
    private long _inputSamples;
    private bool _broken;

    /// <summary>Builds and starts the pipeline.</summary>
    /// <param name="inputCaps">Caps of the encoded buffers pushed in, e.g. <see cref="MulawCaps"/>.</param>
    /// <param name="decoder">The decoding element(s), e.g. <c>mulawdec</c>.</param>
    /// <param name="inputRate">Sample rate of the input in Hz (timestamps the pushed buffers).</param>
    /// <param name="outputRate">Sample rate of the PCM out, in Hz.</param>
    /// <param name="outputChannels">Channels of the PCM out (audioconvert duplicates or downmixes).</param>
    /// <exception cref="ArgumentException">Empty caps or decoder.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate or channel count that is not positive.</exception>
    /// <exception cref="CodecException">GStreamer or a decoder element is missing.</exception>
    public GstAudioDecoder(string inputCaps, string decoder, int inputRate, int outputRate, int outputChannels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        _inputRate = inputRate;
        OutputRate = outputRate;
        OutputChannels = outputChannels;
        Pipeline = BuildPipeline(inputCaps, decoder, outputRate, outputChannels);
        (_pipeline, _source, _sink) = GstPipeline.StartFilter(Pipeline, Source, Sink);
    }

    /// <summary>A G.711 μ-law (PCMU) decoder: mulawdec.</summary>
    /// <param name="outputRate">Sample rate of the PCM out in Hz.</param>
    /// <param name="outputChannels">Channels of the PCM out.</param>
    /// <exception cref="CodecException">GStreamer or mulawdec (gstreamer1.0-plugins-good) is missing.</exception>
    public static GstAudioDecoder ForMulaw(int outputRate, int outputChannels) => new(MulawCaps, "mulawdec", G711SampleRate, outputRate, outputChannels);

    /// <summary>A G.711 A-law (PCMA) decoder: alawdec.</summary>
    /// <param name="outputRate">Sample rate of the PCM out in Hz.</param>
    /// <param name="outputChannels">Channels of the PCM out.</param>
    /// <exception cref="CodecException">GStreamer or alawdec (gstreamer1.0-plugins-good) is missing.</exception>
    public static GstAudioDecoder ForAlaw(int outputRate, int outputChannels) => new(AlawCaps, "alawdec", G711SampleRate, outputRate, outputChannels);

    /// <summary>The pipeline description in use.</summary>
    public string Pipeline { get; }

    /// <summary>Sample rate of the PCM out, in Hz.</summary>
    public int OutputRate { get; }

    /// <summary>Channels of the PCM out (interleaved).</summary>
    public int OutputChannels { get; }

    /// <summary>Frames that failed (refused, pipeline error, or no output in time); each restarted the pipeline.</summary>
    public long Errors { get; private set; }

    /// <summary>The message of the last failure, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>The pipeline description: <c>appsrc caps=INPUTCAPS ! DECODER ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=R,channels=C ! appsink</c>.</summary>
    /// <exception cref="ArgumentException">Empty caps or decoder.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate or channel count that is not positive.</exception>
    public static string BuildPipeline(string inputCaps, string decoder, int outputRate, int outputChannels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputCaps);
        ArgumentException.ThrowIfNullOrWhiteSpace(decoder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        return string.Create(CultureInfo.InvariantCulture,
            $"appsrc name={Source} is-live=true format=time caps={inputCaps} ! {decoder} ! audioconvert ! audioresample ! " +
            $"audio/x-raw,format=S16LE,layout=interleaved,rate={outputRate},channels={outputChannels} ! appsink name={Sink} sync=false");
    }

    /// <summary>Decodes one encoded frame.</summary>
    /// <param name="frame">The encoded frame (for G.711: one byte per sample).</param>
    /// <param name="sampleCount">Samples per channel it holds at the input rate (timestamps the stream).</param>
    /// <param name="pcm">Interleaved S16 at <see cref="OutputRate"/> and <see cref="OutputChannels"/>; valid until the next call.</param>
    /// <returns>False when the frame was empty or the pipeline failed or gave nothing within 200 ms (counted; the pipeline restarts).</returns>
    public bool TryDecode(ReadOnlySpan<byte> frame, int sampleCount, out ReadOnlySpan<short> pcm)
    {
        pcm = default;
        if (frame.IsEmpty || sampleCount <= 0)
        {
            return Fail("empty frame", restart: false);
        }

        if (_broken)
        {
            return Fail(LastError ?? "the decoder pipeline is not running", restart: false);
        }

        long pts = _inputSamples * 1_000_000_000 / _inputRate;
        long duration = (long)sampleCount * 1_000_000_000 / _inputRate;
        _inputSamples += sampleCount;
        try
        {
            if (!_source.Push(frame, pts, durationNs: duration))
            {
                return Fail("the decoder pipeline refused data", restart: true);
            }

            if (!_sink.TryPull(DecodeTimeout, out var sample))
            {
                return Fail("the decoder pipeline gave no audio in time", restart: true);
            }

            int length = Append(sample.Data, 0);

            // Should an element split a frame, take what is already there rather than hand it to the next frame.
            while (_sink.TryPull(TimeSpan.Zero, out sample))
            {
                length = Append(sample.Data, length);
            }

            pcm = _pcm.AsSpan(0, length);
            return true;
        }
        catch (CodecException e)
        {
            return Fail(e.Message, restart: true);
        }
    }

    /// <summary>
    /// Restarts the pipeline and its timestamps, for a new stream. Does not throw: a pipeline that does not start
    /// again leaves the decoder broken, and every later frame is refused (counted in <see cref="Errors"/>).
    /// </summary>
    public void Reset()
    {
        _inputSamples = 0;
        try
        {
            _pipeline.Stop();
            _pipeline.Play();
            _broken = false;
        }
        catch (CodecException e)
        {
            _broken = true;
            LastError = $"the decoder pipeline did not start again: {e.Message}";
        }
    }

    /// <summary>Stops the pipeline and releases it.</summary>
    public void Dispose()
    {
        _source.Dispose();
        _sink.Dispose();
        _pipeline.Dispose();
    }

    private int Append(ReadOnlySpan<byte> data, int length)
    {
        var samples = MemoryMarshal.Cast<byte, short>(data[..(data.Length / sizeof(short) * sizeof(short))]);
        if (_pcm.Length < length + samples.Length)
        {
            Array.Resize(ref _pcm, Math.Max(length + samples.Length, _pcm.Length * 2));
        }

        samples.CopyTo(_pcm.AsSpan(length));
        return length + samples.Length;
    }

    private bool Fail(string message, bool restart)
    {
        Errors++;
        LastError = message;
        if (restart)
        {
            Reset();
        }

        return false;
    }
}
