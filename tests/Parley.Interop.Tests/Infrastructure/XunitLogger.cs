using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Parley.Interop.Tests.Infrastructure;

/// <summary>Routes the hub's log lines into the test's output, so a failing test shows what the hub saw.</summary>
public sealed class XunitLoggerProvider : ILoggerProvider
{
    private readonly ITestOutputHelper _output;
    private readonly List<string> _lines = [];

    public XunitLoggerProvider(ITestOutputHelper output) => _output = output;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }

        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already finished; the line is kept in Lines only.
        }
    }

    private sealed class Logger(XunitLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string shortCategory = category[(category.LastIndexOf('.') + 1)..];
            provider.Write($"{DateTime.Now:HH:mm:ss.fff} {logLevel.ToString()[..4]} {shortCategory}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
    }
}
