using System.Threading.Channels;
using Parley.Media;

namespace Parley.Hub.Streams;

/// <summary>
/// One reader of a <see cref="MediaStream"/>: a bounded queue filled by the publisher's fan-out and drained by the
/// reader's own protocol loop. When the queue is full the packet is dropped and counted, and the track waits for the
/// next frame start (key frame) so the reader never decodes a broken frame; the publisher never waits.
/// </summary>
public abstract class MediaStreamReader
{
    private readonly Channel<MediaPacket> _queue;
    private readonly bool[] _acceptsTrack;
    // Per track: where the reader stands with respect to frame starts (key frames).
    private readonly StartState[] _startState;
    private long _packetsQueued;
    private long _packetsDropped;
    private long _packetsSkipped;

    /// <param name="trackCount">Number of tracks of the stream.</param>
    /// <param name="acceptsTrack">Which tracks this reader set up; null accepts all.</param>
    /// <param name="queueCapacity">Queue length in packets (RTP and RTCP).</param>
    protected MediaStreamReader(int trackCount, IReadOnlyList<bool>? acceptsTrack, int queueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        _queue = Channel.CreateBounded<MediaPacket>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        _acceptsTrack = new bool[trackCount];
        _startState = new StartState[trackCount];
        for (int i = 0; i < trackCount; i++)
        {
            _acceptsTrack[i] = acceptsTrack is null || (i < acceptsTrack.Count && acceptsTrack[i]);
            // A new reader starts at a frame start on every track that has such a rule.
            _startState[i] = StartState.WaitingFirst;
        }
    }

    /// <summary>Packets put into the queue, or sent at once by a reader that <see cref="DeliversInline"/>, so far.</summary>
    public long PacketsQueued => Interlocked.Read(ref _packetsQueued);

    /// <summary>Packets dropped because the queue was full (the reader was too slow) or the network refused them.</summary>
    public long PacketsDropped => Interlocked.Read(ref _packetsDropped);

    /// <summary>Packets skipped after a drop while the track waited for the next key frame.</summary>
    public long PacketsSkipped => Interlocked.Read(ref _packetsSkipped);

    /// <summary>The queue the protocol loop drains. Completed when the stream ends or the reader is removed.</summary>
    protected ChannelReader<MediaPacket> Queue => _queue.Reader;

    /// <summary>
    /// True for readers whose transport never waits (UDP datagrams): the fan-out hands them each packet through
    /// <see cref="TryDeliver"/> on the publisher's thread instead of queueing it, which saves a thread hop per
    /// packet per reader. Must not change while the reader is attached.
    /// </summary>
    protected virtual bool DeliversInline => false;

    /// <summary>
    /// Sends <paramref name="packet"/> now without waiting, on the publisher's thread; only called when
    /// <see cref="DeliversInline"/>. False when it was dropped (for example a full socket buffer). The caller keeps
    /// its reference: copy nothing, keep nothing.
    /// </summary>
    protected virtual bool TryDeliver(MediaPacket packet) => false;

    /// <summary>
    /// Called on the publisher's thread after every reader was offered <paramref name="packet"/>, for readers that
    /// <see cref="DeliversInline"/> and gather deliveries to send them together (UDP readers: one sendmmsg for all).
    /// </summary>
    protected virtual void CompleteDelivery(MediaPacket packet)
    {
    }

    internal bool IsInline => DeliversInline;

    internal void AfterFanOut(MediaPacket packet) => CompleteDelivery(packet);

    /// <summary>Describes the reader in log lines: protocol, address, transport.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Called by the fan-out for each packet, on the publisher's thread. Never blocks. The caller keeps its own
    /// reference; this method takes one more when it queues the packet.
    /// </summary>
    internal void Offer(MediaPacket packet, FrameStartKind startKind)
    {
        int track = packet.TrackIndex;
        if ((uint)track >= (uint)_acceptsTrack.Length || !_acceptsTrack[track])
        {
            return;
        }

        if (!packet.IsRtcp && _startState[track] != StartState.Running)
        {
            if (startKind != FrameStartKind.AnyPacket && !packet.IsFrameStart)
            {
                if (_startState[track] == StartState.WaitingAfterDrop)
                {
                    Interlocked.Increment(ref _packetsSkipped);
                }

                return;
            }

            _startState[track] = StartState.Running;
        }

        if (DeliversInline ? TryDeliver(packet) : TryQueue(packet))
        {
            Interlocked.Increment(ref _packetsQueued);
            return;
        }

        Interlocked.Increment(ref _packetsDropped);
        if (!packet.IsRtcp && startKind != FrameStartKind.AnyPacket)
        {
            _startState[track] = StartState.WaitingAfterDrop;
        }
    }

    private bool TryQueue(MediaPacket packet)
    {
        packet.AddRef();
        if (_queue.Writer.TryWrite(packet))
        {
            return true;
        }

        packet.Release();
        return false;
    }

    /// <summary>
    /// Ends the reader: queues (or delivers) the farewell packets (RTCP BYE) if there is room, then completes the queue so the
    /// protocol loop finishes what is queued and closes. Safe to call more than once.
    /// </summary>
    internal void End(ReadOnlySpan<MediaPacket> farewell)
    {
        foreach (var packet in farewell)
        {
            if ((uint)packet.TrackIndex < (uint)_acceptsTrack.Length && _acceptsTrack[packet.TrackIndex])
            {
                if (!DeliversInline)
                {
                    TryQueue(packet);
                }
                else if (TryDeliver(packet))
                {
                    CompleteDelivery(packet);
                }
            }
        }

        _queue.Writer.TryComplete();
    }

    /// <summary>Releases what is left in the queue after the protocol loop stopped early.</summary>
    protected void DrainAndRelease()
    {
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var packet))
        {
            packet.Release();
        }
    }

    private enum StartState : byte
    {
        WaitingFirst,
        Running,
        WaitingAfterDrop,
    }
}
