using Microsoft.Extensions.Logging;

namespace Parley.Hub.Web;

/// <summary>
/// Hands ASP.NET Core's loggers to the hub's logger factory, so Kestrel logs where the hub logs and under the
/// hub's level, while ASP.NET Core's own filters (per-request noise at information) still apply.
/// </summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
        // The hub owns the target factory.
    }
}
