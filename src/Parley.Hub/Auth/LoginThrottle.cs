using System.Collections.Concurrent;
using System.Net;

namespace Parley.Hub.Auth;

/// <summary>
/// Failed logins per client address: after <c>maxFailures</c> in a row the address is locked out for
/// <c>lockout</c>, doubling with each further failure up to 5 minutes; a success clears it. While locked out no
/// password is even checked, so a flood of guesses costs the hub one dictionary lookup each instead of a PBKDF2
/// run. Memory stays bounded: past 10 000 addresses the ones not locked are forgotten.
/// </summary>
public sealed class LoginThrottle(int maxFailures, TimeSpan lockout, TimeProvider time)
{
    private static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(5);
    private const int MaxTracked = 10_000;
    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();

    /// <summary>When <paramref name="address"/> may try again, or null when it is not locked out.</summary>
    public DateTimeOffset? LockedUntil(IPAddress address) =>
        _entries.TryGetValue(address, out var entry) && entry.LockedUntil > time.GetUtcNow() ? entry.LockedUntil : null;

    /// <summary>Counts a failure; returns the failures in a row and the lockout it started (null if none).</summary>
    public (int Failures, TimeSpan? Lockout) RecordFailure(IPAddress address)
    {
        if (_entries.Count > MaxTracked)
        {
            var now = time.GetUtcNow();
            foreach (var (key, value) in _entries)
            {
                if (value.LockedUntil <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }

        var updated = _entries.AddOrUpdate(address, _ => Next(0), (_, old) => Next(old.Failures));
        return (updated.Failures, updated.Failures >= maxFailures ? updated.LockedUntil - time.GetUtcNow() : null);
    }

    /// <summary>Forgets the failures of <paramref name="address"/> after a successful login.</summary>
    public void RecordSuccess(IPAddress address) => _entries.TryRemove(address, out _);

    private Entry Next(int failures)
    {
        int count = failures + 1;
        if (count < maxFailures)
        {
            return new Entry(count, DateTimeOffset.MinValue);
        }

        double seconds = lockout.TotalSeconds * Math.Pow(2, Math.Min(count - maxFailures, 20));
        return new Entry(count, time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(seconds, MaxLockout.TotalSeconds)));
    }

    private sealed record Entry(int Failures, DateTimeOffset LockedUntil);
}
