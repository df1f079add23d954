namespace Parley.Hub.Rooms;

/// <summary>
/// Token bucket for one participant's chat: <c>burst</c> tokens, refilled at <c>perSecond</c> tokens per second;
/// a message takes one. Used only by its participant's session, so not thread-safe.
/// </summary>
public sealed class ChatRateLimiter
{
    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly double _burst;
    private double _tokens;
    private long _last;

    /// <summary>Creates a full bucket.</summary>
    /// <param name="perSecond">Refill rate in messages per second (at least 1).</param>
    /// <param name="burst">Bucket size in messages (at least 1).</param>
    /// <param name="time">The clock.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate or size below 1.</exception>
    public ChatRateLimiter(int perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = time;
        _perSecond = perSecond;
        _burst = burst;
        _tokens = burst;
        _last = time.GetTimestamp();
    }

    /// <summary>Takes a token if there is one; false means the message is over the rate and must be dropped.</summary>
    public bool TryTake()
    {
        long now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * _perSecond));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
