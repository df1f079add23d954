namespace Parley.Endpoint.Send;

/// <summary>
/// Mute switches a running sender reads at every frame: muted audio goes out as silence and muted video as black
/// frames, so nothing of the person leaves the machine while receivers still see the tracks carry on (timestamps,
/// sender reports, no reconnection when unmuting). Thread safe; shared across reconnections of a call.
/// </summary>
public sealed class SendMuting
{
    private volatile bool _audio;
    private volatile bool _video;

    /// <summary>True while the microphone is muted.</summary>
    public bool Audio
    {
        get => _audio;
        set => _audio = value;
    }

    /// <summary>True while the camera is off.</summary>
    public bool Video
    {
        get => _video;
        set => _video = value;
    }
}
