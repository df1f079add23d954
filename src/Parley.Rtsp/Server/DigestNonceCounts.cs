namespace Parley.Rtsp.Server;

/// <summary>
/// The highest nonce count (nc) accepted so far for each Digest nonce (RFC 7616 §3.4: "the server ... can detect
/// replays by checking that nc increases"). A request whose nc is not above the last accepted one for its nonce is
/// a replay of a captured Authorization header (or a client out of step), and is refused. Bounded: entries live as
/// long as their nonce (the nonce lifetime) and at most <see cref="Capacity"/> nonces are remembered; when full, the
/// oldest half is forgotten, and a forgotten nonce can only be used again by a client that still has the password.
/// <paramref name="time"/> is the clock, <paramref name="lifetime"/> how long a nonce is accepted at all.
/// </summary>
public sealed class DigestNonceCounts(TimeProvider time, TimeSpan lifetime, int capacity = 65_536)
{
    private readonly Dictionary<string, (uint Count, long Seen)> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Most nonces remembered at once.</summary>
    public int Capacity => capacity;

    /// <summary>Replays refused so far.</summary>
    public long Replays { get; private set; }

    /// <summary>Nonces remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _counts.Count;
            }
        }
    }

    /// <summary>
    /// Accepts <paramref name="nonceCount"/> for <paramref name="nonce"/> when it is above every count accepted
    /// before for that nonce, and remembers it; false for a repeated or lower count (a replay).
    /// </summary>
    public bool TryAdvance(string nonce, uint nonceCount)
    {
        long now = time.GetTimestamp();
        lock (_lock)
        {
            if (_counts.TryGetValue(nonce, out var last) && nonceCount <= last.Count)
            {
                Replays++;
                return false;
            }

            if (!_counts.ContainsKey(nonce) && _counts.Count >= capacity)
            {
                Trim(now);
            }

            _counts[nonce] = (nonceCount, last.Seen == 0 ? now : last.Seen);
            return true;
        }
    }

    /// <summary>Parses the 8 hex digits of a Digest nc parameter (RFC 7616 §3.4); false for anything else.</summary>
    public static bool TryParseCount(string? text, out uint count)
    {
        count = 0;
        return text is { Length: 8 } && uint.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier,
            System.Globalization.CultureInfo.InvariantCulture, out count);
    }

    // Expired nonces go first; if that frees nothing, the oldest half.
    private void Trim(long now)
    {
        foreach (var (nonce, entry) in _counts)
        {
            if (time.GetElapsedTime(entry.Seen, now) > lifetime)
            {
                _counts.Remove(nonce);
            }
        }

        if (_counts.Count >= capacity)
        {
            foreach (var (nonce, _) in _counts.OrderBy(e => e.Value.Seen).Take(_counts.Count / 2).ToList())
            {
                _counts.Remove(nonce);
            }
        }
    }
}
