using System.Runtime.CompilerServices;
using Parley.Hub.Streams;
using Parley.Rtsp.Server;
using Parley.Security.Srtp;

namespace Parley.Hub.Protocols.Rtsp;

/// <summary>
/// The SRTP keys of each stream for its RTSPS readers over UDP. Shared (rtsp.srtpKeys: shared, the default): one
/// group per stream, created when the stream is first described, so the fan-out protects a packet once for all
/// readers. Per reader (perReader): every DESCRIBE gets a group of its own, a fresh key for that reader. Either way a
/// group belongs to one stream and is gone with it, so a publisher that starts again means new keys.
/// </summary>
internal sealed class RtspSrtpGroups(bool perReader)
{
    private readonly ConditionalWeakTable<MediaStream, SrtpSendGroup> _shared = [];
    private readonly ConditionalWeakTable<SrtpSendGroup, MediaStream> _owners = [];

    /// <summary>The shared group of <paramref name="stream"/> (created on first use), or a new per-reader one.</summary>
    public SrtpSendGroup For(MediaStream stream)
    {
        if (!perReader)
        {
            return _shared.GetValue(stream, s =>
            {
                var group = Create(s, perReader: false);
                _owners.AddOrUpdate(group, s);
                return group;
            });
        }

        var own = Create(stream, perReader: true);
        _owners.AddOrUpdate(own, stream);
        return own;
    }

    /// <summary>True when <paramref name="group"/> was made for <paramref name="stream"/> (the reader was keyed for this stream).</summary>
    public bool Belongs(MediaStream stream, SrtpSendGroup group) =>
        _owners.TryGetValue(group, out var owner) && ReferenceEquals(owner, stream);

    private static SrtpSendGroup Create(MediaStream stream, bool perReader) =>
        new(SrtpProtectionProfile.Aes128CmHmacSha1_80, index =>
        {
            var track = stream.Tracks[index];
            return track.HasPackets ? (track.Ssrc, track.Statistics.ExtendedHighestSequence) : (0u, 0u);
        }, perReader);
}
