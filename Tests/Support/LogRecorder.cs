using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ContentApi.Tests.Support;

/// <summary>What a test server logged at Information or above, for tests of what is logged (and how much).</summary>
public sealed class LogRecorder : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                recorder.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
