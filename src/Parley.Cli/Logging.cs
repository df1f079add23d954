using Microsoft.Extensions.Logging;

namespace Parley.Cli;

/// <summary>One console logger factory, single-line with timestamps, as every command uses it.</summary>
internal static class Logging
{
    public static ILoggerFactory Create(string level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) ? parsed : LogLevel.Information)
        .AddFilter("Parley.Rtsp.Server.RtspServerConnection", LogLevel.Warning)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
            options.IncludeScopes = false;
        }));
}
