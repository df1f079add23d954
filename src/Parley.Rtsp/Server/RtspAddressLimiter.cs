using System.Collections.Concurrent;
using System.Net;

namespace Parley.Rtsp.Server;

/// <summary>
/// Counts open TCP connections per client address so one address cannot hold all of them
/// (<see cref="RtspServerOptions.MaxConnectionsPerAddress"/>).
/// </summary>
internal sealed class RtspAddressLimiter(int maxPerAddress)
{
    private readonly ConcurrentDictionary<IPAddress, int> _counts = new();

    /// <summary>Takes a slot for <paramref name="address"/>; false when it already holds the maximum.</summary>
    public bool TryAcquire(IPAddress address)
    {
        if (maxPerAddress <= 0)
        {
            return true;
        }

        while (true)
        {
            int current = _counts.GetValueOrDefault(address);
            if (current >= maxPerAddress)
            {
                return false;
            }

            if (current == 0 ? _counts.TryAdd(address, 1) : _counts.TryUpdate(address, current + 1, current))
            {
                return true;
            }
        }
    }

    /// <summary>Gives back the slot of a closed connection.</summary>
    public void Release(IPAddress address)
    {
        if (maxPerAddress <= 0)
        {
            return;
        }

        while (_counts.TryGetValue(address, out int current))
        {
            if (current <= 1 ? _counts.TryRemove(new KeyValuePair<IPAddress, int>(address, current)) : _counts.TryUpdate(address, current - 1, current))
            {
                return;
            }
        }
    }
}
