using Parley.WebRtc.Ice;

namespace Parley.Hub.Protocols.WebRtc;

/// <summary>
/// Shares one <see cref="IceSession"/>'s packet callback among several receivers (a WHIP publisher and WHEP
/// sessions on one room connection). Each of them installs its own callback on activation; <see cref="Activate"/>
/// runs that activation, takes the callback it installed and puts the fan-out back in its place, so every SRTP/SRTCP
/// packet reaches all of them (each copies before unprotecting, and ignores what is not its own).
/// </summary>
/// <remarks>A packet that arrives while an activation runs reaches only the receiver being activated.</remarks>
internal sealed class IceReceiveFanOut
{
    private readonly IceSession _ice;
    private readonly Lock _lock = new();
    private IcePacketHandler[] _handlers = [];

    /// <summary>Takes over <paramref name="ice"/>'s packet callback.</summary>
    public IceReceiveFanOut(IceSession ice)
    {
        _ice = ice;
        ice.RtpReceived = Dispatch;
    }

    /// <summary>Runs <paramref name="activate"/> (which sets the ICE callback) and keeps what it set as one more receiver.</summary>
    /// <returns>The receiver's callback, for <see cref="Remove"/>; null when the activation set none.</returns>
    public IcePacketHandler? Activate(Action activate)
    {
        lock (_lock)
        {
            activate();
            var handler = _ice.RtpReceived;
            _ice.RtpReceived = Dispatch;
            if (handler is null || handler == (IcePacketHandler)Dispatch)
            {
                return null;
            }

            Volatile.Write(ref _handlers, [.. _handlers, handler]);
            return handler;
        }
    }

    /// <summary>Stops handing packets to <paramref name="handler"/>.</summary>
    public void Remove(IcePacketHandler handler)
    {
        lock (_lock)
        {
            Volatile.Write(ref _handlers, [.. _handlers.Where(h => h != handler)]);
        }
    }

    // On the ICE server's receive thread.
    private void Dispatch(ReadOnlySpan<byte> packet)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            handler(packet);
        }
    }
}
