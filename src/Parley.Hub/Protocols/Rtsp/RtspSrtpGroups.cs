using System.Runtime.CompilerServices;
using Parley.Hub.Streams;
using Parley.Rtsp.Server;
using Parley.Security.Srtp;

namespace Parley.Hub.Protocols.Rtsp;

/// <summary>
/// The shared-key SRTP group of each stream for its RTSPS readers over UDP: created when the stream is first
/// described, and gone with the stream, so a publisher that starts again gets a new key. All readers in a group
/// share one master key; that is what lets the fan-out protect a packet once for all of them.
/// </summary>
internal sealed class RtspSrtpGroups
{
    private readonly ConditionalWeakTable<MediaStream, SrtpSendGroup> _groups = [];

    /// <summary>The group of <paramref name="stream"/>, created on first use.</summary>
    public SrtpSendGroup For(MediaStream stream) => _groups.GetValue(stream, Create);

    /// <summary>True when <paramref name="group"/> is <paramref name="stream"/>'s (the reader was keyed for this stream).</summary>
    public bool Belongs(MediaStream stream, SrtpSendGroup group) =>
        _groups.TryGetValue(stream, out var current) && ReferenceEquals(current, group);

    private static SrtpSendGroup Create(MediaStream stream) =>
        new(SrtpProtectionProfile.Aes128CmHmacSha1_80, index =>
        {
            var track = stream.Tracks[index];
            return track.HasPackets ? (track.Ssrc, track.Statistics.ExtendedHighestSequence) : (0u, 0u);
        });
}
